/**
 * Handlers of cluster operations: features, the metadata quorum, leader elections, reassignments
 * and log directories, delegation tokens, client metrics and telemetry (KIP-714).
 */
import type { AnyHandler } from './handler.js';
import { updateFeaturesHandler } from './update-features.js';
import { describeQuorumHandler } from './describe-quorum.js';
import { electLeadersHandler } from './elect-leaders.js';
import { alterPartitionReassignmentsHandler } from './alter-partition-reassignments.js';
import { listPartitionReassignmentsHandler } from './list-partition-reassignments.js';
import { alterReplicaLogDirsHandler } from './alter-replica-log-dirs.js';
import { createDelegationTokenHandler, describeDelegationTokenHandler, expireDelegationTokenHandler, renewDelegationTokenHandler } from './delegation-tokens.js';
import { getTelemetrySubscriptionsHandler } from './get-telemetry-subscriptions.js';
import { pushTelemetryHandler } from './push-telemetry.js';
import { listConfigResourcesHandler } from './list-config-resources.js';
import { unregisterBrokerHandler } from './unregister-broker.js';
import { unregisterControllerHandler } from './unregister-controller.js';
import { addRaftVoterHandler } from './add-raft-voter.js';
import { removeRaftVoterHandler } from './remove-raft-voter.js';

export const CLUSTER_OPS_HANDLERS: readonly AnyHandler[] = [
  updateFeaturesHandler,
  describeQuorumHandler,
  electLeadersHandler,
  alterPartitionReassignmentsHandler,
  listPartitionReassignmentsHandler,
  alterReplicaLogDirsHandler,
  createDelegationTokenHandler,
  renewDelegationTokenHandler,
  expireDelegationTokenHandler,
  describeDelegationTokenHandler,
  getTelemetrySubscriptionsHandler,
  pushTelemetryHandler,
  listConfigResourcesHandler,
  unregisterBrokerHandler,
  unregisterControllerHandler,
  addRaftVoterHandler,
  removeRaftVoterHandler,
];
