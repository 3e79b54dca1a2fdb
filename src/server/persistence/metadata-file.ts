/**
 * `minikafka-metadata.json` in the data directory root: what Kafka keeps in its KRaft metadata
 * log (__cluster_metadata) and meta.properties, as one small JSON document that is replaced
 * whole and atomically (tmp, fsync, rename, fsync dir) on every change, before the change is
 * answered:
 *
 *   {
 *     "version": 1,
 *     "clusterId": "minikafka-cluster-01",      // informational
 *     "nodeId": 1,                              // informational
 *     "topics": [
 *       { "name": "orders", "id": "<22-char topic id>", "partitions": 3,
 *         "configs": { "cleanup.policy": "compact" } }    // topic overrides only
 *     ],
 *     "brokerConfigs": {                        // dynamic broker configs (AlterConfigs)
 *       "cluster": { "log.retention.ms": "60000" },   // cluster-wide default resource
 *       "nodes": { "1": { ... } }               // per broker id
 *     },
 *     "producerIdBlockEnd": 2000,               // producer ids below it may have been handed out
 *     "clientQuotas": [                         // AlterClientQuotas; entityName null = default
 *       { "entity": [{ "entityType": "user", "entityName": "alice" }],
 *         "values": [{ "key": "producer_byte_rate", "value": 1048576 }] }
 *     ],
 *     "sections": {                             // state other layers save (StateSection):
 *       "acls": [ ... ], "scramCredentials": [ ... ]   // see security/persisted-state.ts
 *     }
 *   }
 *
 * Kafka writes a record per change to a replicated log; a dev broker's metadata is small enough
 * that rewriting it whole costs less than keeping a log of it.
 */
import { joinPath, writeFileAtomic } from '../../log/disk/file-system.js';
import type { FileSystem } from '../../log/disk/file-system.js';
import type { DescribedQuota, QuotaEntityPart } from '../cluster/quotas/client-quotas.js';

export const METADATA_FILE = 'minikafka-metadata.json';
const VERSION = 1;

export interface TopicRecord {
  readonly name: string;
  readonly id: string;
  readonly partitions: number;
  readonly configs: Readonly<Record<string, string>>;
}

export interface ClusterMetadata {
  readonly version: number;
  readonly clusterId: string;
  readonly nodeId: number;
  readonly topics: readonly TopicRecord[];
  readonly brokerConfigs: {
    readonly cluster: Readonly<Record<string, string>>;
    readonly nodes: Readonly<Record<string, Readonly<Record<string, string>>>>;
  };
  readonly producerIdBlockEnd: number;
  /** Absent in files written before quotas were kept. */
  readonly clientQuotas?: readonly DescribedQuota[];
  /** GROUP config overrides by group id; absent in files written before they were kept. */
  readonly groupConfigs?: Readonly<Record<string, Readonly<Record<string, string>>>>;
  /** Named sections saved by other layers (security's ACLs and SCRAM credentials). */
  readonly sections?: Readonly<Record<string, unknown>>;
}

/** State another layer keeps in the metadata file: saved on each change, loaded at recovery. */
export interface StateSection {
  readonly name: string;
  save(): unknown;
  load(data: unknown): void;
  onChange(listener: () => void): () => void;
}

export class MetadataFileError extends Error {
  override readonly name = 'MetadataFileError';
}

export function readMetadataFile(fs: FileSystem, dir: string): ClusterMetadata | null {
  const buf = fs.readFile(joinPath(dir, METADATA_FILE));
  if (buf === null) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(buf.toString('utf8'));
  } catch (e) {
    // Written atomically, so a bad file is not a crash's doing: refuse rather than start empty.
    throw new MetadataFileError(`${joinPath(dir, METADATA_FILE)} is not valid JSON (${(e as Error).message}); fix or remove it`);
  }
  const m = parsed as Partial<ClusterMetadata>;
  if (m.version !== VERSION || !Array.isArray(m.topics)) throw new MetadataFileError(`${joinPath(dir, METADATA_FILE)}: unsupported version ${String(m.version)}`);
  return {
    version: VERSION,
    clusterId: String(m.clusterId ?? ''),
    nodeId: Number(m.nodeId ?? 1),
    topics: m.topics.map((t) => ({ name: String(t.name), id: String(t.id), partitions: Number(t.partitions), configs: { ...(t.configs ?? {}) } })),
    brokerConfigs: { cluster: { ...(m.brokerConfigs?.cluster ?? {}) }, nodes: { ...(m.brokerConfigs?.nodes ?? {}) } },
    producerIdBlockEnd: Number(m.producerIdBlockEnd ?? 0),
    clientQuotas: (Array.isArray(m.clientQuotas) ? m.clientQuotas : []).map((q) => ({
      entity: (q.entity ?? []).map((p: Partial<QuotaEntityPart>) => ({ entityType: String(p.entityType), entityName: p.entityName == null ? null : String(p.entityName) })),
      values: (q.values ?? []).map((v: Partial<{ key: string; value: number }>) => ({ key: String(v.key), value: Number(v.value) })),
    })),
    groupConfigs: Object.fromEntries(Object.entries(m.groupConfigs ?? {}).map(([g, c]) => [g, Object.fromEntries(Object.entries(c ?? {}).map(([k, v]) => [k, String(v)]))])),
    sections: m.sections !== null && typeof m.sections === 'object' ? { ...m.sections } : {},
  };
}

export function writeMetadataFile(fs: FileSystem, dir: string, m: Omit<ClusterMetadata, 'version'>): void {
  writeFileAtomic(fs, joinPath(dir, METADATA_FILE), Buffer.from(JSON.stringify({ version: VERSION, ...m }, null, 2) + '\n'));
}
