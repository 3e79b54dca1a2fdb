/** Handlers of cluster metadata and topic administration. */
import type { AnyHandler } from './handler.js';
import { metadataHandler } from './metadata.js';
import { createTopicsHandler } from './create-topics.js';
import { deleteTopicsHandler } from './delete-topics.js';
import { createPartitionsHandler } from './create-partitions.js';
import { describeClusterHandler } from './describe-cluster.js';
import { describeTopicPartitionsHandler } from './describe-topic-partitions.js';
import { describeLogDirsHandler } from './describe-log-dirs.js';

export const ADMIN_HANDLERS: readonly AnyHandler[] = [
  metadataHandler,
  createTopicsHandler,
  deleteTopicsHandler,
  createPartitionsHandler,
  describeClusterHandler,
  describeTopicPartitionsHandler,
  describeLogDirsHandler,
];
