/**
 * AlterClientQuotas (key 49), v0-1: sets and removes client quotas (ControllerApis →
 * ClientQuotaControlManager.alterClientQuotas). Each entry succeeds or fails alone, with Kafka's
 * INVALID_REQUEST messages (see cluster/quotas/client-quotas.ts): an empty entity, an unknown
 * entity type ("Unhandled client quota entity type: x"), an empty name ("Empty user not
 * supported"), ip combined with user/client-id, an ip that is neither an address nor a host
 * that resolves, a key the entity does not take ("Invalid configuration key x"; ip takes only
 * connection_creation_rate), a value not above 0, a fraction for an integral key, a repeated key
 * or entity ("Ignoring duplicate entity ..."). validateOnly checks and changes nothing. A change
 * applies at once to the quotas enforced (quota managers read the store).
 *
 * An entity that names a type twice is, as in Kafka (the request's parts become a map), the last
 * name of that type: the store keeps that and the answer echoes it. Kafka keys its answers by
 * entity, so an entity given in several entries is answered once (with the last entry's answer,
 * "Ignoring duplicate entity", at the first entry's place).
 *
 * Deviations: entities and their parts in request order (Kafka: hash-map order).
 *
 * ACLs: ALTER_CONFIGS on the cluster, else CLUSTER_AUTHORIZATION_FAILED as the request's error response.
 */
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { AlterClientQuotasApi } from '../../protocol/messages/alter-client-quotas.js';
import type { AlterClientQuotasRequest, AlterClientQuotasResponse } from '../../protocol/messages/alter-client-quotas.js';
import { defineHandler } from './handler.js';
import { AclOperation, requireClusterOperation } from './authorize.js';
import { QuotaEntityType } from '../cluster/quotas/client-quotas.js';

export const alterClientQuotasHandler = requireClusterOperation(AclOperation.ALTER_CONFIGS, defineHandler(AlterClientQuotasApi, {
  async handle(ctx, req): Promise<AlterClientQuotasResponse> {
    // Host names are resolved first (InetAddress.getByName); the store then changes in one turn.
    const resolvable = await resolveHosts(req);
    const alterations = req.entries.map((e) => ({ entity: e.entity, ops: e.ops.map((op) => ({ key: op.key, value: op.remove ? null : op.value })) }));
    const results = ctx.cluster.quotas.alter(alterations, req.validateOnly, (host) => resolvable.has(host));
    return {
      throttleTimeMs: 0,
      entries: onePerEntity(req.entries.map((e, i) => ({ ...results[i]!, entity: lastOfEachType(e.entity) }))),
    };
  },

  errorResponse(_ctx, req, code) {
    return {
      throttleTimeMs: 0,
      entries: onePerEntity(req.entries.map((e) => ({ errorCode: code, errorMessage: null, entity: lastOfEachType(e.entity) }))),
    };
  },
}));

type Answer = AlterClientQuotasResponse['entries'][number];

/** One answer per distinct entity (parts compared in any order): the last one given, at the first one's place. */
function onePerEntity(answers: Answer[]): Answer[] {
  const byEntity = new Map<string, number>();
  const out: Answer[] = [];
  for (const a of answers) {
    const key = a.entity.map((p) => JSON.stringify([p.entityType, p.entityName])).sort().join();
    const at = byEntity.get(key);
    if (at === undefined) {
      byEntity.set(key, out.length);
      out.push(a);
    } else {
      out[at] = { ...a, entity: out[at]!.entity };
    }
  }
  return out;
}

/** The entity's parts with one name per type, the last given (Kafka reads them into a map), in first-seen order. */
function lastOfEachType(parts: AlterClientQuotasRequest['entries'][number]['entity']): { entityType: string; entityName: string | null }[] {
  const byType = new Map<string, string | null>();
  for (const p of parts) byType.set(p.entityType, p.entityName);
  return [...byType].map(([entityType, entityName]) => ({ entityType, entityName }));
}

async function resolveHosts(req: AlterClientQuotasRequest): Promise<Set<string>> {
  const names = new Set<string>();
  for (const e of req.entries) for (const p of e.entity) if (p.entityType === QuotaEntityType.IP && p.entityName) names.add(p.entityName);
  const ok = new Set<string>();
  await Promise.all(
    [...names].map(async (name) => {
      if (isIP(name) !== 0) ok.add(name);
      else if (await lookup(name).then(() => true, () => false)) ok.add(name);
    }),
  );
  return ok;
}
