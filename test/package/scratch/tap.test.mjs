import t from 'tap';
import { MiniKafka } from 'minikafka';
import roundTripModule from './round-trip.cjs';

t.test('produce and consume through minikafka (tap)', { timeout: 60_000 }, async (t) => {
  const { bootstrapServers, sent, got } = await roundTripModule.roundTrip(MiniKafka, 'tap');
  t.match(bootstrapServers, /^127\.0\.0\.1:\d+$/);
  t.same(got, sent);
});
