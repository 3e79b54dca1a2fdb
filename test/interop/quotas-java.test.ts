/**
 * Quota enforcement seen by the official Java clients (kafka-clients 4.4.0), issue 11: the program
 * test/interop/java/.../QuotaClients.java sets producer_byte_rate and consumer_byte_rate of 1 MiB/s
 * on two client-id entities through Admin.alterClientQuotas, fills a topic with an unthrottled
 * producer, then in one JVM
 *   - a producer sends 1000-byte records as fast as it can for 20 s, and
 *   - a consumer reads the filled topic from its start for 20 s,
 * each reporting its bytes (record payload, and wire bytes: what Kafka's quotas count, the Produce
 * request size and the Fetch response size) and its own produce-/fetch-throttle-time-avg/max.
 *
 * The broker runs with quota.window.num=2 (Kafka's default is 11 windows of 1 s). Kafka measures a
 * client's rate over all its samples and counts a young window as (samples - 1) full windows, so a
 * fresh client may first take (samples - 1) windows' worth of quota at once, and bursts again
 * whenever a burst's sample expires: over T seconds a client can get up to (T + samples - 1) s of
 * quota. With 11 samples that is up to 1.5x over 20 s: Apache Kafka 4.4 itself let this program's
 * producer send 1.16x the quota over its first 20 s and its consumer 1.05x (minikafka: 1.17x and
 * 1.15x, the same saw-tooth shape). With 2 samples the bound is 1.05x, so "within 10% over 20 s"
 * is what Kafka's algorithm guarantees: Kafka 4.4 gave 1.01x (produce, wire bytes) and 0.94x
 * (fetch, record bytes), minikafka 1.03x and 0.96x.
 *
 * A consumer stays somewhat below its quota: a fetch that would exceed it is answered empty and
 * throttled as if its bytes had been taken (Kafka's unrecordQuotaSensor), so each throttle wastes
 * up to one response's worth; the filled topic's batches (and so the responses) are 64 KiB.
 *
 * What is asserted:
 *   - never above the quota by more than 10% (wire bytes, what the quota counts): load only ever
 *     makes clients slower, so this bound holds on any machine;
 *   - at least 90% of the quota (record payload bytes) when the machine lets the client go well
 *     beyond it: the fill step measures what an unthrottled producer achieves right before; below
 *     twice the quota the client is CPU-starved and a throttled client loses what it waits on top
 *     of that, so only a quarter of the quota is required then (the quota does not starve it);
 *   - the clients' own throttle-time metrics are above 0 (the broker answered throttle times and
 *     they were honoured).
 *
 * Env: INTEROP_BOOTSTRAP=host:port runs it against that broker instead, which needs
 * quota.window.num=2 in its server.properties (KAFKA_EXTRA_PROPS=quota.window.num=2 for
 * bench/kafka/start-kafka.sh).
 */
import { randomBytes } from 'node:crypto';
import t from 'tap';
import { brokerUnderTest, javaProgram, runProgram, setupClients } from './harness.js';

const QUOTA = 1024 * 1024;
const SECONDS = 20;

interface Phase {
  phase: 'produce' | 'fetch';
  payloadRate: number;
  wireRate: number;
  throttleAvgMs: number;
  throttleMaxMs: number;
  perSecond: number[];
  errors?: number;
  reachedEnd?: boolean;
}
type Line = Record<string, unknown> & { step?: string; ok?: boolean; phase?: string };

t.setTimeout(5 * 60_000);

const setupError = setupClients('java');
if (setupError !== null) {
  t.fail(setupError);
} else {
  t.test('Java clients: a 1 MiB/s produce quota and a 1 MiB/s fetch quota hold each client within 10% over 20 s, with throttle times', async (t) => {
    const bootstrap = await brokerUnderTest(t, { config: { 'quota.window.num': 2 } });
    const prefix = `quota-${randomBytes(4).toString('hex')}`;
    const out = await runProgram<Line>(javaProgram('QuotaClients'), ['--bootstrap', bootstrap, '--prefix', prefix, '--rate', String(QUOTA), '--seconds', String(SECONDS)], 180_000);
    t.equal(out.code, 0, 'the program exited 0', { stdout: out.stdout.slice(-4000), stderr: out.stderr.slice(-4000) });
    const step = (name: string) => out.lines.find((l) => l.step === name);
    t.ok(step('set_quotas')?.ok, 'quotas set through Admin.alterClientQuotas and described back');
    const fill = step('fill');
    t.ok(fill?.ok, 'topic filled for the consumer');
    // What an unthrottled producer got through on this machine just now, bytes/s.
    const capacity = Number(fill?.['bytes']) / (Number(fill?.['ms']) / 1000);
    const floor = capacity >= 2 * QUOTA ? 0.9 * QUOTA : 0.25 * QUOTA;
    t.comment(`unthrottled producer: ${(capacity / QUOTA).toFixed(2)} MiB/s, so each client must reach ${(floor / QUOTA).toFixed(2)}x the quota`);

    for (const name of ['produce', 'fetch'] as const) {
      const p = out.lines.find((l) => l.phase === name) as unknown as Phase | undefined;
      if (p === undefined) {
        t.fail(`no ${name} phase reported`);
        continue;
      }
      const x = (v: number) => `${(v / QUOTA).toFixed(3)}x`;
      t.comment(
        `${name}: payload ${x(p.payloadRate)}, wire ${x(p.wireRate)} of the quota; throttle avg ${p.throttleAvgMs.toFixed(1)} ms, max ${p.throttleMaxMs} ms; ` +
          `per second (KiB): ${p.perSecond.map((b) => Math.round(b / 1024)).join(' ')}`,
      );
      t.ok(p.wireRate <= 1.1 * QUOTA, `${name}: wire bytes at most 10% over the quota (${x(p.wireRate)})`);
      t.ok(p.payloadRate >= floor, `${name}: record bytes at least ${x(floor)} (${x(p.payloadRate)})`);
      t.ok(p.throttleAvgMs > 0 && p.throttleMaxMs > 0, `${name}: the client's ${name}-throttle-time-avg/max are above 0 (${p.throttleAvgMs.toFixed(1)}, ${p.throttleMaxMs})`);
      if (name === 'produce') t.equal(p.errors, 0, 'produce: no send failed');
      else t.equal(p.reachedEnd, false, 'fetch: the topic did not run dry (the rate is the quota, not the data)');
    }
  });
}
