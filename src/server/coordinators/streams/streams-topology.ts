/**
 * A streams group's topology (KIP-1071) and how the broker configures it against the cluster's
 * topics, as Kafka's StreamsTopology and InternalTopicManager.configureTopics:
 *
 * 1. every source topic must exist, else MISSING_SOURCE_TOPICS ("Source topics a, b are missing.");
 * 2. repartition source topics without a fixed partition count take the largest partition count of
 *    the source topics of the subtopologies writing to them (repeated until nothing changes);
 * 3. copartition groups: the non-repartition topics of a group must agree, else
 *    INCORRECTLY_PARTITIONED_TOPICS; repartition topics without a fixed count follow them;
 * 4. changelog topics get the subtopology's task count (its largest source partition count);
 * 5. every internal topic that does not exist is returned to be created, with status
 *    MISSING_INTERNAL_TOPICS; an existing one with another partition count is
 *    INCORRECTLY_PARTITIONED_TOPICS.
 *
 * A subtopology has one task per partition of its largest source topic.
 */
import type { StreamsGroupHeartbeatRequestTopology } from '../../../protocol/messages/streams-group-heartbeat.js';
import type { TopicRegistry } from '../../cluster/topics.js';
import { KafkaError } from '../../../protocol/errors.js';

/** StreamsGroupHeartbeatResponse Status codes. */
export const StreamsStatus = {
  STALE_TOPOLOGY: 0,
  MISSING_SOURCE_TOPICS: 1,
  INCORRECTLY_PARTITIONED_TOPICS: 2,
  MISSING_INTERNAL_TOPICS: 3,
  SHUTDOWN_APPLICATION: 4,
} as const;

export interface InternalTopicInfo {
  readonly name: string;
  readonly partitions: number;
  readonly replicationFactor: number;
  readonly configs: ReadonlyMap<string, string>;
}

export interface Subtopology {
  readonly id: string;
  readonly sourceTopics: readonly string[];
  readonly repartitionSinkTopics: readonly string[];
  readonly stateChangelogTopics: readonly InternalTopicInfo[];
  readonly repartitionSourceTopics: readonly InternalTopicInfo[];
  /** Each group as topic names (the request's indexes resolved). */
  readonly copartitionGroups: readonly (readonly string[])[];
}

export interface StreamsTopology {
  readonly epoch: number;
  readonly subtopologies: readonly Subtopology[];
}

export interface ConfiguredSubtopology {
  readonly id: string;
  readonly numTasks: number;
  /** Source and repartition source topics: each task i reads partition i of each that has it. */
  readonly inputTopics: readonly string[];
  readonly stateful: boolean;
}

export interface TopicToCreate {
  readonly name: string;
  readonly partitions: number;
  /** -1: the broker default. */
  readonly replicationFactor: number;
  readonly configs: ReadonlyMap<string, string>;
}

export interface ConfiguredTopology {
  readonly epoch: number;
  /** Null when the topology cannot be configured (missing source topics, bad partitioning). */
  readonly subtopologies: ReadonlyMap<string, ConfiguredSubtopology> | null;
  readonly toCreate: readonly TopicToCreate[];
  readonly status: { readonly code: number; readonly detail: string } | null;
}

/** The request's topology, with copartition indexes resolved; throws STREAMS_INVALID_TOPOLOGY. */
export function topologyFromRequest(t: StreamsGroupHeartbeatRequestTopology): StreamsTopology {
  const ids = new Set<string>();
  const subtopologies = t.subtopologies.map((s): Subtopology => {
    if (ids.has(s.subtopologyId)) throw new KafkaError('STREAMS_INVALID_TOPOLOGY', `Duplicate subtopology ${s.subtopologyId}.`);
    ids.add(s.subtopologyId);
    for (const c of s.stateChangelogTopics) {
      if (c.partitions !== 0) throw new KafkaError('STREAMS_INVALID_TOPOLOGY', `Changelog topic ${c.name} must have an undefined partition count, but it is set to ${c.partitions}.`);
    }
    const info = (x: { name: string; partitions: number; replicationFactor: number; topicConfigs: { key: string; value: string }[] }): InternalTopicInfo => ({
      name: x.name,
      partitions: x.partitions,
      replicationFactor: x.replicationFactor,
      configs: new Map(x.topicConfigs.map((kv) => [kv.key, kv.value])),
    });
    const pick = <T>(list: readonly T[], indexes: readonly number[]): T[] =>
      indexes.map((i) => {
        const v = list[i];
        if (v === undefined) throw new KafkaError('STREAMS_INVALID_TOPOLOGY', `Copartition group index ${i} is out of range in subtopology ${s.subtopologyId}.`);
        return v;
      });
    return {
      id: s.subtopologyId,
      sourceTopics: [...s.sourceTopics].sort(),
      repartitionSinkTopics: [...s.repartitionSinkTopics].sort(),
      stateChangelogTopics: s.stateChangelogTopics.map(info),
      repartitionSourceTopics: s.repartitionSourceTopics.map(info),
      copartitionGroups: s.copartitionGroups.map((g) => [...pick(s.sourceTopics, g.sourceTopics), ...pick(s.repartitionSourceTopics.map((r) => r.name), g.repartitionSourceTopics)].sort()),
    };
  });
  return { epoch: t.epoch, subtopologies };
}

/** Whether two topologies are the same (a joining member must bring the group's). */
export function sameTopology(a: StreamsTopology, b: StreamsTopology): boolean {
  return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
}

function canonical(t: StreamsTopology): unknown {
  return {
    epoch: t.epoch,
    subtopologies: [...t.subtopologies]
      .sort((x, y) => (x.id < y.id ? -1 : x.id > y.id ? 1 : 0))
      .map((s) => ({ ...s, stateChangelogTopics: s.stateChangelogTopics.map((c) => ({ ...c, configs: [...c.configs].sort() })), repartitionSourceTopics: s.repartitionSourceTopics.map((c) => ({ ...c, configs: [...c.configs].sort() })) })),
  };
}

/** The topics whose partition counts the configuration depends on (the group's metadata signature). */
export function requiredTopics(t: StreamsTopology): string[] {
  const out = new Set<string>();
  for (const s of t.subtopologies) {
    for (const n of s.sourceTopics) out.add(n);
    for (const r of s.repartitionSourceTopics) out.add(r.name);
    for (const c of s.stateChangelogTopics) out.add(c.name);
  }
  return [...out].sort();
}

class TopicConfigurationError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

function summarize(names: Iterable<string>): string {
  return [...names].sort().join(', ');
}

export function configureTopology(t: StreamsTopology, topics: TopicRegistry): ConfiguredTopology {
  const existing = (name: string): number | undefined => topics.get(name)?.partitions.length;
  try {
    const missing = new Set<string>();
    for (const s of t.subtopologies) for (const n of s.sourceTopics) if (existing(n) === undefined) missing.add(n);
    if (missing.size > 0) throw new TopicConfigurationError(StreamsStatus.MISSING_SOURCE_TOPICS, `Source topics ${summarize(missing)} are missing.`);

    const decided = new Map<string, number>();
    const count = (name: string): number | undefined => existing(name) ?? decided.get(name);
    decideRepartitionCounts(t, count, decided);
    enforceCopartitioning(t, count, decided);

    const subtopologies = new Map<string, ConfiguredSubtopology>();
    const expected = new Map<string, TopicToCreate>();
    for (const s of t.subtopologies) {
      const inputTopics = [...s.sourceTopics, ...s.repartitionSourceTopics.map((r) => r.name)];
      let numTasks = 0;
      for (const n of inputTopics) numTasks = Math.max(numTasks, count(n) ?? 0);
      subtopologies.set(s.id, { id: s.id, numTasks, inputTopics, stateful: s.stateChangelogTopics.length > 0 });
      for (const r of s.repartitionSourceTopics) {
        const partitions = r.partitions !== 0 ? r.partitions : decided.get(r.name) ?? existing(r.name) ?? numTasks;
        expected.set(r.name, { name: r.name, partitions, replicationFactor: r.replicationFactor === 0 ? -1 : r.replicationFactor, configs: r.configs });
      }
      for (const c of s.stateChangelogTopics) {
        expected.set(c.name, { name: c.name, partitions: numTasks, replicationFactor: c.replicationFactor === 0 ? -1 : c.replicationFactor, configs: c.configs });
      }
    }
    const toCreate: TopicToCreate[] = [];
    for (const [name, want] of [...expected].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
      const have = existing(name);
      if (have === undefined) toCreate.push(want);
      else if (have !== want.partitions) {
        throw new TopicConfigurationError(StreamsStatus.INCORRECTLY_PARTITIONED_TOPICS, `Existing topic ${name} has different number of partitions: expected ${want.partitions}, found ${have}`);
      }
    }
    const status = toCreate.length > 0 ? { code: StreamsStatus.MISSING_INTERNAL_TOPICS, detail: `Internal topics are missing: ${summarize(toCreate.map((x) => x.name))}` } : null;
    return { epoch: t.epoch, subtopologies, toCreate, status };
  } catch (e) {
    if (!(e instanceof TopicConfigurationError)) throw e;
    return { epoch: t.epoch, subtopologies: null, toCreate: [], status: { code: e.code, detail: e.message } };
  }
}

/**
 * Kafka's RepartitionTopics.setup: a repartition topic without a fixed count gets the largest
 * partition count among the sources of the subtopologies that write to it, iterated because those
 * sources may themselves be repartition topics.
 */
function decideRepartitionCounts(t: StreamsTopology, count: (n: string) => number | undefined, decided: Map<string, number>): void {
  const flexible = new Set<string>();
  for (const s of t.subtopologies) {
    for (const r of s.repartitionSourceTopics) {
      if (r.partitions !== 0) decided.set(r.name, r.partitions);
      else flexible.add(r.name);
    }
  }
  let progress = true;
  while (progress) {
    progress = false;
    for (const name of flexible) {
      if (count(name) !== undefined) continue;
      let best: number | undefined;
      for (const s of t.subtopologies) {
        if (!s.repartitionSinkTopics.includes(name)) continue;
        for (const src of [...s.sourceTopics, ...s.repartitionSourceTopics.map((r) => r.name)]) {
          const n = count(src);
          if (n !== undefined) best = Math.max(best ?? 0, n);
        }
      }
      if (best !== undefined) {
        decided.set(name, best);
        progress = true;
      }
    }
  }
  const undecided = [...flexible].filter((n) => count(n) === undefined);
  if (undecided.length > 0) {
    throw new TopicConfigurationError(StreamsStatus.INCORRECTLY_PARTITIONED_TOPICS, `Failed to compute number of partitions for all repartition topics: ${summarize(undecided)}`);
  }
}

/** Kafka's CopartitionedTopicsEnforcer: the topics of one copartition group share a partition count. */
function enforceCopartitioning(t: StreamsTopology, count: (n: string) => number | undefined, decided: Map<string, number>): void {
  const flexible = new Set<string>();
  for (const s of t.subtopologies) for (const r of s.repartitionSourceTopics) if (r.partitions === 0) flexible.add(r.name);
  for (const s of t.subtopologies) {
    for (const group of s.copartitionGroups) {
      const fixed = group.filter((n) => !flexible.has(n));
      const counts = new Set(fixed.map((n) => count(n)));
      if (counts.size > 1) {
        throw new TopicConfigurationError(StreamsStatus.INCORRECTLY_PARTITIONED_TOPICS, `Following topics do not have the same number of partitions: [${fixed.map((n) => `${n}=${count(n)}`).join(', ')}]`);
      }
      let target = fixed.length > 0 ? count(fixed[0]!) : undefined;
      if (target === undefined) for (const n of group) target = Math.max(target ?? 0, count(n) ?? 0);
      for (const n of group) if (flexible.has(n) && target !== undefined) decided.set(n, target);
    }
  }
}
