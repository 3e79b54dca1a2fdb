/**
 * The streams half of the group coordinator (KIP-1071): StreamsGroupHeartbeat and
 * StreamsGroupDescribe, as Kafka's GroupCoordinatorService and GroupMetadataManager do them. The
 * groups themselves live in the GroupCoordinator's one map of groups (a group id holds one type at
 * a time), reached through StreamsGroupsHost; ListGroups, DescribeGroups, DeleteGroups and the
 * offset requests treat streams groups there.
 *
 * A join may create the group or replace an empty classic group (its offsets stay); any other
 * group of that id is GROUP_ID_NOT_FOUND ("Group g is not a streams group."), as in Kafka.
 */
import { ErrorCode, KafkaError } from '../../../protocol/errors.js';
import { defaultStreamsGroupHeartbeatResponse } from '../../../protocol/messages/streams-group-heartbeat.js';
import type { StreamsGroupHeartbeatRequest, StreamsGroupHeartbeatResponse } from '../../../protocol/messages/streams-group-heartbeat.js';
import type { StreamsGroupDescribeResponseDescribedGroup } from '../../../protocol/messages/streams-group-describe.js';
import { StreamsGroup } from './streams-group.js';
import type { HeartbeatResult, StreamsGroupEnv } from './streams-group.js';
import { describeStreamsGroup, emptyDescribedGroup } from './streams-describe.js';

export interface StreamsGroupsHost {
  readonly closed: () => boolean;
  /** The group of that id, of any type. */
  group(groupId: string): { readonly type: string; readonly isEmpty: boolean; is(state: string): boolean } | StreamsGroup | undefined;
  /** Removes an empty group of another type (writing what its deletion writes). */
  removeEmptyGroup(groupId: string): void;
  addGroup(group: StreamsGroup): void;
  /** The bit field of every group operation, for IncludeAuthorizedOperations. */
  readonly authorizedOperations: number;
}

export interface StreamsClient {
  readonly clientId: string;
  readonly clientHost: string;
  readonly apiVersion: number;
}

const LEAVE_GROUP_MEMBER_EPOCH = -1;
const LEAVE_GROUP_STATIC_MEMBER_EPOCH = -2;

export function streamsHeartbeatError(code: number, message: string | null): StreamsGroupHeartbeatResponse {
  return { ...defaultStreamsGroupHeartbeatResponse(), errorCode: code, errorMessage: message };
}

export class StreamsGroups {
  constructor(
    private readonly host: StreamsGroupsHost,
    private readonly env: StreamsGroupEnv,
  ) {}

  heartbeat(req: StreamsGroupHeartbeatRequest, client: StreamsClient): HeartbeatResult {
    const fail = (code: number, message: string | null): HeartbeatResult => ({ response: streamsHeartbeatError(code, message), toCreate: [] });
    if (this.host.closed()) return fail(ErrorCode.COORDINATOR_NOT_AVAILABLE, null);
    try {
      validateHeartbeat(req);
      if (req.memberEpoch === LEAVE_GROUP_MEMBER_EPOCH || req.memberEpoch === LEAVE_GROUP_STATIC_MEMBER_EPOCH) {
        return { response: this.#streamsGroup(req.groupId).leave(req.memberId, req.memberEpoch), toCreate: [] };
      }
      const group = req.memberEpoch === 0 ? this.#getOrCreate(req.groupId) : this.#streamsGroup(req.groupId);
      return group.heartbeat(req, client, client.apiVersion);
    } catch (e) {
      if (!(e instanceof KafkaError)) throw e;
      return fail(e.code, e.message);
    }
  }

  describe(groupIds: readonly string[], includeAuthorizedOperations: boolean, includeTopologyDescription: boolean): StreamsGroupDescribeResponseDescribedGroup[] {
    return groupIds.map((groupId) => {
      if (this.host.closed()) return emptyDescribedGroup(groupId, ErrorCode.COORDINATOR_NOT_AVAILABLE, null);
      if (groupId === '') return emptyDescribedGroup(groupId, ErrorCode.INVALID_GROUP_ID, null);
      const group = this.host.group(groupId);
      if (!group || group.is('Dead')) return emptyDescribedGroup(groupId, ErrorCode.GROUP_ID_NOT_FOUND, `Group ${groupId} not found.`);
      if (!(group instanceof StreamsGroup)) return emptyDescribedGroup(groupId, ErrorCode.GROUP_ID_NOT_FOUND, `Group ${groupId} is not a streams group.`);
      const described = describeStreamsGroup(group, includeTopologyDescription);
      if (includeAuthorizedOperations) described.authorizedOperations = this.host.authorizedOperations;
      return described;
    });
  }

  #streamsGroup(groupId: string): StreamsGroup {
    const group = this.host.group(groupId);
    if (!group || group.is('Dead')) throw new KafkaError('GROUP_ID_NOT_FOUND', `Streams group ${groupId} not found.`);
    if (!(group instanceof StreamsGroup)) throw new KafkaError('GROUP_ID_NOT_FOUND', `Group ${groupId} is not a streams group.`);
    return group;
  }

  #getOrCreate(groupId: string): StreamsGroup {
    const existing = this.host.group(groupId);
    if (existing instanceof StreamsGroup && !existing.isDead) return existing;
    if (existing) {
      if (existing.type !== 'classic' || !existing.isEmpty) throw new KafkaError('GROUP_ID_NOT_FOUND', `Group ${groupId} is not a streams group.`);
      this.host.removeEmptyGroup(groupId);
      this.env.logger.info(`group ${groupId}: empty classic group replaced by a streams group`);
    }
    const group = new StreamsGroup(groupId, this.env);
    this.host.addGroup(group);
    return group;
  }
}

/** Kafka's throwIfStreamsGroupHeartbeatRequestIsInvalid (and the unsupported regex check). */
function validateHeartbeat(req: StreamsGroupHeartbeatRequest): void {
  const bad = (message: string) => new KafkaError('INVALID_REQUEST', message);
  const blank = (s: string | null) => s !== null && s.trim() === '';
  if (req.topology !== null) {
    for (const s of req.topology.subtopologies) if (s.sourceTopicRegex.length > 0) throw bad('Regular expressions for source topics are not supported yet.');
  }
  if (blank(req.memberId)) throw bad("MemberId can't be empty.");
  if (blank(req.groupId)) throw bad("GroupId can't be empty.");
  if (blank(req.instanceId)) throw bad("InstanceId can't be empty.");
  if (blank(req.rackId)) throw bad("RackId can't be empty.");
  if (req.memberEpoch === 0) {
    if (req.rebalanceTimeoutMs === -1) throw bad('RebalanceTimeoutMs must be provided in first request.');
    if (req.activeTasks !== null && req.activeTasks.length > 0) throw bad('ActiveTasks must be empty when (re-)joining.');
    if (req.standbyTasks !== null && req.standbyTasks.length > 0) throw bad('StandbyTasks must be empty when (re-)joining.');
    if (req.warmupTasks !== null && req.warmupTasks.length > 0) throw bad('WarmupTasks must be empty when (re-)joining.');
    if (req.topology === null) throw bad('Topology must be non-null when (re-)joining.');
    for (const s of req.topology.subtopologies) {
      for (const c of s.stateChangelogTopics) {
        if (c.partitions !== 0) throw new KafkaError('STREAMS_INVALID_TOPOLOGY', `Changelog topic ${c.name} must have an undefined partition count, but it is set to ${c.partitions}.`);
      }
    }
  } else if (req.memberEpoch === LEAVE_GROUP_STATIC_MEMBER_EPOCH) {
    if (req.instanceId === null) throw bad("InstanceId can't be null.");
  } else if (req.memberEpoch < LEAVE_GROUP_STATIC_MEMBER_EPOCH) {
    throw bad(`MemberEpoch is ${req.memberEpoch}, but must be greater than or equal to -2.`);
  }
  if (req.activeTasks !== null || req.standbyTasks !== null || req.warmupTasks !== null) {
    if (req.activeTasks === null || req.standbyTasks === null || req.warmupTasks === null) throw bad('If one task-type is non-null, all must be non-null.');
  }
  if (req.memberEpoch !== 0 && req.topology !== null) throw bad('Topology can only be provided when (re-)joining.');
}
