/**
 * A member of a classic consumer group (JoinGroup/SyncGroup/Heartbeat/LeaveGroup), as Kafka's
 * ConsumerCoordinator is at its defaults with the "range" assignor, for `minikafka consume
 * --group`: it shares a group with Java, librdkafka or kafkajs consumers, gets partitions
 * assigned, commits in its generation and leaves when done.
 *
 * - Join: JoinGroup with an empty member id; MEMBER_ID_REQUIRED (KIP-394) gives the id to join
 *   with. The leader (the member the coordinator names) assigns with the range assignor over the
 *   members' subscriptions and sends every assignment in SyncGroup.
 * - Heartbeat every heartbeatIntervalMs; REBALANCE_IN_PROGRESS, ILLEGAL_GENERATION and
 *   UNKNOWN_MEMBER_ID mark the member as needing to rejoin (`rejoinNeeded`), which the caller
 *   does at a safe point (after committing what it has read: onPartitionsRevoked).
 * - Commit: OffsetCommit with the generation and member id, so the coordinator fences a member
 *   of an older generation.
 */
import { JoinGroupApi, defaultJoinGroupRequest } from '../protocol/messages/join-group.js';
import { SyncGroupApi, defaultSyncGroupRequest } from '../protocol/messages/sync-group.js';
import { HeartbeatApi, defaultHeartbeatRequest } from '../protocol/messages/heartbeat.js';
import { LeaveGroupApi, defaultLeaveGroupRequest, defaultLeaveGroupRequestMemberIdentity } from '../protocol/messages/leave-group.js';
import { OffsetCommitApi, defaultOffsetCommitRequest, defaultOffsetCommitRequestPartition } from '../protocol/messages/offset-commit.js';
import { readConsumerProtocolSubscription, writeConsumerProtocolSubscription, defaultConsumerProtocolSubscription } from '../protocol/messages/consumer-protocol-subscription.js';
import { readConsumerProtocolAssignment, writeConsumerProtocolAssignment } from '../protocol/messages/consumer-protocol-assignment.js';
import { Reader } from '../protocol/reader.js';
import { Writer } from '../protocol/writer.js';
import { ErrorCode } from '../protocol/errors.js';
import { ZERO_UUID } from '../protocol/uuid.js';
import { CoordinatorType } from './client.js';
import type { KafkaClient } from './client.js';
import type { Connection } from './connection.js';
import { KafkaResponseError, check } from './errors.js';

export interface GroupMemberOptions {
  readonly groupId: string;
  readonly topics: readonly string[];
  /** Kafka's consumer defaults: session.timeout.ms 45 s, heartbeat.interval.ms 3 s, max.poll.interval.ms 300 s. */
  readonly sessionTimeoutMs?: number;
  readonly rebalanceTimeoutMs?: number;
  readonly heartbeatIntervalMs?: number;
}

/** topic -> partitions assigned to this member. */
export type Assignment = Map<string, number[]>;

const PROTOCOL = 'range';
/** The version prefix of the subscription and assignment we write (v0: what every consumer reads). */
const EMBEDDED_VERSION = 0;

const REJOIN_ERRORS: ReadonlySet<number> = new Set([ErrorCode.REBALANCE_IN_PROGRESS, ErrorCode.ILLEGAL_GENERATION, ErrorCode.UNKNOWN_MEMBER_ID, ErrorCode.FENCED_INSTANCE_ID]);

export class GroupMember {
  memberId = '';
  generationId = -1;
  assignment: Assignment = new Map();
  /** Set by a heartbeat answer that says the group is rebalancing or this member is gone. */
  rejoinNeeded = false;
  private heartbeat: NodeJS.Timeout | null = null;
  private readonly sessionTimeoutMs: number;
  private readonly rebalanceTimeoutMs: number;
  private readonly heartbeatIntervalMs: number;

  constructor(
    private readonly client: KafkaClient,
    private readonly opts: GroupMemberOptions,
  ) {
    this.sessionTimeoutMs = opts.sessionTimeoutMs ?? 45_000;
    this.rebalanceTimeoutMs = opts.rebalanceTimeoutMs ?? 300_000;
    this.heartbeatIntervalMs = opts.heartbeatIntervalMs ?? 3_000;
  }

  private coordinator(): Promise<Connection> {
    return this.client.coordinator(this.opts.groupId, CoordinatorType.GROUP);
  }

  /** Joins (or rejoins) the group and returns this member's assignment. */
  async join(): Promise<Assignment> {
    this.stopHeartbeat();
    for (;;) {
      const conn = await this.client.retry(() => this.coordinator());
      const join = await conn.request(JoinGroupApi, {
        ...defaultJoinGroupRequest(),
        groupId: this.opts.groupId,
        sessionTimeoutMs: this.sessionTimeoutMs,
        rebalanceTimeoutMs: this.rebalanceTimeoutMs,
        memberId: this.memberId,
        protocolType: 'consumer',
        protocols: [{ name: PROTOCOL, metadata: subscriptionBytes(this.opts.topics) }],
      });
      if (join.errorCode === ErrorCode.MEMBER_ID_REQUIRED) {
        this.memberId = join.memberId;
        continue;
      }
      if (join.errorCode === ErrorCode.UNKNOWN_MEMBER_ID) {
        this.memberId = '';
        continue;
      }
      if (join.errorCode === ErrorCode.REBALANCE_IN_PROGRESS || join.errorCode === ErrorCode.COORDINATOR_LOAD_IN_PROGRESS || join.errorCode === ErrorCode.NOT_COORDINATOR || join.errorCode === ErrorCode.COORDINATOR_NOT_AVAILABLE) continue;
      check(join.errorCode, `JoinGroup ${this.opts.groupId}`);
      this.memberId = join.memberId;
      this.generationId = join.generationId;
      const assignments = join.leader === join.memberId && !join.skipAssignment ? await this.assign(join.members) : [];
      const sync = await conn.request(SyncGroupApi, {
        ...defaultSyncGroupRequest(),
        groupId: this.opts.groupId,
        generationId: this.generationId,
        memberId: this.memberId,
        protocolType: 'consumer',
        protocolName: join.protocolName ?? PROTOCOL,
        assignments,
      });
      if (REJOIN_ERRORS.has(sync.errorCode)) {
        if (sync.errorCode === ErrorCode.UNKNOWN_MEMBER_ID) this.memberId = '';
        continue;
      }
      check(sync.errorCode, `SyncGroup ${this.opts.groupId}`);
      this.assignment = decodeAssignment(sync.assignment);
      this.rejoinNeeded = false;
      this.startHeartbeat();
      return this.assignment;
    }
  }

  /** The range assignor: per topic, partitions in order split into contiguous ranges over the sorted subscribers. */
  private async assign(members: readonly { memberId: string; metadata: Buffer }[]): Promise<{ memberId: string; assignment: Buffer }[]> {
    const subscribers = new Map<string, string[]>();
    for (const m of members) {
      for (const topic of decodeSubscription(m.metadata)) {
        let l = subscribers.get(topic);
        if (l === undefined) subscribers.set(topic, (l = []));
        l.push(m.memberId);
      }
    }
    const out = new Map<string, Assignment>(members.map((m) => [m.memberId, new Map()]));
    for (const [topic, ids] of subscribers) {
      let count: number;
      try {
        count = (await this.client.topic(topic)).partitions.length;
      } catch (e) {
        if (e instanceof KafkaResponseError) continue; // a topic that does not exist gets no partitions
        throw e;
      }
      ids.sort();
      const per = Math.floor(count / ids.length);
      const extra = count % ids.length;
      ids.forEach((id, i) => {
        const start = per * i + Math.min(i, extra);
        const n = per + (i < extra ? 1 : 0);
        if (n > 0) out.get(id)!.set(topic, Array.from({ length: n }, (_, k) => start + k));
      });
    }
    return [...out].map(([memberId, a]) => ({ memberId, assignment: assignmentBytes(a) }));
  }

  private startHeartbeat(): void {
    this.heartbeat = setInterval(() => {
      this.beat().catch(() => {
        // A heartbeat that fails to reach the coordinator is retried at the next interval;
        // the session timeout is what decides that this member is gone.
      });
    }, this.heartbeatIntervalMs);
    this.heartbeat.unref();
  }

  private stopHeartbeat(): void {
    if (this.heartbeat !== null) clearInterval(this.heartbeat);
    this.heartbeat = null;
  }

  private async beat(): Promise<void> {
    const conn = await this.coordinator();
    const r = await conn.request(HeartbeatApi, { ...defaultHeartbeatRequest(), groupId: this.opts.groupId, generationId: this.generationId, memberId: this.memberId });
    if (REJOIN_ERRORS.has(r.errorCode)) this.rejoinNeeded = true;
  }

  /** Commits in this member's generation; false when the group moved on (rejoin, then read again). */
  async commit(offsets: readonly { topic: string; partition: number; offset: number }[]): Promise<boolean> {
    if (offsets.length === 0) return true;
    const byTopic = new Map<string, { partition: number; offset: number }[]>();
    for (const o of offsets) {
      let l = byTopic.get(o.topic);
      if (l === undefined) byTopic.set(o.topic, (l = []));
      l.push(o);
    }
    const resp = await this.client.retry(async () =>
      (await this.coordinator()).request(OffsetCommitApi, {
        ...defaultOffsetCommitRequest(),
        groupId: this.opts.groupId,
        generationIdOrMemberEpoch: this.generationId,
        memberId: this.memberId,
        topics: [...byTopic].map(([name, ps]) => ({ name, topicId: ZERO_UUID, partitions: ps.map((p) => ({ ...defaultOffsetCommitRequestPartition(), partitionIndex: p.partition, committedOffset: BigInt(p.offset) })) })),
      }),
    );
    for (const t of resp.topics) {
      for (const p of t.partitions) {
        if (REJOIN_ERRORS.has(p.errorCode)) {
          this.rejoinNeeded = true;
          return false;
        }
        check(p.errorCode, `OffsetCommit ${this.opts.groupId} ${t.name}-${p.partitionIndex}`);
      }
    }
    return true;
  }

  /** Leaves the group (LeaveGroup), so that the others get its partitions at once. */
  async leave(): Promise<void> {
    this.stopHeartbeat();
    if (this.memberId === '') return;
    const conn = await this.coordinator();
    const memberId = this.memberId;
    this.memberId = '';
    const r = await conn.request(LeaveGroupApi, (v) => ({
      ...defaultLeaveGroupRequest(),
      groupId: this.opts.groupId,
      memberId: v <= 2 ? memberId : '',
      members: v >= 3 ? [{ ...defaultLeaveGroupRequestMemberIdentity(), memberId, reason: 'the consumer is closing' }] : [],
    }));
    // UNKNOWN_MEMBER_ID: the coordinator already dropped us (session expired); that is a leave too.
    if (r.errorCode !== ErrorCode.UNKNOWN_MEMBER_ID) check(r.errorCode, `LeaveGroup ${this.opts.groupId}`);
  }
}

function subscriptionBytes(topics: readonly string[]): Buffer {
  const w = new Writer();
  w.int16(EMBEDDED_VERSION);
  writeConsumerProtocolSubscription(w, EMBEDDED_VERSION, { ...defaultConsumerProtocolSubscription(), topics: [...topics] });
  return w.toBuffer();
}

function decodeSubscription(b: Buffer): string[] {
  const r = new Reader(b);
  return readConsumerProtocolSubscription(r, r.int16()).topics;
}

function assignmentBytes(a: Assignment): Buffer {
  const w = new Writer();
  w.int16(EMBEDDED_VERSION);
  writeConsumerProtocolAssignment(w, EMBEDDED_VERSION, { assignedPartitions: [...a].map(([topic, partitions]) => ({ topic, partitions })), userData: null });
  return w.toBuffer();
}

/** An empty assignment (a member with nothing to read) may come as zero bytes. */
function decodeAssignment(b: Buffer): Assignment {
  if (b.length < 2) return new Map();
  const r = new Reader(b);
  const a = readConsumerProtocolAssignment(r, r.int16());
  return new Map(a.assignedPartitions.map((tp) => [tp.topic, [...tp.partitions].sort((x, y) => x - y)]));
}
