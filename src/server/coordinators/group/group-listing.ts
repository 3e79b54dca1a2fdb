/**
 * The group coordinator's admin views of its groups: ConsumerGroupDescribe (consumer groups
 * only), DescribeGroups (classic groups only, KIP-1043 from v6), ListGroups (every type, share
 * groups included through the GroupKindHook) and DeleteGroups (empty groups, with their offsets).
 */
import { ErrorCode } from '../../../protocol/errors.js';
import type { ConsumerGroupDescribeResponseDescribedGroup } from '../../../protocol/messages/consumer-group-describe.js';
import { defaultConsumerGroupDescribeResponseDescribedGroup } from '../../../protocol/messages/consumer-group-describe.js';
import type { DeleteGroupsResponseDeletableGroupResult } from '../../../protocol/messages/delete-groups.js';
import type { DescribeGroupsResponseDescribedGroup } from '../../../protocol/messages/describe-groups.js';
import type { ListGroupsResponseListedGroup } from '../../../protocol/messages/list-groups.js';
import { ClassicGroupState } from './classic-group-states.js';
import { GROUP_AUTHORIZED_OPERATIONS } from './group-coordinator-context.js';
import type { GroupCoordinatorContext } from './group-coordinator-context.js';
import { groupMetadataRecord, offsetCommitRecord } from './offsets-topic.js';
import type { CoordinatorRecord } from './offsets-topic.js';

const GROUP_TYPES: ReadonlySet<string> = new Set(['classic', 'consumer', 'share', 'streams']);

/** ConsumerGroupDescribe: a classic group is GROUP_ID_NOT_FOUND, as in Kafka. */
export function consumerGroupDescribe(ctx: GroupCoordinatorContext, groupIds: readonly string[], includeAuthorizedOperations: boolean): ConsumerGroupDescribeResponseDescribedGroup[] {
  return groupIds.map((groupId) => {
    const fail = (code: number, message: string | null): ConsumerGroupDescribeResponseDescribedGroup => ({
      ...defaultConsumerGroupDescribeResponseDescribedGroup(),
      errorCode: code,
      errorMessage: message,
      groupId,
    });
    if (ctx.closed()) return fail(ErrorCode.COORDINATOR_NOT_AVAILABLE, null);
    if (groupId === '') return fail(ErrorCode.INVALID_GROUP_ID, null);
    const group = ctx.groups.get(groupId);
    if (!group && ctx.otherGroups()?.has(groupId) === true) return fail(ErrorCode.GROUP_ID_NOT_FOUND, `Group ${groupId} is not a consumer group.`);
    if (!group || group.is(ClassicGroupState.DEAD)) return fail(ErrorCode.GROUP_ID_NOT_FOUND, `Group ${groupId} not found.`);
    if (group.type !== 'consumer') return fail(ErrorCode.GROUP_ID_NOT_FOUND, `Group ${groupId} is not a consumer group.`);
    const described = group.describe();
    if (includeAuthorizedOperations) described.authorizedOperations = GROUP_AUTHORIZED_OPERATIONS;
    return described;
  });
}

export function describeGroups(ctx: GroupCoordinatorContext, groupIds: readonly string[], apiVersion: number, includeAuthorizedOperations: boolean): DescribeGroupsResponseDescribedGroup[] {
  return groupIds.map((groupId) => {
    const group = ctx.groups.get(groupId);
    const base: DescribeGroupsResponseDescribedGroup = {
      errorCode: ErrorCode.NONE,
      errorMessage: null,
      groupId,
      groupState: ClassicGroupState.DEAD,
      protocolType: '',
      protocolData: '',
      members: [],
      authorizedOperations: -2147483648,
    };
    // Kafka fills the operations of every answer without an error, a Dead one included.
    if (apiVersion >= 3 && includeAuthorizedOperations) base.authorizedOperations = GROUP_AUTHORIZED_OPERATIONS;
    if (!group || group.type !== 'classic') {
      // KIP-1043: v6 says the group does not exist; older versions describe a Dead group.
      if (apiVersion >= 6) {
        base.errorCode = ErrorCode.GROUP_ID_NOT_FOUND;
        base.errorMessage = group || ctx.otherGroups()?.has(groupId) === true ? `Group ${groupId} is not a classic group.` : `Group ${groupId} not found.`;
        base.authorizedOperations = -2147483648;
      }
      return base;
    }
    const stable = group.is(ClassicGroupState.STABLE);
    base.groupState = group.state;
    base.protocolType = group.protocolType ?? '';
    // Metadata is only meaningful once a protocol is chosen and everyone has its assignment.
    base.protocolData = stable ? (group.protocolName ?? '') : '';
    for (const m of group.members) {
      base.members.push({
        memberId: m.memberId,
        groupInstanceId: m.groupInstanceId,
        clientId: m.clientId,
        clientHost: m.clientHost,
        memberMetadata: stable ? m.metadata(group.protocolName) : Buffer.alloc(0),
        memberAssignment: m.assignment,
      });
    }
    return base;
  });
}

/** States match case-insensitively; an unknown type matches nothing, as Kafka's filters. */
export function listGroups(ctx: GroupCoordinatorContext, statesFilter: readonly string[], typesFilter: readonly string[]): ListGroupsResponseListedGroup[] {
  const states = new Set(statesFilter.map((s) => s.trim().toLowerCase()));
  const types = new Set(typesFilter.map((t) => (GROUP_TYPES.has(t.toLowerCase()) ? t.toLowerCase() : 'unknown')));
  const out: ListGroupsResponseListedGroup[] = [];
  for (const g of ctx.groups.values()) {
    if (states.size > 0 && !states.has(g.state.toLowerCase())) continue;
    if (types.size > 0 && !types.has(g.type)) continue;
    out.push({ groupId: g.groupId, protocolType: g.protocolType ?? '', groupState: g.state, groupType: g.type });
  }
  const other = ctx.otherGroups();
  if (other !== null) out.push(...other.list(states, types));
  return out;
}

export function deleteGroups(ctx: GroupCoordinatorContext, groupIds: readonly string[]): DeleteGroupsResponseDeletableGroupResult[] {
  return groupIds.map((groupId) => {
    const group = ctx.groups.get(groupId);
    if (ctx.closed()) return { groupId, errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, errorMessage: null };
    const other = group ? null : (ctx.otherGroups()?.delete(groupId) ?? null);
    if (other !== null) return { groupId, errorCode: other, errorMessage: null };
    if (!group || group.is(ClassicGroupState.DEAD)) return { groupId, errorCode: ErrorCode.GROUP_ID_NOT_FOUND, errorMessage: null };
    if (!group.isEmpty) return { groupId, errorCode: ErrorCode.NON_EMPTY_GROUP, errorMessage: null };
    const records: CoordinatorRecord[] = [];
    for (const [topic, partition] of [...ctx.offsets.entries(groupId)]) {
      records.push(offsetCommitRecord({ group: groupId, topic, partition }, null));
      ctx.offsets.delete(groupId, topic, partition);
    }
    const offsetCount = records.length;
    ctx.txnOffsets.dropGroup(groupId);
    if (group.type !== 'classic') records.push(...group.deletionRecords());
    else records.push(groupMetadataRecord(groupId, null));
    ctx.log.append(groupId, records);
    ctx.removeGroup(group);
    ctx.logger.info(`group ${groupId} deleted with ${offsetCount} committed offsets`);
    return { groupId, errorCode: ErrorCode.NONE, errorMessage: null };
  });
}
