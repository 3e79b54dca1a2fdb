/** Handlers of the group coordinator: coordinator lookup, classic, consumer (KIP-848) and streams (KIP-1071) groups, committed offsets. */
import type { AnyHandler } from './handler.js';
import { findCoordinatorHandler } from './find-coordinator.js';
import { joinGroupHandler } from './join-group.js';
import { syncGroupHandler } from './sync-group.js';
import { heartbeatHandler } from './heartbeat.js';
import { leaveGroupHandler } from './leave-group.js';
import { describeGroupsHandler } from './describe-groups.js';
import { listGroupsHandler } from './list-groups.js';
import { deleteGroupsHandler } from './delete-groups.js';
import { offsetCommitHandler } from './offset-commit.js';
import { offsetFetchHandler } from './offset-fetch.js';
import { offsetDeleteHandler } from './offset-delete.js';
import { consumerGroupHeartbeatHandler } from './consumer-group-heartbeat.js';
import { consumerGroupDescribeHandler } from './consumer-group-describe.js';
import { streamsGroupHeartbeatHandler } from './streams-group-heartbeat.js';
import { streamsGroupDescribeHandler } from './streams-group-describe.js';
import { streamsGroupTopologyDescriptionUpdateHandler } from './streams-group-topology-description-update.js';

export const GROUP_HANDLERS: readonly AnyHandler[] = [
  findCoordinatorHandler,
  joinGroupHandler,
  syncGroupHandler,
  heartbeatHandler,
  leaveGroupHandler,
  describeGroupsHandler,
  listGroupsHandler,
  deleteGroupsHandler,
  offsetCommitHandler,
  offsetFetchHandler,
  offsetDeleteHandler,
  consumerGroupHeartbeatHandler,
  consumerGroupDescribeHandler,
  streamsGroupHeartbeatHandler,
  streamsGroupDescribeHandler,
  streamsGroupTopologyDescriptionUpdateHandler,
];
