// Share groups in durable mode: the CLI with --data-dir is killed with SIGKILL while a share
// consumer holds acquired records; after the restart on the same directory (state read back from
// __share_group_state), the acknowledged records are not delivered again and the acquired but
// unacknowledged ones are; the group's GROUP configs come back too.
import t from 'tap';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WireClient } from '../helpers/wire-client.js';
import { killChild, startCliBroker } from '../helpers/cli-broker.js';
import { produceOne } from '../helpers/data-path.js';
import { ErrorCode } from '../../src/protocol/errors.js';
import { DescribeConfigsApi, IncrementalAlterConfigsApi, MetadataApi, ShareAcknowledgeApi, ShareFetchApi, ShareGroupHeartbeatApi } from '../../src/protocol/messages/index.js';
import type { ShareFetchResponse } from '../../src/protocol/messages/index.js';
import { buildBatchSync } from '../../src/protocol/records/index.js';
import { ZERO_UUID } from '../../src/protocol/uuid.js';


const startBroker = (dir: string) => startCliBroker(dir, ['--topic', 'q:1']);
const kill = killChild;

async function topicId(c: WireClient): Promise<string> {
  const m = await c.request(MetadataApi, 12, { topics: [{ topicId: ZERO_UUID, name: 'q' }], allowAutoTopicCreation: false, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false });
  return m.topics[0]!.topicId;
}

function fetch(c: WireClient, id: string, memberId: string, epoch: number): Promise<ShareFetchResponse> {
  return c.request(ShareFetchApi, 1, {
    groupId: 'sg',
    memberId,
    shareSessionEpoch: epoch,
    maxWaitMs: 0,
    minBytes: 1,
    maxBytes: 1 << 20,
    maxRecords: 500,
    batchSize: 500,
    shareAcquireMode: 0,
    isRenewAck: false,
    topics: [{ topicId: id, partitions: [{ partitionIndex: 0, partitionMaxBytes: 0, acknowledgementBatches: [] }] }],
    forgottenTopicsData: [],
  });
}

function acquired(r: ShareFetchResponse): [number, number][] {
  return r.responses.flatMap((tp) => tp.partitions).flatMap((p) => p.acquiredRecords.map((a) => [Number(a.firstOffset), Number(a.lastOffset)] as [number, number]));
}

t.test('SIGKILL while records are acquired: acknowledged ones stay done, unacknowledged ones come back', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'minikafka-share-durable-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));

  let broker = await startBroker(dir);
  let c = await WireClient.connect(broker.bootstrap);
  const id = await topicId(c);
  const cfg = await c.request(IncrementalAlterConfigsApi, 1, { resources: [{ resourceType: 32, resourceName: 'sg', configs: [{ name: 'share.auto.offset.reset', configOperation: 0, value: 'earliest' }] }], validateOnly: false });
  t.equal(cfg.responses[0]!.errorCode, ErrorCode.NONE);
  t.equal((await produceOne(c, 'q', buildBatchSync(Array.from({ length: 10 }, (_, i) => ({ value: Buffer.from(`v${i}`) }))))).errorCode, ErrorCode.NONE);
  await c.request(ShareGroupHeartbeatApi, 1, { groupId: 'sg', memberId: 'before', memberEpoch: 0, rackId: null, subscribedTopicNames: ['q'] });
  t.strictSame(acquired(await fetch(c, id, 'before', 0)), [[0, 9]]);
  const ack = await c.request(ShareAcknowledgeApi, 1, { groupId: 'sg', memberId: 'before', shareSessionEpoch: 1, isRenewAck: false, topics: [{ topicId: id, partitions: [{ partitionIndex: 0, acknowledgementBatches: [{ firstOffset: 0n, lastOffset: 4n, acknowledgeTypes: [1] }] }] }] });
  t.equal(ack.responses[0]!.partitions[0]!.errorCode, ErrorCode.NONE, 'offsets 0-4 accepted; 5-9 still acquired');
  c.close();
  await kill(broker.child);

  broker = await startBroker(dir);
  t.teardown(() => kill(broker.child));
  c = await WireClient.connect(broker.bootstrap);
  t.teardown(() => c.close());
  await c.request(ShareGroupHeartbeatApi, 1, { groupId: 'sg', memberId: 'after', memberEpoch: 0, rackId: null, subscribedTopicNames: ['q'] });
  const again = await fetch(c, id, 'after', 0);
  t.equal(again.errorCode, ErrorCode.NONE);
  t.strictSame(acquired(again), [[5, 9]], 'only the unacknowledged records are delivered again');
  t.strictSame(acquired(await fetch(c, id, 'after', 1)), [], 'nothing else');
  const described = await c.request(DescribeConfigsApi, 4, { resources: [{ resourceType: 32, resourceName: 'sg', configurationKeys: ['share.auto.offset.reset'] }], includeSynonyms: false, includeDocumentation: false });
  t.hasStrict(described.results[0]!.configs, [{ name: 'share.auto.offset.reset', value: 'earliest', configSource: 8 }], 'the GROUP config came back');
});
