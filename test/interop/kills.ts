/**
 * What the kill-and-restart suites (transactions, Streams, Connect, MirrorMaker) share to prove their claims:
 *
 * - `openTransactionsOf`: the broker's own account of a kill. Once the killed program is gone, a
 *   transaction of its transactional ids that is still Ongoing and began after the program was
 *   started is one it had open when it died: the kill landed mid-transaction. Read over the wire
 *   (ListTransactions, DescribeTransactions), so it holds against Apache Kafka (INTEROP_BOOTSTRAP)
 *   as well as against the in-process broker.
 * - `javaReadCommitted`: the exactly-once verdict read by Kafka's own read_committed consumer
 *   (test/interop/java/.../ReadCommitted.java), independent of this repository's decoder and of how
 *   minikafka lists aborted transactions.
 */
import { DescribeTransactionsApi, ListTransactionsApi } from '../../src/protocol/messages/index.js';
import type { WireClient } from '../helpers/wire-client.js';
import { javaProgram, runProgram } from './harness.js';

export interface OpenTransaction {
  readonly transactionalId: string;
  readonly producerId: string;
  readonly producerEpoch: number;
  readonly startedAt: number;
  readonly partitions: number;
}

/**
 * The transactions whose id starts with `prefix`, Ongoing now, begun at or after `sinceMs`
 * (wall clock, the same machine's as the broker's).
 */
export async function openTransactionsOf(c: WireClient, prefix: string, sinceMs: number): Promise<OpenTransaction[]> {
  return (await transactionsOf(c, prefix, ['Ongoing'])).filter((x) => x.state === 'Ongoing' && x.startedAt >= sinceMs);
}

/**
 * Every transaction whose id starts with `prefix`, in the listed `states` (all when empty), as
 * DescribeTransactions gives it: for a kill's evidence, and for why a kill was not proven.
 */
export async function transactionsOf(c: WireClient, prefix: string, states: string[] = []): Promise<(OpenTransaction & { readonly state: string })[]> {
  const listed = await c.request(ListTransactionsApi, 1, { stateFilters: states, producerIdFilters: [], durationFilter: -1n, transactionalIdPattern: null });
  if (listed.errorCode !== 0) throw new Error(`ListTransactions failed: error ${listed.errorCode}`);
  const ids = listed.transactionStates.map((x) => x.transactionalId).filter((id) => id.startsWith(prefix));
  if (ids.length === 0) return [];
  const described = await c.request(DescribeTransactionsApi, 0, { transactionalIds: ids });
  return described.transactionStates
    .filter((x) => x.errorCode === 0)
    .map((x) => ({
      transactionalId: x.transactionalId,
      state: x.transactionState,
      producerId: String(x.producerId),
      producerEpoch: x.producerEpoch,
      startedAt: Number(x.transactionStartTimeMs),
      partitions: x.topics.reduce((n, tp) => n + tp.partitions.length, 0),
    }));
}

export interface JavaPartitionRead {
  readonly partition: number;
  readonly lastStable: number;
  readonly highWatermark: number;
  readonly records: [string | null, string | null][];
}

/** Every committed record of `topic` as Kafka's Java read_committed consumer hands them out, per partition. */
export async function javaReadCommitted(bootstrap: string, topic: string): Promise<{ partitions: JavaPartitionRead[]; error: string | null }> {
  const res = await runProgram<JavaPartitionRead>(javaProgram('ReadCommitted'), ['--bootstrap', bootstrap, '--topic', topic], 120_000);
  const partitions = res.lines.filter((l) => typeof l.partition === 'number');
  const error = res.code === 0 && !res.killed ? null : `ReadCommitted exited ${res.code} (killed: ${res.killed}): ${res.stdout.slice(-500)} ${res.stderr.slice(-2000)}`;
  return { partitions: partitions.sort((a, b) => a.partition - b.partition), error };
}
