/**
 * UnregisterController (key 94), v0. Checked against Kafka 4.4: the quorum's active controller
 * refuses to unregister itself, INVALID_REQUEST "Controller cannot unregister itself while it is
 * active."; any other id is CONTROLLER_ID_NOT_REGISTERED "Controller ID N is not currently
 * registered." (minikafka's only controller is the active one).
 *
 * ACLs: ALTER on the cluster.
 * Refused: CLUSTER_AUTHORIZATION_FAILED "Request <the request> needs ALTER permission." (the
 * controller's authorizeClusterOperation; checked against Kafka 4.4 under its StandardAuthorizer).
 */
import { UnregisterControllerApi } from '../../protocol/messages/unregister-controller.js';
import { ErrorCode } from '../../protocol/errors.js';
import { defineHandler } from './handler.js';
import { AclOperation, clusterPermissionMessage, requireClusterOperation } from './authorize.js';

export const unregisterControllerHandler = requireClusterOperation(AclOperation.ALTER, defineHandler(UnregisterControllerApi, {
  handle(ctx, req) {
    if (req.controllerId === ctx.cluster.controllerId) return { throttleTimeMs: 0, errorCode: ErrorCode.INVALID_REQUEST, errorMessage: 'Controller cannot unregister itself while it is active.' };
    return { throttleTimeMs: 0, errorCode: ErrorCode.CONTROLLER_ID_NOT_REGISTERED, errorMessage: `Controller ID ${req.controllerId} is not currently registered.` };
  },
  errorResponse(_ctx, _req, code, message = null) {
    return { throttleTimeMs: 0, errorCode: code, errorMessage: message };
  },
}), clusterPermissionMessage);
