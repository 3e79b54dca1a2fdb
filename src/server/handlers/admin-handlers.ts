/** Handlers of cluster metadata and topic administration. */
import type { AnyHandler } from '../handler.js';

export const ADMIN_HANDLERS: readonly AnyHandler[] = [];
