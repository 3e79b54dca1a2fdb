/**
 * One streams group (KIP-1071, StreamsGroupHeartbeat), with the behaviour of Kafka's StreamsGroup
 * and the streams half of its GroupMetadataManager. Members send the application's topology when
 * they join; the broker configures it against the cluster's topics (streams-topology.ts), asks
 * for its missing internal topics to be created, and assigns tasks (one per input partition of a
 * subtopology) with the sticky task assignor: active, standby (group.streams.num.standby.replicas)
 * and warm-up (never assigned by the sticky assignor).
 *
 * Epochs, as in consumer groups: the group epoch is bumped when a member joins, leaves, is fenced
 * or changes its metadata, when the topology's topics change (partition counts, creation), and
 * when the topology becomes valid; the target assignment is recomputed on the heartbeat that sees
 * the group epoch ahead of it; each member's epoch reaches the target epoch once it has given up
 * what it must (streams-member.ts).
 *
 * States (StreamsGroupDescribe and ListGroups strings), derived, never stored:
 *   Empty       no members;
 *   NotReady    the topology is missing, or cannot be configured yet (missing source or internal
 *               topics, bad partitioning): members get no tasks;
 *   Assigning   group epoch ahead of the target assignment epoch;
 *   Reconciling some member has not reached the target;
 *   Stable      every member holds its target at the target epoch;
 *   Dead        deleted.
 *
 * Timers on the injected clock: a session timeout per member (group.streams.session.timeout.ms,
 * re-armed by every heartbeat) and a rebalance timeout while a member owes revocations; either
 * fences the member (removed, group epoch bumped).
 */
import { ErrorCode, KafkaError } from '../../../protocol/errors.js';
import { defaultStreamsGroupHeartbeatResponse } from '../../../protocol/messages/streams-group-heartbeat.js';
import type { StreamsGroupHeartbeatRequest, StreamsGroupHeartbeatResponse, StreamsGroupHeartbeatResponseEndpointToPartitions, StreamsGroupHeartbeatResponseStatus } from '../../../protocol/messages/streams-group-heartbeat.js';
import type { Clock, TimerHandle } from '../../../util/clock.js';
import type { Logger } from '../../../util/logger.js';
import type { TopicRegistry } from '../../cluster/topics.js';
import type { StreamsGroupSettings } from './streams-settings.js';
import { configureTopology, requiredTopics, sameTopology, StreamsStatus, topologyFromRequest } from './streams-topology.js';
import type { ConfiguredTopology, StreamsTopology, TopicToCreate } from './streams-topology.js';
import { assignTasks } from './sticky-task-assignor.js';
import { emptyTuple, freshStreamsMember, isSubsetTasks, MemberState, reconcileStreamsMember, sameTuple, tasksFrom, tasksList } from './streams-member.js';
import type { StreamsGroupMember, TaskHolders, TaskTuple, Tasks } from './streams-member.js';

export const StreamsGroupState = { EMPTY: 'Empty', NOT_READY: 'NotReady', ASSIGNING: 'Assigning', RECONCILING: 'Reconciling', STABLE: 'Stable', DEAD: 'Dead' } as const;

export interface StreamsGroupEnv {
  readonly clock: Clock;
  readonly logger: Logger;
  readonly topics: TopicRegistry;
  readonly settings: StreamsGroupSettings;
  /** Called when a member leaves or is fenced (a group may become empty). */
  onMembershipChange(group: StreamsGroup): void;
}

export interface HeartbeatResult {
  readonly response: StreamsGroupHeartbeatResponse;
  /** Internal topics the broker must create (Kafka's StreamsGroupHeartbeatResult). */
  readonly toCreate: readonly TopicToCreate[];
}

/** Per-partition check of an OffsetCommit (same shape as the consumer group's). */
export type CommitPartitionCheck = (topic: string, partition: number) => number;

const NONE = new Set<string>();
const taskKey = (s: string, p: number) => `${s}\u0000${p}`;

export class StreamsGroup {
  readonly type = 'streams' as const;
  readonly protocolType = 'streams';
  // Kafka 4.4 starts a streams group at group and target assignment epoch 1 (StreamsGroup and
  // TargetAssignmentMetadata.INITIAL): the first member's join makes it 2.
  #groupEpoch = 1;
  #assignmentEpoch = 1;
  #dead = false;
  #topology: StreamsTopology | null = null;
  #configured: ConfiguredTopology | null = null;
  #metadataSignature = '';
  #validatedTopologyEpoch = -1;
  /** Kafka starts it at -1: the first assignment of a member with an endpoint makes it 0. */
  #endpointEpoch = -1;
  #shutdownRequestedBy: string | null = null;
  readonly #members = new Map<string, StreamsGroupMember>();
  readonly #target = new Map<string, TaskTuple>();
  readonly #activeOwner = new Map<string, string>();
  readonly #standbyOwners = new Map<string, Map<string, number>>();
  readonly #warmupOwners = new Map<string, Map<string, number>>();
  readonly #sessionTimers = new Map<string, TimerHandle>();
  readonly #rebalanceTimers = new Map<string, TimerHandle>();

  constructor(
    readonly groupId: string,
    private readonly env: StreamsGroupEnv,
  ) {}

  // ---- queries ----

  get state(): string {
    if (this.#dead) return StreamsGroupState.DEAD;
    if (this.#members.size === 0) return StreamsGroupState.EMPTY;
    if (!this.#isReady()) return StreamsGroupState.NOT_READY;
    if (this.#groupEpoch > this.#assignmentEpoch) return StreamsGroupState.ASSIGNING;
    for (const m of this.#members.values()) if (m.state !== MemberState.STABLE || m.memberEpoch !== this.#assignmentEpoch) return StreamsGroupState.RECONCILING;
    return StreamsGroupState.STABLE;
  }

  is(state: string): boolean {
    return this.state === state;
  }

  get isEmpty(): boolean {
    return this.#members.size === 0;
  }

  get isDead(): boolean {
    return this.#dead;
  }

  get size(): number {
    return this.#members.size;
  }

  get groupEpoch(): number {
    return this.#groupEpoch;
  }

  get assignmentEpoch(): number {
    return this.#assignmentEpoch;
  }

  get topology(): StreamsTopology | null {
    return this.#topology;
  }

  get configuredTopology(): ConfiguredTopology | null {
    return this.#configured;
  }

  get members(): IterableIterator<StreamsGroupMember> {
    return this.#members.values();
  }

  member(memberId: string): StreamsGroupMember | undefined {
    return this.#members.get(memberId);
  }

  targetAssignment(memberId: string): TaskTuple {
    return this.#target.get(memberId) ?? emptyTuple();
  }

  /**
   * Whether the group's running members read `topic` (a source or repartition topic of the
   * topology). An empty group reads nothing, as in Kafka: its offsets can be deleted
   * (kafka-streams-groups --delete-offsets) and expire.
   */
  isSubscribedToTopic(topic: string): boolean {
    if (this.#members.size === 0) return false;
    for (const s of this.#topology?.subtopologies ?? []) {
      if (s.sourceTopics.includes(topic) || s.repartitionSourceTopics.some((r) => r.name === topic)) return true;
    }
    return false;
  }

  #isReady(): boolean {
    return this.#configured !== null && this.#configured.subtopologies !== null && this.#configured.toCreate.length === 0;
  }

  // ---- StreamsGroupHeartbeat ----

  /** A heartbeat with epoch 0 (join) or above; the request was validated. Throws KafkaError. */
  heartbeat(req: StreamsGroupHeartbeatRequest, client: { clientId: string; clientHost: string }, apiVersion: number): HeartbeatResult {
    const joining = req.memberEpoch === 0;
    let member = this.#members.get(req.memberId);
    if (!member) {
      if (!joining) throw new KafkaError('UNKNOWN_MEMBER_ID', `Member ${req.memberId} is not a member of group ${this.groupId}.`);
      if (this.#members.size >= this.env.settings.maxSize) throw new KafkaError('GROUP_MAX_SIZE_REACHED', `The streams group has reached its maximum capacity of ${this.env.settings.maxSize} members.`);
      member = freshStreamsMember(req.memberId);
    } else if (joining) {
      // A member rejoining with epoch 0 has given up its tasks (it was fenced, or restarted).
      this.#unindex(member);
      member = { ...member, memberEpoch: 0, previousMemberEpoch: 0, state: MemberState.STABLE, assigned: emptyTuple(), pendingRevocation: emptyTuple() };
      this.#index(member);
    } else {
      this.#checkEpoch(member, req);
    }
    const isNew = !this.#members.has(req.memberId);
    const before = member;

    // 1. The member's metadata; any change bumps the group epoch.
    const updated: StreamsGroupMember = {
      ...member,
      instanceId: req.instanceId ?? member.instanceId,
      rackId: req.rackId ?? member.rackId,
      rebalanceTimeoutMs: req.rebalanceTimeoutMs !== -1 ? req.rebalanceTimeoutMs : member.rebalanceTimeoutMs,
      topologyEpoch: req.topology !== null ? req.topology.epoch : member.topologyEpoch,
      clientId: client.clientId,
      clientHost: client.clientHost,
      processId: req.processId ?? member.processId,
      userEndpoint: req.userEndpoint !== null ? { host: req.userEndpoint.host, port: req.userEndpoint.port } : member.userEndpoint,
      clientTags: req.clientTags !== null ? new Map(req.clientTags.map((kv) => [kv.key, kv.value])) : member.clientTags,
      taskOffsets: req.taskOffsets ?? member.taskOffsets,
      taskEndOffsets: req.taskEndOffsets ?? member.taskEndOffsets,
    };
    let bump = isNew || metadataChanged(member, updated);

    // 2. The topology: the first member sets it; later ones must bring the same (or an older epoch).
    if (req.topology !== null) {
      const t = topologyFromRequest(req.topology);
      if (this.#topology === null) {
        this.#topology = t;
        this.env.logger.info(`streams group ${this.groupId}: topology epoch ${t.epoch} initialized by member ${req.memberId}`);
      } else if (this.#topology.epoch <= t.epoch && !sameTopology(this.#topology, t)) {
        throw new KafkaError('INVALID_REQUEST', 'Topology updates are not supported yet.');
      }
    }
    const topology = this.#topology;
    if (topology === null) throw new KafkaError('INVALID_REQUEST', 'The topology is null and the group topology is also null.');
    const status: StreamsGroupHeartbeatResponseStatus[] = [];
    if (updated.topologyEpoch < topology.epoch) {
      status.push({ statusCode: StreamsStatus.STALE_TOPOLOGY, statusDetail: `The member's topology epoch ${updated.topologyEpoch} is behind the group's topology epoch ${topology.epoch}.` });
    }

    // 3. The topology against the topics; reconfigured when their metadata changed.
    const signature = this.#signature(topology);
    if (this.#configured === null || signature !== this.#metadataSignature) {
      if (this.#configured !== null) bump = true;
      this.#metadataSignature = signature;
      this.#configured = configureTopology(topology, this.env.topics);
    }
    const validated = this.#isReady() ? topology.epoch : -1;
    if (validated !== this.#validatedTopologyEpoch) {
      this.#validatedTopologyEpoch = validated;
      bump = true;
    }

    this.#unindex(member);
    this.#members.set(updated.memberId, updated);
    this.#index(updated);
    if (bump) this.#groupEpoch++;

    // 4. The target assignment, when the group epoch is ahead of it.
    if (this.#groupEpoch > this.#assignmentEpoch) this.#computeTarget();

    // 5. Reconcile the member towards its target.
    const owned: TaskTuple | null = req.activeTasks !== null && req.standbyTasks !== null && req.warmupTasks !== null ? { active: tasksFrom(req.activeTasks), standby: tasksFrom(req.standbyTasks), warmup: tasksFrom(req.warmupTasks) } : null;
    const reconciled = reconcileStreamsMember(updated, this.#assignmentEpoch, this.targetAssignment(updated.memberId), owned, this.#holders());
    this.#unindex(updated);
    this.#members.set(reconciled.memberId, reconciled);
    this.#index(reconciled);
    this.#armSessionTimer(reconciled.memberId);
    this.#armRebalanceTimer(reconciled);
    if (req.shutdownApplication) this.#shutdownRequestedBy = reconciled.memberId;

    const assignmentChanged = !sameTuple(before.assigned, reconciled.assigned);
    // Status stays an empty list when there is none (Kafka's default), not null.
    const response: StreamsGroupHeartbeatResponse = {
      ...defaultStreamsGroupHeartbeatResponse(),
      memberId: reconciled.memberId,
      memberEpoch: reconciled.memberEpoch,
      heartbeatIntervalMs: this.env.settings.heartbeatIntervalMs,
      acceptableRecoveryLagLegacy: apiVersion === 0 ? this.env.settings.acceptableRecoveryLag : 0,
      taskOffsetIntervalMs: this.env.settings.taskOffsetIntervalMs,
      acceptableRecoveryLag: apiVersion >= 1 ? BigInt(this.env.settings.acceptableRecoveryLag) : -1n,
      status,
    };
    if (joining || assignmentChanged) {
      response.activeTasks = tasksList(reconciled.assigned.active);
      response.standbyTasks = tasksList(reconciled.assigned.standby);
      response.warmupTasks = tasksList(reconciled.assigned.warmup);
      if (reconciled.userEndpoint !== null) this.#endpointEpoch++;
    }
    if (this.#endpointEpoch !== req.endpointInformationEpoch) response.partitionsByUserEndpoint = this.#endpointsToPartitions(reconciled.memberId);
    response.endpointInformationEpoch = this.#endpointEpoch;
    const configured = this.#configured;
    if (configured.status !== null) status.push({ statusCode: configured.status.code, statusDetail: configured.status.detail });
    if (this.#shutdownRequestedBy !== null) {
      status.push({ statusCode: StreamsStatus.SHUTDOWN_APPLICATION, statusDetail: `Streams group member ${this.#shutdownRequestedBy} encountered a fatal error and requested a shutdown for the entire application.` });
    }
    return { response, toCreate: configured.toCreate };
  }

  /** Leave (epoch -1) or a static member's temporary leave (-2, handled as a leave here). */
  leave(memberId: string, memberEpoch: number): StreamsGroupHeartbeatResponse {
    const member = this.#members.get(memberId);
    if (!member) throw new KafkaError('UNKNOWN_MEMBER_ID', `Member ${memberId} is not a member of group ${this.groupId}.`);
    this.#remove(memberId, 'left the group');
    return { ...defaultStreamsGroupHeartbeatResponse(), memberId, memberEpoch };
  }

  /** Kafka's throwIfStreamsGroupMemberEpochIsInvalid. */
  #checkEpoch(member: StreamsGroupMember, req: StreamsGroupHeartbeatRequest): void {
    if (req.memberEpoch > member.memberEpoch) {
      throw new KafkaError('FENCED_MEMBER_EPOCH', `The streams group member has a greater member epoch (${req.memberEpoch}) than the one known by the group coordinator (${member.memberEpoch}). The member must abandon all its tasks and rejoin.`);
    }
    if (req.memberEpoch < member.memberEpoch) {
      const ownedOk =
        req.activeTasks !== null &&
        isSubsetTasks(tasksFrom(req.activeTasks), member.assigned.active) &&
        isSubsetTasks(tasksFrom(req.standbyTasks ?? []), member.assigned.standby) &&
        isSubsetTasks(tasksFrom(req.warmupTasks ?? []), member.assigned.warmup);
      if (req.memberEpoch !== member.previousMemberEpoch || !ownedOk) {
        throw new KafkaError('FENCED_MEMBER_EPOCH', `The streams group member has a smaller member epoch (${req.memberEpoch}) than the one known by the group coordinator (${member.memberEpoch}). The member must abandon all its tasks and rejoin.`);
      }
    }
  }

  // ---- offsets (OffsetCommit / OffsetFetch hooks) ----

  /** As Kafka's StreamsGroup.validateOffsetCommit: the member at its current epoch, v9+. */
  validateOffsetCommit(memberId: string, memberEpoch: number, apiVersion: number): CommitPartitionCheck | null {
    if (this.#dead) throw new KafkaError('COORDINATOR_NOT_AVAILABLE');
    if (memberEpoch < 0 && this.#members.size === 0) return null;
    const member = this.#members.get(memberId);
    if (!member) throw new KafkaError('UNKNOWN_MEMBER_ID', `Member ${memberId} is not a member of group ${this.groupId}.`);
    if (apiVersion < 9) throw new KafkaError('UNSUPPORTED_VERSION', 'OffsetCommit version 9 or above must be used by members using the streams group protocol');
    if (memberEpoch !== member.memberEpoch) {
      throw new KafkaError('STALE_MEMBER_EPOCH', `Received member epoch ${memberEpoch} does not match current member epoch ${member.memberEpoch}.`);
    }
    return null;
  }

  validateOffsetFetch(memberId: string | null, memberEpoch: number): number {
    if (memberId === null && memberEpoch < 0) return ErrorCode.NONE;
    const member = memberId === null ? undefined : this.#members.get(memberId);
    if (!member) return ErrorCode.UNKNOWN_MEMBER_ID;
    return member.memberEpoch === memberEpoch ? ErrorCode.NONE : ErrorCode.STALE_MEMBER_EPOCH;
  }

  // ---- lifecycle ----

  /** Streams group state is not written to __consumer_offsets (DEVIATIONS.md): nothing to tombstone. */
  deletionRecords(): [] {
    return [];
  }

  kill(_error?: number): void {
    this.#dead = true;
    for (const t of this.#sessionTimers.values()) this.env.clock.clearTimeout(t);
    for (const t of this.#rebalanceTimers.values()) this.env.clock.clearTimeout(t);
    this.#sessionTimers.clear();
    this.#rebalanceTimers.clear();
  }

  get timerCount(): number {
    return this.#sessionTimers.size + this.#rebalanceTimers.size;
  }

  /** Endpoint information for interactive queries: each member's input partitions, by endpoint. */
  #endpointsToPartitions(self: string): StreamsGroupHeartbeatResponseEndpointToPartitions[] {
    const out: StreamsGroupHeartbeatResponseEndpointToPartitions[] = [];
    const members = [...this.#members.values()].filter((m) => m.memberId !== self);
    const me = this.#members.get(self);
    if (me) members.push(me);
    for (const m of members) {
      if (m.userEndpoint === null) continue;
      const standbyLike: Tasks = new Map([...m.assigned.standby]);
      for (const [s, ps] of m.assigned.warmup) standbyLike.set(s, new Set([...(standbyLike.get(s) ?? []), ...ps]));
      out.push({ userEndpoint: { ...m.userEndpoint }, activePartitions: this.#partitionsOf(m.assigned.active), standbyPartitions: this.#partitionsOf(standbyLike) });
    }
    return out;
  }

  #partitionsOf(tasks: Tasks): { topic: string; partitions: number[] }[] {
    const byTopic = new Map<string, Set<number>>();
    const subs = this.#configured?.subtopologies;
    if (!subs) return [];
    for (const [s, ps] of tasks) {
      const sub = subs.get(s);
      if (!sub) continue;
      for (const topic of sub.inputTopics) {
        const count = this.env.topics.get(topic)?.partitions.length ?? 0;
        for (const p of ps) {
          if (p >= count) continue;
          const set = byTopic.get(topic) ?? new Set<number>();
          set.add(p);
          byTopic.set(topic, set);
        }
      }
    }
    return [...byTopic].sort((a, b) => (a[0] < b[0] ? -1 : 1)).map(([topic, ps]) => ({ topic, partitions: [...ps].sort((x, y) => x - y) }));
  }

  // ---- internals ----

  #signature(t: StreamsTopology): string {
    return requiredTopics(t)
      .map((n) => {
        const topic = this.env.topics.get(n);
        return topic ? `${n}:${topic.id}:${topic.partitions.length}` : `${n}:-`;
      })
      .join(',');
  }

  #computeTarget(): void {
    const subs = this.#isReady() ? [...this.#configured!.subtopologies!.values()] : [];
    const members = [...this.#members.values()].map((m) => {
      const t = this.targetAssignment(m.memberId);
      return { memberId: m.memberId, processId: m.processId, active: t.active, standby: t.standby, warmup: t.warmup };
    });
    const assigned = assignTasks(members, subs, this.env.settings.numStandbyReplicas);
    this.#target.clear();
    for (const [memberId, t] of assigned) this.#target.set(memberId, t);
    this.#assignmentEpoch = this.#groupEpoch;
  }

  #holders(): TaskHolders {
    return {
      activeProcess: (s, p) => this.#activeOwner.get(taskKey(s, p)),
      standbyProcesses: (s, p) => new Set(this.#standbyOwners.get(taskKey(s, p))?.keys() ?? NONE),
      warmupProcesses: (s, p) => new Set(this.#warmupOwners.get(taskKey(s, p))?.keys() ?? NONE),
    };
  }

  /** Adds (or with `remove`, takes away) a member's tasks in the task-holder indexes. */
  #index(m: StreamsGroupMember, remove = false): void {
    const pid = m.processId;
    for (const tuple of [m.assigned, m.pendingRevocation]) {
      for (const [s, ps] of tuple.active) {
        for (const p of ps) {
          if (remove) {
            if (this.#activeOwner.get(taskKey(s, p)) === pid) this.#activeOwner.delete(taskKey(s, p));
          } else this.#activeOwner.set(taskKey(s, p), pid);
        }
      }
      for (const [tasks, owners] of [[tuple.standby, this.#standbyOwners], [tuple.warmup, this.#warmupOwners]] as const) {
        for (const [s, ps] of tasks) {
          for (const p of ps) {
            const k = taskKey(s, p);
            const byProcess = owners.get(k) ?? new Map<string, number>();
            const n = (byProcess.get(pid) ?? 0) + (remove ? -1 : 1);
            if (n > 0) byProcess.set(pid, n);
            else byProcess.delete(pid);
            if (byProcess.size > 0) owners.set(k, byProcess);
            else owners.delete(k);
          }
        }
      }
    }
  }

  #unindex(m: StreamsGroupMember): void {
    this.#index(m, true);
  }

  #remove(memberId: string, why: string): void {
    const m = this.#members.get(memberId);
    if (!m) return;
    this.#unindex(m);
    this.#members.delete(memberId);
    this.#target.delete(memberId);
    for (const timers of [this.#sessionTimers, this.#rebalanceTimers]) {
      const t = timers.get(memberId);
      if (t !== undefined) this.env.clock.clearTimeout(t);
      timers.delete(memberId);
    }
    this.#groupEpoch++;
    if (this.#members.size === 0) this.#shutdownRequestedBy = null;
    this.env.logger.info(`streams group ${this.groupId}: member ${memberId} ${why}; group epoch ${this.#groupEpoch}`);
    this.env.onMembershipChange(this);
  }

  #armSessionTimer(memberId: string): void {
    const old = this.#sessionTimers.get(memberId);
    if (old !== undefined) this.env.clock.clearTimeout(old);
    this.#sessionTimers.set(
      memberId,
      this.env.clock.setTimeout(() => {
        this.#sessionTimers.delete(memberId);
        if (!this.#dead) this.#remove(memberId, 'fenced: session timeout expired');
      }, this.env.settings.sessionTimeoutMs),
    );
  }

  /** While a member owes revocations, it has its rebalance timeout to give them up. */
  #armRebalanceTimer(m: StreamsGroupMember): void {
    const old = this.#rebalanceTimers.get(m.memberId);
    if (m.state !== MemberState.UNREVOKED_TASKS) {
      if (old !== undefined) this.env.clock.clearTimeout(old);
      this.#rebalanceTimers.delete(m.memberId);
      return;
    }
    if (old !== undefined) return;
    const epoch = m.memberEpoch;
    this.#rebalanceTimers.set(
      m.memberId,
      this.env.clock.setTimeout(() => {
        this.#rebalanceTimers.delete(m.memberId);
        const now = this.#members.get(m.memberId);
        if (!this.#dead && now && now.state === MemberState.UNREVOKED_TASKS && now.memberEpoch === epoch) this.#remove(m.memberId, 'fenced: rebalance timeout expired');
      }, Math.max(0, m.rebalanceTimeoutMs)),
    );
  }
}

function metadataChanged(a: StreamsGroupMember, b: StreamsGroupMember): boolean {
  return (
    a.instanceId !== b.instanceId ||
    a.rackId !== b.rackId ||
    a.rebalanceTimeoutMs !== b.rebalanceTimeoutMs ||
    a.topologyEpoch !== b.topologyEpoch ||
    a.processId !== b.processId ||
    a.userEndpoint?.host !== b.userEndpoint?.host ||
    a.userEndpoint?.port !== b.userEndpoint?.port ||
    JSON.stringify([...a.clientTags]) !== JSON.stringify([...b.clientTags])
  );
}
