/**
 * The control plane's reset between tests, in process: a broker declared with a few topics; each
 * round is a "test" that creates two topics of its own, produces to every partition, commits
 * offsets as a group and opens a transaction (so __consumer_offsets and __transaction_state
 * exist), then `kafka.reset()` is timed. Reported: median, p99 and max over the rounds.
 */
import { performance } from 'node:perf_hooks';
import { MiniKafka } from '../src/index.js';
import { WireClient } from '../test/helpers/wire-client.js';
import { produceOne } from '../test/helpers/data-path.js';
import { addPartitions, transactionalProducer } from '../test/helpers/transactions.js';
import { OffsetCommitApi } from '../src/protocol/messages/index.js';
import { buildBatchSync } from '../src/protocol/records/index.js';

export interface ResetResult {
  readonly rounds: number;
  readonly medianMs: number;
  readonly p99Ms: number;
  readonly maxMs: number;
}

const DECLARED = ['orders:3', 'payments:3', 'audit:1'];

export async function runResetBench(opts: { rounds: number }): Promise<ResetResult> {
  const kafka = await MiniKafka.start({ topics: DECLARED, logLevel: 'error' });
  const c = await WireClient.connect(kafka.bootstrapServers);
  const batch = buildBatchSync([{ key: null, value: Buffer.alloc(100, 1), timestamp: Date.now() }]);
  const times: number[] = [];
  try {
    for (let round = 0; round < opts.rounds; round++) {
      const own = [`t${round}-a`, `t${round}-b`];
      for (const name of own) kafka.createTopic(name, 4);
      for (const [topic, partitions] of [['orders', 3], ['payments', 3], ['audit', 1], [own[0]!, 4], [own[1]!, 4]] as const) {
        for (let p = 0; p < partitions; p++) await produceOne(c, topic, batch, { partition: p });
      }
      await c.request(OffsetCommitApi, 8, {
        groupId: 'bench-group',
        generationIdOrMemberEpoch: -1,
        memberId: '',
        groupInstanceId: null,
        retentionTimeMs: -1n,
        topics: [{ name: 'orders', topicId: 'AAAAAAAAAAAAAAAAAAAAAA', partitions: [0, 1, 2].map((partitionIndex) => ({ partitionIndex, committedOffset: 1n, committedLeaderEpoch: -1, commitTimestamp: -1n, committedMetadata: null })) }],
      });
      const p = await transactionalProducer(c, `tx-${round}`);
      await addPartitions(c, p, 'payments', [0]);
      const started = performance.now();
      await kafka.reset();
      times.push(performance.now() - started);
    }
  } finally {
    c.close();
    await kafka.stop();
  }
  times.sort((a, b) => a - b);
  const at = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))]!;
  return { rounds: times.length, medianMs: at(0.5), p99Ms: at(0.99), maxMs: times[times.length - 1]! };
}

export function formatResetBench(r: ResetResult): string {
  const f = (ms: number) => ms.toFixed(3);
  return `| rounds | median ms | p99 ms | max ms | target |\n| --- | --- | --- | --- | --- |\n| ${r.rounds} | ${f(r.medianMs)} | ${f(r.p99Ms)} | ${f(r.maxMs)} | median < 5 ms: ${r.medianMs < 5 ? 'met' : 'MISSED'} |`;
}
