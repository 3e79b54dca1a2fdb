/**
 * FindCoordinator (key 10), v0-6. Group keys (type 0) are answered with the leader of the
 * group's __consumer_offsets partition (created on first use), transaction keys (type 1) with
 * the leader of the key's __transaction_state partition (created on first use, with
 * transaction.state.log.num.partitions partitions). v4+ batches keys (coordinatorKeys) and answers per key.
 *
 * Versions: v0-3 carry one key and a top-level error; v1-3 add errorMessage, which Kafka fills
 * even on success (with "NONE", Errors.NONE.message()), so we do too.
 *
 * Deviations from Kafka: share-group keys (type 2) get INVALID_REQUEST, as on a Kafka without a
 * share coordinator; a missing __consumer_offsets or __transaction_state is created at once rather than
 * answering COORDINATOR_NOT_AVAILABLE while it is created.
 */
import { FindCoordinatorApi, defaultFindCoordinatorResponse } from '../../protocol/messages/find-coordinator.js';
import type { FindCoordinatorResponse } from '../../protocol/messages/find-coordinator.js';
import { ErrorCode, errorInfo } from '../../protocol/errors.js';
import { defineHandler } from './handler.js';
import { AclOperation, ResourceType, authorize } from './authorize.js';
import type { RequestContext } from './handler.js';
import { nodeOnListener } from '../cluster/cluster.js';
import type { BrokerNode } from '../cluster/cluster.js';

const KeyType = { GROUP: 0, TRANSACTION: 1 } as const;

interface Lookup {
  readonly errorCode: number;
  readonly node: BrokerNode | null;
}

function lookup(ctx: RequestContext, keyType: number, key: string): Lookup {
  let node: BrokerNode | null;
  // KafkaApis.getCoordinator: DESCRIBE on the group or the transactional id.
  if (keyType === KeyType.GROUP && !authorize(ctx, AclOperation.DESCRIBE, ResourceType.GROUP, key)) return { errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED, node: null };
  if (keyType === KeyType.TRANSACTION && !authorize(ctx, AclOperation.DESCRIBE, ResourceType.TRANSACTIONAL_ID, key)) {
    return { errorCode: ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED, node: null };
  }
  if (keyType === KeyType.GROUP) {
    node = ctx.groups.coordinatorFor(key);
  } else if (keyType === KeyType.TRANSACTION) {
    node = ctx.txns.coordinatorFor(key);
  } else {
    return { errorCode: ErrorCode.INVALID_REQUEST, node: null };
  }
  // The coordinator at its endpoint on the client's listener; without one it is not available to this client.
  const reachable = node ? nodeOnListener(node, ctx.connection.listenerName) : null;
  return reachable ? { errorCode: ErrorCode.NONE, node: reachable } : { errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, node: null };
}

function oldResponse(errorCode: number, node: BrokerNode | null): FindCoordinatorResponse {
  return {
    ...defaultFindCoordinatorResponse(),
    errorCode,
    errorMessage: errorCode === ErrorCode.NONE ? 'NONE' : errorInfo(errorCode).message,
    nodeId: node?.nodeId ?? -1,
    host: node?.host ?? '',
    port: node?.port ?? -1,
  };
}

export const findCoordinatorHandler = defineHandler(FindCoordinatorApi, {
  handle(ctx, req) {
    if (ctx.apiVersion < 4) {
      const { errorCode, node } = lookup(ctx, req.keyType, req.key);
      return oldResponse(errorCode, node);
    }
    return {
      ...defaultFindCoordinatorResponse(),
      coordinators: req.coordinatorKeys.map((key) => {
        const { errorCode, node } = lookup(ctx, req.keyType, key);
        return { key, nodeId: node?.nodeId ?? -1, host: node?.host ?? '', port: node?.port ?? -1, errorCode, errorMessage: null };
      }),
    };
  },
  errorResponse(ctx, req, code) {
    if (ctx.apiVersion < 4) return oldResponse(code, null);
    return {
      ...defaultFindCoordinatorResponse(),
      coordinators: req.coordinatorKeys.map((key) => ({ key, nodeId: -1, host: '', port: -1, errorCode: code, errorMessage: errorInfo(code).message })),
    };
  },
});
