/**
 * JoinGroup (key 11), v0-9: the first half of a classic rebalance; the group logic is in
 * group/classic-group.ts. The response may come much later (when every member has rejoined or the
 * rebalance timeout expires); the connection keeps serving other requests meanwhile.
 *
 * Versions: v4+ answer an unknown member's first join with MEMBER_ID_REQUIRED and its new id
 * (KIP-394); v5+ static membership (group.instance.id); v7+ return the protocol type and name;
 * v9+ may tell a rejoining static leader to skip the assignment (KIP-814). Below v7 the protocol
 * name is a non-null string, so "no protocol" is "" there and null from v7, as Kafka writes it.
 */
import { JoinGroupApi, defaultJoinGroupResponse } from '../../protocol/messages/join-group.js';
import type { JoinGroupResponse } from '../../protocol/messages/join-group.js';
import { ErrorCode } from '../../protocol/errors.js';
import { defineHandler } from './handler.js';
import { AclOperation, ResourceType, authorize } from './authorize.js';
import { clientInfoOf, coordinatesGroup } from './group-support.js';

/** Kafka's JoinGroupResponse constructor rules for the protocol name, plus fields a version lacks. */
export function shapeJoinResponse(resp: JoinGroupResponse, version: number): JoinGroupResponse {
  const out = { ...resp };
  if (version < 7 && out.protocolName === null) out.protocolName = '';
  if (version >= 7 && out.protocolName === '') out.protocolName = null;
  if (version < 9) out.skipAssignment = false;
  return out;
}

export const joinGroupHandler = defineHandler(JoinGroupApi, {
  handle(ctx, req) {
    // KafkaApis: READ on the group.
    if (!authorize(ctx, AclOperation.READ, ResourceType.GROUP, req.groupId)) return shapeJoinResponse({ ...defaultJoinGroupResponse(), memberId: req.memberId, errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED }, ctx.apiVersion);
    if (!coordinatesGroup(ctx, req.groupId)) {
      return shapeJoinResponse({ ...defaultJoinGroupResponse(), memberId: req.memberId, errorCode: ErrorCode.NOT_COORDINATOR }, ctx.apiVersion);
    }
    return ctx.groups
      .joinGroup(req, clientInfoOf(ctx))
      .then((resp) => shapeJoinResponse(resp, ctx.apiVersion));
  },
  errorResponse(ctx, _req, code) {
    return shapeJoinResponse({ ...defaultJoinGroupResponse(), errorCode: code }, ctx.apiVersion);
  },
});
