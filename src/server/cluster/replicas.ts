/**
 * Replica sets, ISR and leadership of every partition, as the KRaft controller keeps them
 * (PartitionRegistration): the replicas in preference order, the in-sync replicas, the leader, and
 * (on the Partition itself) the leader epoch, which goes up by one at every change of leader.
 *
 * Replication is simulated: there is one copy of each log, so a replica that comes back is in sync
 * at once, and the ISR only shrinks when a broker stops. What clients see follows Kafka:
 * - a broker stops (controlled shutdown): it leaves the ISR of its partitions (unless it is the
 *   last member: Kafka keeps the last one so as not to lose committed data), and the partitions
 *   it led move to the first live in-sync replica in replica order, with a new leader epoch; with
 *   none, the leader is -1 (LEADER_NOT_AVAILABLE in Metadata) until a replica returns;
 * - a broker starts again: it rejoins the ISR of its partitions and takes the partitions that had
 *   no leader; leaders do not move back by themselves (a preferred election does that);
 * - preferred and unclean elections, reassignments and a control-plane move act on this state.
 *
 * State is made lazily, per topic, the first time a partition's replicas are asked for: topics
 * recovered from a data directory before any broker listens are placed once brokers exist.
 * Stopping a broker walks every partition: a control action, never on a request's path.
 */
import { KafkaError } from '../../protocol/errors.js';
import type { BrokerRegistry } from './broker-registry.js';
import { liveLeaderFirst, placeReplicas } from './placement.js';
import type { Topic } from './topics.js';

export interface PartitionReplicas {
  /** Preference order: the first is the preferred leader. */
  replicas: number[];
  isr: number[];
  /** -1 when no in-sync replica is live. */
  leader: number;
}

interface TopicReplicas {
  readonly rf: number;
  readonly start: number;
  readonly parts: PartitionReplicas[];
}

export interface ManualAssignment {
  readonly partitionIndex: number;
  readonly brokerIds: readonly number[];
}

export class ReplicaSets {
  readonly #topics = new WeakMap<Topic, TopicReplicas>();
  #placedTopics = 0;

  constructor(
    private readonly brokers: BrokerRegistry,
    /** The replication factor of a topic placed without one (recovered, or made before this existed). */
    private readonly defaultRf: (topic: Topic) => number,
  ) {}

  /** Places a new topic's partitions: `rf` replicas each (clamped to the brokers), or the manual assignment. */
  place(topic: Topic, rf: number, manual?: readonly ManualAssignment[]): void {
    if (this.brokers.size === 0) return;
    const start = this.#placedTopics++;
    const t: TopicReplicas = { rf: Math.max(1, Math.min(rf, this.brokers.size)), start, parts: [] };
    this.#topics.set(topic, t);
    if (manual !== undefined && manual.length > 0) {
      for (const a of [...manual].sort((x, y) => x.partitionIndex - y.partitionIndex)) t.parts.push(this.#fresh([...a.brokerIds]));
    }
    this.#extend(topic, t);
  }

  /** Places partitions added by CreatePartitions with the given replica lists; the rest as the topic's others. */
  addPartitions(topic: Topic, firstNew: number, manual: readonly (readonly number[])[] | null): void {
    const t = this.#topics.get(topic);
    if (t === undefined) return;
    t.parts.length = Math.min(t.parts.length, firstNew);
    for (const ids of manual ?? []) t.parts.push(this.#fresh([...ids]));
    this.#extend(topic, t);
  }

  /** A partition's state, placed on first use; null with no brokers or no such partition. */
  of(topic: Topic, index: number): PartitionReplicas | null {
    if (index < 0 || index >= topic.partitions.length) return null;
    let t = this.#topics.get(topic);
    if (t === undefined) {
      if (this.brokers.size === 0) return null;
      this.place(topic, this.defaultRf(topic));
      t = this.#topics.get(topic)!;
    } else if (index >= t.parts.length) {
      this.#extend(topic, t);
    }
    return t.parts[index] ?? null;
  }

  leader(topic: Topic, index: number): number {
    return this.of(topic, index)?.leader ?? -1;
  }

  /** A broker stopped: it leaves the ISRs and gives up its leaderships (see above). */
  brokerStopped(nodeId: number, topics: Iterable<Topic>): void {
    this.#forEachPlaced(topics, (topic, index, p) => {
      if (!p.replicas.includes(nodeId)) return;
      if (p.isr.length > 1) p.isr = p.isr.filter((id) => id !== nodeId);
      if (p.leader === nodeId) this.#setLeader(topic, index, p, p.replicas.find((id) => id !== nodeId && p.isr.includes(id) && this.brokers.isLive(id)) ?? -1);
    });
  }

  /** A broker is back: it rejoins the ISRs (its copy is the one copy) and leads what had no leader. */
  brokerStarted(nodeId: number, topics: Iterable<Topic>): void {
    this.#forEachPlaced(topics, (topic, index, p) => {
      if (!p.replicas.includes(nodeId)) return;
      if (!p.isr.includes(nodeId)) p.isr = [...p.isr, nodeId];
      if (p.leader === -1) this.#setLeader(topic, index, p, p.replicas.find((id) => p.isr.includes(id) && this.brokers.isLive(id)) ?? -1);
    });
  }

  /** Makes `nodeId` the leader (control plane): it must be a live replica; it joins the ISR. */
  moveLeader(topic: Topic, index: number, nodeId: number): void {
    const p = this.#required(topic, index);
    if (!p.replicas.includes(nodeId)) throw new KafkaError('INVALID_REPLICA_ASSIGNMENT', `Broker ${nodeId} is not a replica of ${topic.name}-${index} (replicas [${p.replicas.join(', ')}]).`);
    if (!this.brokers.isLive(nodeId)) throw new KafkaError('BROKER_NOT_AVAILABLE', `Broker ${nodeId} is not running.`);
    if (!p.isr.includes(nodeId)) p.isr = [...p.isr, nodeId];
    if (p.leader !== nodeId) this.#setLeader(topic, index, p, nodeId);
  }

  /** PREFERRED election: throws ELECTION_NOT_NEEDED or PREFERRED_LEADER_NOT_AVAILABLE, else elects. */
  electPreferred(topic: Topic, index: number): void {
    const p = this.#required(topic, index);
    const preferred = p.replicas[0]!;
    if (p.leader === preferred) throw new KafkaError('ELECTION_NOT_NEEDED');
    if (!this.brokers.isLive(preferred) || !p.isr.includes(preferred)) {
      throw new KafkaError('PREFERRED_LEADER_NOT_AVAILABLE', `Failed to elect leader for partition ${topic.name}-${index} under strategy PREFERRED`);
    }
    this.#setLeader(topic, index, p, preferred);
  }

  /** UNCLEAN election: only for a partition without a leader; any live replica, which becomes the ISR. */
  electUnclean(topic: Topic, index: number): void {
    const p = this.#required(topic, index);
    if (p.leader >= 0) throw new KafkaError('ELECTION_NOT_NEEDED');
    const live = p.replicas.find((id) => this.brokers.isLive(id));
    if (live === undefined) throw new KafkaError('ELIGIBLE_LEADERS_NOT_AVAILABLE', `Failed to elect leader for partition ${topic.name}-${index} under strategy UNCLEAN`);
    p.isr = [live];
    this.#setLeader(topic, index, p, live);
  }

  /**
   * Completes a reassignment at once (the one copy is every replica's copy): the new replica list,
   * the live ones in sync, and a new leader if the old one is not among them or not live.
   */
  reassign(topic: Topic, index: number, replicas: readonly number[]): void {
    const p = this.#required(topic, index);
    p.replicas = [...replicas];
    p.isr = replicas.filter((id) => this.brokers.isLive(id));
    if (p.isr.length === 0) p.isr = [replicas[0]!];
    if (!p.isr.includes(p.leader) || !this.brokers.isLive(p.leader)) this.#setLeader(topic, index, p, p.replicas.find((id) => this.brokers.isLive(id)) ?? -1);
  }

  #required(topic: Topic, index: number): PartitionReplicas {
    const p = this.of(topic, index);
    if (p === null) throw new KafkaError('UNKNOWN_TOPIC_OR_PARTITION', `No such partition as ${topic.name}-${index}`);
    return p;
  }

  #setLeader(topic: Topic, index: number, p: PartitionReplicas, leader: number): void {
    if (p.leader === leader) return;
    p.leader = leader;
    topic.partitions[index]?.bumpLeaderEpoch();
  }

  #forEachPlaced(topics: Iterable<Topic>, fn: (topic: Topic, index: number, p: PartitionReplicas) => void): void {
    for (const topic of topics) {
      const t = this.#topics.get(topic);
      if (t === undefined) continue;
      t.parts.forEach((p, i) => fn(topic, i, p));
    }
  }

  #fresh(replicas: number[]): PartitionReplicas {
    const isLive = (id: number) => this.brokers.isLive(id);
    const isr = replicas.filter(isLive);
    const leader = liveLeaderFirst(replicas, isLive)[0] ?? -1;
    return { replicas, isr: isr.length > 0 ? isr : replicas.slice(0, 1), leader: isLive(leader) ? leader : -1 };
  }

  #extend(topic: Topic, t: TopicReplicas): void {
    const have = t.parts.length;
    const missing = topic.partitions.length - have;
    if (missing <= 0) return;
    const brokers = this.brokers.known.map((b) => ({ nodeId: b.nodeId, rack: b.rack, live: this.brokers.isLive(b.nodeId) }));
    for (const replicas of placeReplicas(brokers, have, missing, t.rf, t.start)) t.parts.push(this.#fresh(replicas));
  }
}
