import { expect, test } from 'vitest';
import { MiniKafka } from 'minikafka';
import roundTripModule from './round-trip.cjs';

test('produce and consume through minikafka (vitest)', async () => {
  const { bootstrapServers, sent, got } = await roundTripModule.roundTrip(MiniKafka, 'vitest');
  expect(bootstrapServers).toMatch(/^127\.0\.0\.1:\d+$/);
  expect(got).toEqual(sent);
}, 60_000);
