/**
 * Log compaction read back by the official Java clients (kafka-clients 4.4.0), issue 6: the program
 * test/interop/java/.../Compacted.java creates a compacted topic (2 partitions, 1 MiB segments,
 * segment.ms 1000, min.cleanable.dirty.ratio 0.01, delete.retention.ms 2000), produces 100,000
 * updates over 1,000 keys and tombstones for 100 of them, rolls the active segments (one record of a
 * key of its own per partition, after segment.ms: the active segment is never cleaned), then polls
 * from the beginning until it reads exactly one record per live key with its latest value at the
 * offset it was produced at, no tombstones (gone after delete.retention.ms) and offsets with gaps.
 *
 * The broker runs in process with the cleaner woken every 200 ms (log.cleaner.backoff.ms; Kafka's
 * default is 15000) and the retention check every 500 ms.
 *
 * Env: INTEROP_BOOTSTRAP=host:port runs it against that broker instead (its cleaner must run
 * promptly, e.g. log.cleaner.backoff.ms=200, for the program's 60 s deadline).
 */
import { randomBytes } from 'node:crypto';
import t from 'tap';
import { brokerUnderTest, javaProgram, runProgram, setupClients } from './harness.js';


type Line = Record<string, unknown> & { step: string; ok: boolean };

t.setTimeout(10 * 60_000);

const setupError = setupClients('java');
if (setupError !== null) {
  t.fail(setupError);
} else {
  t.test('Java clients: 100,000 updates over 1,000 keys compact to one latest value per live key, tombstones gone', async (t) => {
    const bootstrap = await brokerUnderTest(t, { config: { 'log.cleaner.backoff.ms': 200, 'log.retention.check.interval.ms': 500 } });
    const topic = `compacted-${randomBytes(4).toString('hex')}`;
    const started = Date.now();
    const out = await runProgram<Line>(javaProgram('Compacted'), ['--bootstrap', bootstrap, '--topic', topic, '--deadline-ms', '60000'], 180_000);
    const lines = out.lines;
    const step = (name: string) => lines.find((l) => l.step === name);
    const reads = lines.filter((l) => l.step === 'read');
    const final = step('compacted');
    t.comment(`${reads.length} read rounds, ${Date.now() - started} ms in all; final: ${JSON.stringify(final)}`);
    t.equal(out.code, 0, 'the program exited 0', { stdout: out.stdout.slice(-4000), stderr: out.stderr.slice(-4000) });
    t.ok(step('create_topic')?.ok, 'topic created');
    t.match(step('produce'), { ok: true, updates: 100_000, tombstones: 100, keys: 1000 }, 'produced');
    t.match(step('roll'), { ok: true, partitions: 2 }, 'active segments rolled');
    t.match(
      final,
      { ok: true, records: 902, liveKeys: 902, expectedLiveKeys: 902, stale: 0, misplaced: 0, tombstones: 0, deletedKeys: 0, offsetErrors: 0, gaps: true },
      'one record per live key (900 + the 2 roll keys), latest value at its offset, no tombstones, offsets with gaps',
    );
    // Each partition holds fewer records than its offset range: the offsets were kept.
    for (const [p, count, first, last] of (final?.['partitions'] as number[][] | undefined) ?? []) {
      t.ok(count! > 0 && last! - first! + 1 > count!, `partition ${p}: ${count} records over offsets ${first}..${last}`);
    }
    // The tombstones outlived the pass that compacted the updates, then went.
    t.equal(final?.['tombstonesSeenCompacted'], true, 'a compacted read still held the tombstones');
    t.ok(step('delete_topic')?.ok, 'topic deleted');
  });
}
