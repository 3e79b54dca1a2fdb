/**
 * The cluster-wide settings a reset puts back as at start (see reset.ts for topics, groups and
 * transactions): dynamic broker configs (AlterConfigs on a broker or the cluster default), client
 * quotas, client metrics subscriptions, GROUP config overrides, feature levels (UpdateFeatures)
 * and the telemetry clients pushed. Taken when the control plane is made, after the broker
 * started, so what the broker was started with stays. Each but the telemetry can also be captured
 * as it is now, for a named snapshot (restorable.ts).
 */
import type { Cluster } from '../cluster/cluster.js';
import { checkedState, watchedState } from './restorable.js';
import type { Restorable } from './restorable.js';

export function clusterSettings(cluster: Cluster, nodeIds: readonly number[]): Restorable[] {
  const configs = cluster.configs;
  const startDefault = new Map(configs.dynamicConfigs(null));
  const sameAsStart = (m: ReadonlyMap<string, string>) => m.size === startDefault.size && [...m].every(([k, v]) => startDefault.get(k) === v);
  const quotas = cluster.quotas;
  const metrics = cluster.clientMetrics;
  const groupConfigs = cluster.groupConfigs;
  const features = cluster.features;
  return [
    checkedState(
      'dynamic broker configs',
      () => !sameAsStart(configs.dynamicConfigs(null)) || nodeIds.some((id) => configs.dynamicConfigs(id).size > 0),
      () => {
        for (const id of nodeIds) if (configs.dynamicConfigs(id).size > 0) configs.setDynamicConfigs(id, new Map());
        if (!sameAsStart(configs.dynamicConfigs(null))) configs.setDynamicConfigs(null, startDefault);
      },
      () => {
        const taken = [null, ...nodeIds].map((id) => [id, new Map(configs.dynamicConfigs(id))] as const);
        return () => {
          for (const [id, m] of taken) configs.setDynamicConfigs(id, new Map(m));
        };
      },
    ),
    watchedState(
      'client quotas',
      (fn) => quotas.onChange(fn),
      () => quotas.all(),
      (start) => {
        const removals = quotas.all().map((q) => ({ entity: q.entity, ops: q.values.map((v) => ({ key: v.key, value: null })) }));
        // Every entity here was validated when it was stored: nothing to resolve again.
        quotas.alter(removals, false, () => true);
        quotas.load(start);
      },
    ),
    // No option starts a broker with subscriptions or group overrides: at start there are none.
    checkedState(
      'client metrics subscriptions',
      () => metrics.names().length > 0,
      () => {
        for (const name of metrics.names()) metrics.alter(name, { replace: new Map() }, false);
      },
      () => {
        const taken = metrics.names().map((name) => [name, metrics.configsOf(name)] as const);
        return () => {
          for (const name of metrics.names()) metrics.alter(name, { replace: new Map() }, false);
          for (const [name, m] of taken) metrics.alter(name, { replace: m }, false);
        };
      },
    ),
    checkedState(
      'group configs',
      () => groupConfigs.names().length > 0,
      () => {
        for (const g of groupConfigs.names()) groupConfigs.restore(g, new Map());
      },
      () => {
        const taken = groupConfigs.names().map((g) => [g, new Map(groupConfigs.overrides(g))] as const);
        return () => {
          for (const g of groupConfigs.names()) groupConfigs.restore(g, new Map());
          for (const [g, m] of taken) groupConfigs.restore(g, m);
        };
      },
    ),
    watchedState(
      'feature levels',
      (fn) => features.onChange(fn),
      () => features.snapshot(),
      (start) => features.restore(start),
    ),
    { what: 'pushed telemetry', restore: () => cluster.telemetry.clearReceived() > 0 },
  ];
}
