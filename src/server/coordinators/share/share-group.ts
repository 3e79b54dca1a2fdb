/**
 * A share group (KIP-932), as Kafka's ShareGroup and the share part of GroupMetadataManager: its
 * members, each subscribed to topics by name, and the assignment the simple assignor gives them.
 *
 * Share groups have no revocation step: an assignment change takes effect at once, so the group
 * is Empty or Stable, and a member's epoch is the group epoch as of its last heartbeat. The group
 * epoch goes up whenever the membership, a subscription or the subscribed topics' metadata (a
 * topic created or grown) changes; the assignment is then computed again (assignment epoch =
 * group epoch). A member that does not heartbeat within share.session.timeout.ms is removed.
 *
 * As Kafka 4.4: a new group is at epoch 1 (ModernGroup), and a topic's partitions are assigned
 * only once the group's share-partition state is initialized for them. Kafka initializes that
 * state after the heartbeat that first subscribes to the topic (InitializeShareGroupState to the
 * share coordinator) and assigns the partitions at a later heartbeat, with one more epoch bump;
 * here the initialization completes at once, and its effect on the assignment waits likewise for
 * the next heartbeat, so that members see Kafka's assignments and epochs.
 */
import { ErrorCode, KafkaError } from '../../../protocol/errors.js';
import type { ShareGroupHeartbeatRequest, ShareGroupHeartbeatResponse } from '../../../protocol/messages/share-group-heartbeat.js';
import type { ShareGroupDescribeResponseDescribedGroup } from '../../../protocol/messages/share-group-describe.js';
import type { TopicRegistry } from '../../cluster/topics.js';
import type { Clock, TimerHandle } from '../../../util/clock.js';
import { sameAssignment, simpleAssign } from './simple-assignor.js';
import type { AssignorTopic } from './simple-assignor.js';

export const SHARE_PROTOCOL_TYPE = 'share';
export const LEAVE_GROUP_MEMBER_EPOCH = -1;

export interface ShareMember {
  readonly memberId: string;
  memberEpoch: number;
  rackId: string | null;
  clientId: string;
  clientHost: string;
  subscribedTopicNames: string[];
  /** topicId -> partitions. */
  assignment: Map<string, number[]>;
  /** The assignment last sent to the member (null: send it on the next heartbeat). */
  sentAssignment: Map<string, number[]> | null;
  timer: TimerHandle | null;
}

export interface ShareGroupEnv {
  readonly clock: Clock;
  readonly topics: TopicRegistry;
  sessionTimeoutMs(groupId: string): number;
  heartbeatIntervalMs(groupId: string): number;
  maxSize(): number;
  /** A member left or was removed: release what it holds. */
  onMemberRemoved(groupId: string, memberId: string): void;
}

export interface ClientFacts {
  readonly clientId: string;
  readonly clientHost: string;
}

export class ShareGroup {
  readonly type = 'share' as const;
  readonly protocolType = SHARE_PROTOCOL_TYPE;
  readonly members = new Map<string, ShareMember>();
  groupEpoch = 1;
  assignmentEpoch = 1;
  /** The subscribed topics' ids and sizes when the assignment was computed. */
  #metadataSignature = '';
  /** topic id -> how many of its partitions have initialized share-partition state for this group. */
  readonly #initialized = new Map<string, number>();
  /** #initialized as it was when the assignment was computed. */
  #assignedInitialized = '';

  constructor(
    readonly groupId: string,
    private readonly env: ShareGroupEnv,
  ) {}

  get state(): 'Empty' | 'Stable' {
    return this.members.size === 0 ? 'Empty' : 'Stable';
  }

  get isEmpty(): boolean {
    return this.members.size === 0;
  }

  /** Every topic name some member subscribes to. */
  subscribedTopicNames(): Set<string> {
    const out = new Set<string>();
    for (const m of this.members.values()) for (const n of m.subscribedTopicNames) out.add(n);
    return out;
  }

  heartbeat(req: ShareGroupHeartbeatRequest, client: ClientFacts): ShareGroupHeartbeatResponse {
    const interval = this.env.heartbeatIntervalMs(this.groupId);
    if (req.memberEpoch === LEAVE_GROUP_MEMBER_EPOCH) {
      const m = this.members.get(req.memberId);
      if (m === undefined) throw new KafkaError('UNKNOWN_MEMBER_ID', `Member ${req.memberId} is not a member of group ${this.groupId}.`);
      this.removeMember(m.memberId);
      return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, errorMessage: null, memberId: req.memberId, memberEpoch: LEAVE_GROUP_MEMBER_EPOCH, heartbeatIntervalMs: 0, assignment: null };
    }
    let member = this.members.get(req.memberId);
    let changed = false;
    if (req.memberEpoch === 0) {
      if (member === undefined) {
        if (this.members.size >= this.env.maxSize()) throw new KafkaError('GROUP_MAX_SIZE_REACHED', `The share group has reached its maximum capacity of ${this.env.maxSize()} members.`);
        member = { memberId: req.memberId, memberEpoch: 0, rackId: null, clientId: client.clientId, clientHost: client.clientHost, subscribedTopicNames: [], assignment: new Map(), sentAssignment: null, timer: null };
        this.members.set(member.memberId, member);
        changed = true;
      }
      member.sentAssignment = null;
    } else {
      if (member === undefined) throw new KafkaError('UNKNOWN_MEMBER_ID', `Member ${req.memberId} is not a member of group ${this.groupId}.`);
      if (req.memberEpoch !== member.memberEpoch) throw new KafkaError('FENCED_MEMBER_EPOCH', `The share group member has a smaller member epoch (${req.memberEpoch}) than the one known by the group coordinator (${member.memberEpoch}). The member must abandon all its partitions and rejoin.`);
    }
    if (req.rackId !== null && req.rackId !== member.rackId) member.rackId = req.rackId;
    if (req.subscribedTopicNames !== null) {
      const next = [...new Set(req.subscribedTopicNames)].sort();
      if (next.join('\0') !== member.subscribedTopicNames.join('\0')) {
        member.subscribedTopicNames = next;
        changed = true;
      }
    }
    member.clientId = client.clientId;
    member.clientHost = client.clientHost;
    const signature = this.#signature();
    // Partitions initialized since the assignment was computed are assigned now (Kafka's
    // initializedAssignmentPending), with an epoch bump of their own.
    if (changed || signature !== this.#metadataSignature || this.#initializedSignature() !== this.#assignedInitialized) {
      this.groupEpoch++;
      this.#assign(signature);
    }
    this.#initializeSubscribed();
    member.memberEpoch = this.assignmentEpoch;
    this.#armSessionTimer(member);
    let assignment: ShareGroupHeartbeatResponse['assignment'] = null;
    if (member.sentAssignment === null || !sameAssignment(member.sentAssignment, member.assignment)) {
      member.sentAssignment = member.assignment;
      assignment = { topicPartitions: [...member.assignment].map(([topicId, partitions]) => ({ topicId, partitions: [...partitions] })) };
    }
    return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, errorMessage: null, memberId: member.memberId, memberEpoch: member.memberEpoch, heartbeatIntervalMs: interval, assignment };
  }

  removeMember(memberId: string): void {
    const m = this.members.get(memberId);
    if (m === undefined) return;
    if (m.timer !== null) this.env.clock.clearTimeout(m.timer);
    this.members.delete(memberId);
    this.groupEpoch++;
    this.#assign(this.#signature());
    this.env.onMemberRemoved(this.groupId, memberId);
  }

  close(): void {
    for (const m of this.members.values()) if (m.timer !== null) this.env.clock.clearTimeout(m.timer);
  }

  describe(includeAuthorizedOperations: boolean, operations: number): ShareGroupDescribeResponseDescribedGroup {
    return {
      errorCode: ErrorCode.NONE,
      errorMessage: null,
      groupId: this.groupId,
      groupState: this.state,
      groupEpoch: this.groupEpoch,
      assignmentEpoch: this.assignmentEpoch,
      assignorName: 'simple',
      members: [...this.members.values()].map((m) => ({
        memberId: m.memberId,
        rackId: m.rackId,
        memberEpoch: m.memberEpoch,
        clientId: m.clientId,
        clientHost: m.clientHost,
        subscribedTopicNames: [...m.subscribedTopicNames],
        assignment: {
          topicPartitions: [...m.assignment].map(([topicId, partitions]) => ({ topicId, topicName: this.env.topics.getById(topicId)?.name ?? '', partitions: [...partitions] })),
        },
      })),
      authorizedOperations: includeAuthorizedOperations ? operations : -2147483648,
    };
  }

  #topic(name: string): AssignorTopic | undefined {
    const t = this.env.topics.get(name);
    return t === undefined ? undefined : { id: t.id, name: t.name, partitionCount: t.partitions.length };
  }

  #signature(): string {
    return [...this.subscribedTopicNames()]
      .sort()
      .map((n) => {
        const t = this.#topic(n);
        return t === undefined ? `${n}:-` : `${n}:${t.id}:${t.partitionCount}`;
      })
      .join(',');
  }

  /** Initializes the share-partition state of every partition of the subscribed topics. */
  #initializeSubscribed(): void {
    for (const name of this.subscribedTopicNames()) {
      const t = this.#topic(name);
      if (t !== undefined) this.#initialized.set(t.id, t.partitionCount);
    }
  }

  #initializedSignature(): string {
    return [...this.#initialized].map(([id, n]) => `${id}:${n}`).sort().join(',');
  }

  #assign(signature: string): void {
    // Only initialized partitions are assigned.
    const initialized = (n: string): AssignorTopic | undefined => {
      const t = this.#topic(n);
      return t === undefined ? undefined : { ...t, partitionCount: Math.min(t.partitionCount, this.#initialized.get(t.id) ?? 0) };
    };
    this.#assignedInitialized = this.#initializedSignature();
    const result = simpleAssign([...this.members.values()], initialized);
    for (const m of this.members.values()) m.assignment = result.get(m.memberId) ?? new Map();
    this.assignmentEpoch = this.groupEpoch;
    this.#metadataSignature = signature;
  }

  #armSessionTimer(m: ShareMember): void {
    if (m.timer !== null) this.env.clock.clearTimeout(m.timer);
    m.timer = this.env.clock.setTimeout(() => {
      m.timer = null;
      if (this.members.get(m.memberId) === m) this.removeMember(m.memberId);
    }, this.env.sessionTimeoutMs(this.groupId));
  }
}
