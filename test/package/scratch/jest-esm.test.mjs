// Jest with --experimental-vm-modules: an ES module test, so the `import` condition.
import { expect, test } from '@jest/globals';
import { MiniKafka } from 'minikafka';
import roundTripModule from './round-trip.cjs';

test('produce and consume through minikafka (jest, ES modules)', async () => {
  const { bootstrapServers, sent, got } = await roundTripModule.roundTrip(MiniKafka, 'jest-esm');
  expect(bootstrapServers).toMatch(/^127\.0\.0\.1:\d+$/);
  expect(got).toEqual(sent);
}, 60_000);
