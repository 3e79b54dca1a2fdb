/**
 * The handler registry: one module per API. ApiVersions is derived from this map, so adding a
 * handler here is what makes the broker advertise and serve an API.
 */
import type { AnyHandler, Handler } from '../handler.js';
import { apiVersionsHandler } from './api-versions.js';

const ALL: readonly AnyHandler[] = [apiVersionsHandler];

export function handlerRegistry(): Map<number, Handler> {
  return new Map(ALL.map((h) => [h.api.apiKey, h as Handler]));
}
