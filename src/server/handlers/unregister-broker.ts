/**
 * UnregisterBroker (key 64), v0 (`kafka-cluster.sh unregister`). Checked against Kafka 4.4: an id
 * that is not a registered broker is BROKER_ID_NOT_REGISTERED "Broker ID N is not currently
 * registered"; a registered one is NONE with an empty message. Kafka then drops the registration
 * and a live broker registers again with its next heartbeat; minikafka's brokers are registered
 * for as long as they run, so a live one is answered NONE and stays (the re-registration, at once).
 *
 * ACLs: ALTER on the cluster (ClusterControlManager's check in the controller).
 * Refused: CLUSTER_AUTHORIZATION_FAILED "Request <the request> needs ALTER permission." (the
 * controller's authorizeClusterOperation; checked against Kafka 4.4 under its StandardAuthorizer).
 */
import { UnregisterBrokerApi } from '../../protocol/messages/unregister-broker.js';
import { ErrorCode } from '../../protocol/errors.js';
import { defineHandler } from './handler.js';
import { AclOperation, clusterPermissionMessage, requireClusterOperation } from './authorize.js';

export const unregisterBrokerHandler = requireClusterOperation(AclOperation.ALTER, defineHandler(UnregisterBrokerApi, {
  handle(ctx, req) {
    if (ctx.cluster.brokers.some((b) => b.nodeId === req.brokerId)) return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, errorMessage: '' };
    return { throttleTimeMs: 0, errorCode: ErrorCode.BROKER_ID_NOT_REGISTERED, errorMessage: `Broker ID ${req.brokerId} is not currently registered` };
  },
  errorResponse(_ctx, _req, code, message = null) {
    return { throttleTimeMs: 0, errorCode: code, errorMessage: message };
  },
}), clusterPermissionMessage);
