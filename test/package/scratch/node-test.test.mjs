import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MiniKafka } from 'minikafka';
import roundTripModule from './round-trip.cjs';

test('produce and consume through minikafka (node:test)', { timeout: 60_000 }, async () => {
  assert.match(import.meta.resolve('minikafka'), /dist\/src\/index\.js$/);
  const { bootstrapServers, sent, got } = await roundTripModule.roundTrip(MiniKafka, 'node-test');
  assert.match(bootstrapServers, /^127\.0\.0\.1:\d+$/);
  assert.deepEqual(got, sent);
});
