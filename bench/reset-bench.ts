/**
 * The control plane's reset between tests, in process: a broker declared with a few topics; each
 * round is a "test" that creates two topics of its own, produces to every partition, commits
 * offsets as a group and opens a transaction (so __consumer_offsets and __transaction_state
 * exist), then `kafka.reset()` is timed. Reported: median, p99 and max over the rounds.
 *
 * Then a named snapshot's restore on the same broker: the declared topics are filled first
 * (PREPARED_BATCHES batches of 10 records on each partition, a group's commits) and saved; each
 * round does the same "test" and `kafka.restore()` back to the prepared state is timed.
 */
import { performance } from 'node:perf_hooks';
import { MiniKafka } from '../src/index.js';
import { WireClient } from '../test/helpers/wire-client.js';
import { produceOne } from '../test/helpers/data-path.js';
import { addPartitions, transactionalProducer } from '../test/helpers/transactions.js';
import { OffsetCommitApi } from '../src/protocol/messages/index.js';
import { buildBatchSync } from '../src/protocol/records/index.js';

interface Timings {
  readonly rounds: number;
  readonly medianMs: number;
  readonly p99Ms: number;
  readonly maxMs: number;
}

export interface ResetResult extends Timings {
  /** Restoring a named snapshot of a prepared state, and the batches that snapshot refers to. */
  readonly restore: Timings & { readonly snapshotBatches: number };
}

const DECLARED = ['orders:3', 'payments:3', 'audit:1'];
const PARTITIONS = [['orders', 3], ['payments', 3], ['audit', 1]] as const;
const PREPARED_BATCHES = 100;

/** One "test": two topics of its own, a batch on every partition, a group's commits, an open transaction. */
async function dirty(kafka: MiniKafka, c: WireClient, round: number, batch: Buffer): Promise<void> {
  const own = [`t${round}-a`, `t${round}-b`];
  for (const name of own) kafka.createTopic(name, 4);
  for (const [topic, partitions] of [...PARTITIONS, [own[0]!, 4], [own[1]!, 4]] as const) {
    for (let p = 0; p < partitions; p++) await produceOne(c, topic, batch, { partition: p });
  }
  await commitOrders(c, 1n);
  const p = await transactionalProducer(c, `tx-${round}`);
  await addPartitions(c, p, 'payments', [0]);
}

function commitOrders(c: WireClient, offset: bigint) {
  return c.request(OffsetCommitApi, 8, {
    groupId: 'bench-group',
    generationIdOrMemberEpoch: -1,
    memberId: '',
    groupInstanceId: null,
    retentionTimeMs: -1n,
    topics: [{ name: 'orders', topicId: 'AAAAAAAAAAAAAAAAAAAAAA', partitions: [0, 1, 2].map((partitionIndex) => ({ partitionIndex, committedOffset: offset, committedLeaderEpoch: -1, commitTimestamp: -1n, committedMetadata: null })) }],
  });
}

async function timed(fn: () => Promise<unknown>, into: number[]): Promise<void> {
  const started = performance.now();
  await fn();
  into.push(performance.now() - started);
}

function summary(times: number[]): Timings {
  times.sort((a, b) => a - b);
  const at = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))]!;
  return { rounds: times.length, medianMs: at(0.5), p99Ms: at(0.99), maxMs: times[times.length - 1]! };
}

export async function runResetBench(opts: { rounds: number }): Promise<ResetResult> {
  const kafka = await MiniKafka.start({ topics: DECLARED, logLevel: 'error' });
  const c = await WireClient.connect(kafka.bootstrapServers);
  const batch = buildBatchSync([{ key: null, value: Buffer.alloc(100, 1), timestamp: Date.now() }]);
  const times: number[] = [];
  const restores: number[] = [];
  let snapshotBatches = 0;
  try {
    for (let round = 0; round < opts.rounds; round++) {
      await dirty(kafka, c, round, batch);
      await timed(() => kafka.reset(), times);
    }
    const ten = buildBatchSync(Array.from({ length: 10 }, () => ({ key: null, value: Buffer.alloc(100, 2), timestamp: Date.now() })));
    for (const [topic, partitions] of PARTITIONS) {
      for (let p = 0; p < partitions; p++) for (let i = 0; i < PREPARED_BATCHES; i++) await produceOne(c, topic, ten, { partition: p });
    }
    await commitOrders(c, 500n);
    snapshotBatches = (await kafka.snapshot('prepared')).batches;
    for (let round = 0; round < opts.rounds; round++) {
      await dirty(kafka, c, round, batch);
      await timed(() => kafka.restore('prepared'), restores);
    }
  } finally {
    c.close();
    await kafka.stop();
  }
  return { ...summary(times), restore: { ...summary(restores), snapshotBatches } };
}

export function formatResetBench(r: ResetResult): string {
  const f = (ms: number) => ms.toFixed(3);
  const x = r.restore;
  return (
    `| operation | rounds | median ms | p99 ms | max ms | target |\n| --- | --- | --- | --- | --- | --- |\n` +
    `| reset | ${r.rounds} | ${f(r.medianMs)} | ${f(r.p99Ms)} | ${f(r.maxMs)} | median < 5 ms: ${r.medianMs < 5 ? 'met' : 'MISSED'} |\n` +
    `| restore a snapshot (${x.snapshotBatches} batches) | ${x.rounds} | ${f(x.medianMs)} | ${f(x.p99Ms)} | ${f(x.maxMs)} | |`
  );
}
