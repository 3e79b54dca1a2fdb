/** Handlers of the data path: produce, fetch, offsets. */
import type { AnyHandler } from '../handler.js';

export const DATA_HANDLERS: readonly AnyHandler[] = [];
