/** Handlers of share groups (KIP-932): membership, the share data path, and the offset admin APIs. */
import type { AnyHandler } from './handler.js';
import { shareGroupHeartbeatHandler } from './share-group-heartbeat.js';
import { shareGroupDescribeHandler } from './share-group-describe.js';
import { shareFetchHandler } from './share-fetch.js';
import { shareAcknowledgeHandler } from './share-acknowledge.js';
import { describeShareGroupOffsetsHandler } from './describe-share-group-offsets.js';
import { alterShareGroupOffsetsHandler } from './alter-share-group-offsets.js';
import { deleteShareGroupOffsetsHandler } from './delete-share-group-offsets.js';

export const SHARE_HANDLERS: readonly AnyHandler[] = [
  shareGroupHeartbeatHandler,
  shareGroupDescribeHandler,
  shareFetchHandler,
  shareAcknowledgeHandler,
  describeShareGroupOffsetsHandler,
  alterShareGroupOffsetsHandler,
  deleteShareGroupOffsetsHandler,
];
