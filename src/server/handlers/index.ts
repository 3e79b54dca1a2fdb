/**
 * The handler registry: one module per API, grouped by family. ApiVersions is derived from this
 * map, so adding a handler to a family list is what makes the broker advertise and serve an API.
 */
import type { AnyHandler, Handler } from './handler.js';
import type { ApiVersionsResponseApiVersion } from '../../protocol/messages/api-versions.js';
import { apiVersionsHandler } from './api-versions.js';
import { DATA_HANDLERS } from './data-handlers.js';
import { ADMIN_HANDLERS } from './admin-handlers.js';
import { GROUP_HANDLERS } from './group-handlers.js';
import { CONFIG_HANDLERS } from './config-handlers.js';
import { TXN_HANDLERS } from './txn-handlers.js';
import { SECURITY_HANDLERS } from './security-handlers.js';
import { CLUSTER_OPS_HANDLERS } from './cluster-ops-handlers.js';
import { SHARE_HANDLERS } from './share-handlers.js';

const ALL: readonly AnyHandler[] = [apiVersionsHandler, ...DATA_HANDLERS, ...ADMIN_HANDLERS, ...GROUP_HANDLERS, ...CONFIG_HANDLERS, ...TXN_HANDLERS, ...SECURITY_HANDLERS, ...CLUSTER_OPS_HANDLERS, ...SHARE_HANDLERS];

export function handlerRegistry(): Map<number, Handler> {
  const map = new Map<number, Handler>();
  for (const h of ALL) {
    if (map.has(h.api.apiKey)) throw new Error(`two handlers for API ${h.api.name}`);
    map.set(h.api.apiKey, h as Handler);
  }
  return map;
}

/** The ApiVersions list of a registry: derived from the handlers, so it is exactly what is served. */
export function advertisedApis(handlers: ReadonlyMap<number, Handler>, ranges: ReadonlyMap<number, { readonly min: number; readonly max: number }> | null = null): ApiVersionsResponseApiVersion[] {
  const out: ApiVersionsResponseApiVersion[] = [];
  for (const h of [...handlers.values()].sort((a, b) => a.api.apiKey - b.api.apiKey)) {
    let minVersion = h.advertisedMinVersion ?? h.minVersion ?? h.api.minVersion;
    let maxVersion = h.maxVersion ?? h.api.maxVersion;
    // An emulated older release (--as-version): only its APIs, within its ranges.
    if (ranges !== null) {
      const r = ranges.get(h.api.apiKey);
      if (r === undefined) continue;
      minVersion = Math.max(minVersion, r.min);
      maxVersion = Math.min(maxVersion, r.max);
      if (minVersion > maxVersion) continue;
    }
    out.push({ apiKey: h.api.apiKey, minVersion, maxVersion });
  }
  return out;
}
