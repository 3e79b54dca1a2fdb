/**
 * What the Kafka Streams interop suites (streams.test.ts, streams-pipeline.test.ts) share: writing
 * their input over the wire, and watching a streams group (KIP-1071) through StreamsGroupDescribe.
 */
import type { Test as TapTest } from 'tap';
import { CreateTopicsApi } from '../../src/protocol/messages/index.js';
import { StreamsGroupDescribeApi } from '../../src/protocol/messages/streams-group-describe.js';
import type { StreamsGroupDescribeResponseDescribedGroup } from '../../src/protocol/messages/streams-group-describe.js';
import { buildBatchSync } from '../../src/protocol/records/index.js';
import { produceOne } from '../helpers/data-path.js';
import type { WireClient } from '../helpers/wire-client.js';

/**
 * Broker configs of the suites' streams groups (KIP-1071 moves them to the broker): one standby
 * replica per stateful task, and a 6 s session / 1 s heartbeat instead of Kafka's 45 s / 5 s, so
 * that a killed instance's member is fenced within seconds (the bounds are lowered with them).
 * scripts/record-kafka-streams.sh starts Apache Kafka with the same.
 */
export const STREAMS_GROUP_CONFIGS = {
  'group.streams.num.standby.replicas': 1,
  'group.streams.min.session.timeout.ms': 6000,
  'group.streams.session.timeout.ms': 6000,
  'group.streams.min.heartbeat.interval.ms': 1000,
  'group.streams.heartbeat.interval.ms': 1000,
} as const;

export interface InputRecord {
  readonly partition: number;
  readonly key: string;
  readonly value: string;
  readonly timestamp: number;
}

/** Creates `names`, each with `partitions` partitions; asserts that all were created. */
export async function createTopics(t: TapTest, c: WireClient, names: readonly string[], partitions: number): Promise<void> {
  const created = await c.request(CreateTopicsApi, 5, {
    topics: names.map((name) => ({ name, numPartitions: partitions, replicationFactor: 1, assignments: [], configs: [] })),
    timeoutMs: 30000,
    validateOnly: false,
  });
  t.strictSame(created.topics.map((x) => x.errorCode), names.map(() => 0), `topics created: ${names.join(', ')}`);
}

/** Produces `records` in their order within each partition, in batches of up to 50. */
export async function produceRecords(t: TapTest, c: WireClient, topic: string, records: readonly InputRecord[]): Promise<void> {
  const byPartition = new Map<number, InputRecord[]>();
  for (const r of records) byPartition.set(r.partition, [...(byPartition.get(r.partition) ?? []), r]);
  for (const [p, list] of byPartition) {
    for (let at = 0; at < list.length; at += 50) {
      const batch = list.slice(at, at + 50).map((r) => ({ key: Buffer.from(r.key), value: Buffer.from(r.value), timestamp: r.timestamp }));
      // Apache Kafka may answer NOT_LEADER_OR_FOLLOWER until the new topic's leaders are known.
      let code = -1;
      for (let attempt = 0; attempt < 50 && code !== 0; attempt++) {
        if (attempt > 0) await new Promise((r) => setTimeout(r, 100));
        code = (await produceOne(c, topic, buildBatchSync(batch), { partition: p })).errorCode;
      }
      if (code !== 0) t.fail(`produce to ${topic} partition ${p}: error ${code}`);
    }
  }
}

/** A streams group's tasks as "subtopology/partition@processId", active and standby. */
export function tasksOf(g: StreamsGroupDescribeResponseDescribedGroup): { active: string[]; standby: string[] } {
  const list = (pick: 'activeTasks' | 'standbyTasks') => g.members.flatMap((m) => m.assignment[pick].flatMap((x) => x.partitions.map((p) => `${x.subtopologyId}/${p}@${m.processId}`)));
  return { active: list('activeTasks'), standby: list('standbyTasks') };
}

/**
 * Describes `groupId` every 250 ms until `ready` holds for it (then resolves with it) or `boundMs`
 * passes (then null). Rebalances of a streams group take seconds (a session timeout for a dead
 * member, the clients' heartbeat interval), so the bound is generous.
 */
export async function awaitStreamsGroup(c: WireClient, groupId: string, ready: (g: StreamsGroupDescribeResponseDescribedGroup) => boolean, boundMs: number): Promise<StreamsGroupDescribeResponseDescribedGroup | null> {
  const deadline = Date.now() + boundMs;
  while (Date.now() < deadline) {
    const g = (await c.request(StreamsGroupDescribeApi, 0, { groupIds: [groupId], includeAuthorizedOperations: false, includeTopologyDescription: false })).groups[0]!;
    if (g.errorCode === 0 && ready(g)) return g;
    await new Promise((r) => setTimeout(r, 250));
  }
  return null;
}
