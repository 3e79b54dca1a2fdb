/**
 * What the share-group suites with real clients do before the clients start: set a share group's
 * GROUP configs (share.auto.offset.reset=earliest, so that records produced before the group
 * exists are delivered) and fill a topic with numbered records "r0".."rN-1", in batches spread
 * round-robin over the partitions.
 */
import type { WireClient } from './wire-client.js';
import { produceOne } from './data-path.js';
import { IncrementalAlterConfigsApi } from '../../src/protocol/messages/index.js';
import { buildBatchSync } from '../../src/protocol/records/index.js';

const GROUP_RESOURCE = 32;

/** IncrementalAlterConfigs (SET) on the GROUP resource; resolves with the error code. */
export async function setGroupConfigs(c: WireClient, groupId: string, configs: Record<string, string>): Promise<number> {
  const resp = await c.request(IncrementalAlterConfigsApi, 1, {
    resources: [{ resourceType: GROUP_RESOURCE, resourceName: groupId, configs: Object.entries(configs).map(([name, value]) => ({ name, configOperation: 0, value })) }],
    validateOnly: false,
  });
  return resp.responses[0]!.errorCode;
}

/** Produces `total` records in batches of `perBatch`, batch i to partition i % partitions. */
export async function produceNumbered(c: WireClient, topic: string, partitions: number, total: number, perBatch = 500): Promise<void> {
  for (let i = 0; i < total; i += perBatch) {
    const n = Math.min(perBatch, total - i);
    const batch = buildBatchSync(Array.from({ length: n }, (_, k) => ({ key: null, value: Buffer.from(`r${i + k}`) })));
    const r = await produceOne(c, topic, batch, { partition: (i / perBatch) % partitions });
    if (r.errorCode !== 0) throw new Error(`produce failed: ${r.errorCode}`);
  }
}
