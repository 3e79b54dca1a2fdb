/** Handlers of the data path: produce, fetch, offsets. */
import type { AnyHandler } from './handler.js';
import { produceHandler } from './produce.js';
import { fetchHandler } from './fetch.js';
import { listOffsetsHandler } from './list-offsets.js';
import { offsetForLeaderEpochHandler } from './offset-for-leader-epoch.js';
import { initProducerIdHandler } from './init-producer-id.js';

export const DATA_HANDLERS: readonly AnyHandler[] = [
  produceHandler,
  fetchHandler,
  listOffsetsHandler,
  offsetForLeaderEpochHandler,
  initProducerIdHandler,
];
