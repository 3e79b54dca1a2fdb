/**
 * RemoveRaftVoter (key 81), v0: KIP-853's removal of a controller from a dynamic quorum
 * (`kafka-metadata-quorum.sh remove-controller`). Checked against Kafka 4.4: another cluster's id
 * is INCONSISTENT_CLUSTER_ID; a negative id or the zero directory id INVALID_REQUEST; every other
 * voter key VOTER_NOT_FOUND, the quorum's only voter included (Kafka will not remove the last one,
 * and answers so with the same text).
 *
 * ACLs: ALTER on the cluster. Refused: CLUSTER_AUTHORIZATION_FAILED with the error's own text, "Cluster
 * authorization failed." (checked against Kafka 4.4 under its StandardAuthorizer).
 */
import { RemoveRaftVoterApi } from '../../protocol/messages/remove-raft-voter.js';
import { ErrorCode } from '../../protocol/errors.js';
import { ZERO_UUID } from '../../protocol/uuid.js';
import { defineHandler } from './handler.js';
import { AclOperation, clusterAuthorizationFailed, requireClusterOperation } from './authorize.js';
import { clusterIdMismatch, replicaKey, voterSet } from './raft-voters-support.js';
import type { RaftAnswer } from './raft-voters-support.js';

export const removeRaftVoterHandler = requireClusterOperation(AclOperation.ALTER, defineHandler(RemoveRaftVoterApi, {
  handle(ctx, req) {
    const answer = ((): RaftAnswer => {
      const mismatch = clusterIdMismatch(ctx, req.clusterId);
      if (mismatch !== null) return mismatch;
      if (req.voterId < 0 || req.voterDirectoryId === ZERO_UUID) return { errorCode: ErrorCode.INVALID_REQUEST, errorMessage: "Remove voter request didn't include a valid voter" };
      return { errorCode: ErrorCode.VOTER_NOT_FOUND, errorMessage: `Cannot remove voter ${replicaKey(req.voterId, req.voterDirectoryId)} from the set of voters ${voterSet(ctx)}` };
    })();
    return { throttleTimeMs: 0, ...answer };
  },
  errorResponse(_ctx, _req, code, message = null) {
    return { throttleTimeMs: 0, errorCode: code, errorMessage: message };
  },
}), clusterAuthorizationFailed);
