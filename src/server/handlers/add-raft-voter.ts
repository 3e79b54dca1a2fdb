/**
 * AddRaftVoter (key 80), v0-1: KIP-853's adding of a controller to a dynamic
 * quorum (`kafka-metadata-quorum.sh add-controller`). minikafka's quorum is its one controller
 * and cannot grow, so every request is refused, as Kafka 4.4 refuses them (checked against it, in
 * KafkaRaftClient's order): another cluster's id, INCONSISTENT_CLUSTER_ID; no endpoint on the
 * controller listener, INVALID_REQUEST naming the endpoints given; the id of a voter,
 * DUPLICATE_VOTER; otherwise Kafka first asks the new voter for its ApiVersions, and a voter that
 * does not answer is REQUEST_TIMED_OUT with Kafka's text (its "for since" included). minikafka
 * answers that last one at once, as if the new controller were unreachable (DEVIATIONS.md).
 *
 * ACLs: ALTER on the cluster. Refused: CLUSTER_AUTHORIZATION_FAILED with the error's own text, "Cluster
 * authorization failed." (checked against Kafka 4.4 under its StandardAuthorizer).
 */
import { AddRaftVoterApi } from '../../protocol/messages/add-raft-voter.js';
import type { AddRaftVoterRequestListener } from '../../protocol/messages/add-raft-voter.js';
import { ErrorCode } from '../../protocol/errors.js';
import { defineHandler } from './handler.js';
import { AclOperation, clusterAuthorizationFailed, requireClusterOperation } from './authorize.js';
import { clusterIdMismatch, replicaKey, voterSet } from './raft-voters-support.js';
import type { RaftAnswer } from './raft-voters-support.js';

const CONTROLLER_LISTENER = 'CONTROLLER';

/** Kafka's Endpoints.toString: listener names to unresolved socket addresses. */
function endpoints(listeners: readonly AddRaftVoterRequestListener[]): string {
  return `Endpoints(endpoints={${listeners.map((l) => `ListenerName(${l.name})=${l.host}/<unresolved>:${l.port}`).join(', ')}})`;
}

export const addRaftVoterHandler = requireClusterOperation(AclOperation.ALTER, defineHandler(AddRaftVoterApi, {
  handle(ctx, req) {
    const answer = ((): RaftAnswer => {
      const mismatch = clusterIdMismatch(ctx, req.clusterId);
      if (mismatch !== null) return mismatch;
      if (!req.listeners.some((l) => l.name === CONTROLLER_LISTENER)) {
        return { errorCode: ErrorCode.INVALID_REQUEST, errorMessage: `Add voter request didn't include the endpoint (${endpoints(req.listeners)}) for the default listener ListenerName(${CONTROLLER_LISTENER})` };
      }
      if (req.voterId === ctx.cluster.controllerId) {
        return { errorCode: ErrorCode.DUPLICATE_VOTER, errorMessage: `The voter id for ${replicaKey(req.voterId, req.voterDirectoryId)} is already part of the set of voters ${voterSet(ctx)}.` };
      }
      return { errorCode: ErrorCode.REQUEST_TIMED_OUT, errorMessage: 'Aborted add voter operation for since API_VERSIONS returned an error BROKER_NOT_AVAILABLE' };
    })();
    return { throttleTimeMs: 0, ...answer };
  },
  errorResponse(_ctx, _req, code, message = null) {
    return { throttleTimeMs: 0, errorCode: code, errorMessage: message };
  },
}), clusterAuthorizationFailed);
