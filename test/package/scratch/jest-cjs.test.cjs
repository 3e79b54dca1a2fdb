// Jest in its default mode: CommonJS, so require('minikafka') takes the `require` condition.
const { MiniKafka } = require('minikafka');
const { roundTrip } = require('./round-trip.cjs');

test('produce and consume through minikafka (jest, CommonJS)', async () => {
  expect(require.resolve('minikafka')).toMatch(/dist[/\\]cjs[/\\]index\.js$/);
  const { bootstrapServers, sent, got } = await roundTrip(MiniKafka, 'jest-cjs');
  expect(bootstrapServers).toMatch(/^127\.0\.0\.1:\d+$/);
  expect(got).toEqual(sent);
}, 60_000);
