// The CLI with --data-dir, killed with SIGKILL at random points while an idempotent producer
// (acks=all), offset commits and transactions run, and restarted on the same directory, ten
// times. After each restart the producer retries what was in flight with the same producer id
// and sequence, as Kafka's idempotent producer does; at the end every acknowledged record is in
// the log exactly once, the topic, its config and the committed offsets came back, committed
// transactions are visible to read_committed consumers and the ones left open were aborted.
import t from 'tap';
import type { Test } from 'tap';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WireClient } from '../helpers/wire-client.js';
import { killChild, startCliBroker } from '../helpers/cli-broker.js';
import { batchesOf, fetchOne, listOffset, produceRequest } from '../helpers/data-path.js';
import { ErrorCode } from '../../src/protocol/errors.js';
import { addPartitions, committedValues, endTxn, initProducerId, send, transactionalProducer, values } from '../helpers/transactions.js';
import { DescribeConfigsApi, IncrementalAlterConfigsApi, MetadataApi, OffsetCommitApi, OffsetFetchApi, ProduceApi } from '../../src/protocol/messages/index.js';
import { buildBatchSync, iterateRecords } from '../../src/protocol/records/index.js';
import { ZERO_UUID } from '../../src/protocol/uuid.js';

const ROUNDS = 10;

const startBroker = startCliBroker;
const kill = killChild;

interface InFlight {
  readonly partition: number;
  readonly sequence: number;
  readonly ids: string[];
}

/** The idempotent producer: one producer id for the whole test, as a long-lived client keeps it. */
class IdempotentProducer {
  readonly sequences = [0, 0];
  readonly inFlight: (InFlight | null)[] = [null, null];
  readonly acked = new Set<string>();
  constructor(
    readonly producerId: bigint,
    readonly epoch: number,
  ) {}

  /** Resolves with the batch's base offset (its original one, for a duplicate). */
  async send(c: WireClient, b: InFlight): Promise<bigint> {
    this.inFlight[b.partition] = b;
    const records = b.ids.map((id) => ({ key: Buffer.from(id), value: Buffer.from(id), timestamp: Date.now() }));
    const batch = buildBatchSync(records, { producerId: Number(this.producerId), producerEpoch: this.epoch, baseSequence: b.sequence });
    const resp = await c.request(ProduceApi, 9, produceRequest([{ topic: 'events', partition: b.partition, records: batch }], { acks: -1 }));
    const r = resp.responses[0]!.partitionResponses[0]!;
    if (r.errorCode !== 0) throw new Error(`produce error ${r.errorCode}`);
    for (const id of b.ids) this.acked.add(id);
    this.inFlight[b.partition] = null;
    this.sequences[b.partition] = b.sequence + b.ids.length;
    return r.baseOffset;
  }
}

async function readAll(c: WireClient, partition: number, isolationLevel = 0): Promise<{ ids: string[]; lso: bigint; hw: bigint }> {
  const ids: string[] = [];
  let offset = 0;
  let lso = -1n;
  let hw = -1n;
  for (;;) {
    const r = await fetchOne(c, { topic: 'events', partition, offset, partitionMaxBytes: 1 << 20 }, { isolationLevel });
    if (r.errorCode !== 0) throw new Error(`fetch error ${r.errorCode}`);
    lso = r.lastStableOffset;
    hw = r.highWatermark;
    const bs = batchesOf(r.records);
    if (bs.length === 0) break;
    if (isolationLevel === 1) {
      for (const v of committedValues(r.records, r.abortedTransactions)) ids.push(v.value);
    } else {
      for (const b of bs) {
        if ((b.readInt16BE(21) & 0x20) !== 0) continue;
        for (const rec of iterateRecords(b)) ids.push(rec.value!.toString());
      }
    }
    const last = bs[bs.length - 1]!;
    offset = Number(last.readBigInt64BE(0)) + last.readInt32BE(23) + 1;
  }
  return { ids, lso, hw };
}

function commit(c: WireClient, offset: bigint) {
  return c.request(OffsetCommitApi, 8, {
    groupId: 'g',
    generationIdOrMemberEpoch: -1,
    memberId: '',
    groupInstanceId: null,
    retentionTimeMs: -1n,
    topics: [{ name: 'events', topicId: ZERO_UUID, partitions: [{ partitionIndex: 0, committedOffset: offset, committedLeaderEpoch: -1, commitTimestamp: -1n, committedMetadata: null }] }],
  });
}

interface State {
  producer: IdempotentProducer | null;
  ackedCommit: bigint;
  inFlightCommit: bigint | null;
  readonly committedTxns: string[];
  readonly openTxns: string[];
  retries: number;
  duplicates: number;
}

/** After a restart: what came back, then the producer's retries. */
async function checkRestart(t: Test, c: WireClient, s: State, round: number): Promise<void> {
  const md = await c.request(MetadataApi, 12, { topics: [{ topicId: ZERO_UUID, name: 'events' }], allowAutoTopicCreation: false, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false });
  if (md.topics[0]!.errorCode !== 0 || md.topics[0]!.partitions.length !== 2) t.fail(`restart ${round}: topic events not back: ${JSON.stringify(md.topics[0])}`);
  const dc = await c.request(DescribeConfigsApi, 4, { resources: [{ resourceType: 2, resourceName: 'events', configurationKeys: ['retention.ms'] }], includeSynonyms: false, includeDocumentation: false });
  if (dc.results[0]!.configs[0]?.value !== '123456789') t.fail(`restart ${round}: retention.ms not back`);
  const f = await c.request(OffsetFetchApi, 1, { groupId: 'g', topics: [{ name: 'events', partitionIndexes: [0] }], groups: [], requireStable: false });
  const got = f.topics[0]!.partitions[0]!.committedOffset;
  if (got !== s.ackedCommit && got !== s.inFlightCommit) t.fail(`restart ${round}: committed offset ${got}, acknowledged ${s.ackedCommit}`);
  s.ackedCommit = got;
  s.inFlightCommit = null;
  // The producer retries what it had in flight, with the same sequence: a duplicate if it was written.
  for (const b of s.producer!.inFlight) {
    if (b === null) continue;
    const end = (await listOffset(c, 'events', -1n, { partition: b.partition })).offset;
    s.retries++;
    if ((await s.producer!.send(c, b)) < end) s.duplicates++;
  }
  // The transaction left open by the kill comes back open, as in Kafka; its producer starting
  // again (InitProducerId with the same transactional id) aborts it, and read_committed moves on.
  const openId = `open-${round - 1}`;
  // CONCURRENT_TRANSACTIONS until the abort is written: retried for up to 30 s (it takes
  // milliseconds; 50 tries 100 ms apart could run out on a loaded 2-core machine).
  const retryUntil = Date.now() + 30_000;
  for (;;) {
    const r = await initProducerId(c, openId);
    if (r.errorCode === 0) break;
    if (r.errorCode !== ErrorCode.CONCURRENT_TRANSACTIONS || Date.now() > retryUntil) {
      t.fail(`restart ${round}: InitProducerId for ${openId} answered ${r.errorCode}`);
      break;
    }
    await new Promise((res) => setTimeout(res, 100));
  }
  for (const p of [0, 1]) {
    const r = await readAll(c, p, 1);
    if (r.lso !== r.hw) t.fail(`restart ${round}: partition ${p} LSO ${r.lso} is behind the HW ${r.hw}`);
  }
}

t.test(`SIGKILL at random points, ${ROUNDS} times: every acknowledged record exactly once`, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'minikafka-kill-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const s: State = { producer: null, ackedCommit: -1n, inFlightCommit: null, committedTxns: [], openTxns: [], retries: 0, duplicates: 0 };

  for (let round = 0; round < ROUNDS; round++) {
    const { child, bootstrap } = await startBroker(dir, round === 0 ? ['--topic', 'events:2'] : []);
    const c = await WireClient.connect(bootstrap);
    if (round === 0) {
      const r = await c.request(IncrementalAlterConfigsApi, 1, { resources: [{ resourceType: 2, resourceName: 'events', configs: [{ name: 'retention.ms', configOperation: 0, value: '123456789' }] }], validateOnly: false });
      t.equal(r.responses[0]!.errorCode, 0);
      const init = await initProducerId(c, null);
      s.producer = new IdempotentProducer(init.producerId, init.producerEpoch);
    } else await checkRestart(t, c, s, round);
    // A committed transaction, then one left open for the kill.
    const tx = await transactionalProducer(c, `tx-${round}`);
    if ((await addPartitions(c, tx, 'events', [0])).some((e) => e !== 0)) t.fail('AddPartitionsToTxn');
    if ((await send(c, tx, 'events', 0, values(`txc-${round}`, 2))).errorCode !== 0) t.fail('transactional produce');
    if ((await endTxn(c, tx, true)).errorCode !== 0) t.fail('EndTxn');
    s.committedTxns.push(`txc-${round}-0`, `txc-${round}-1`);
    const open = await transactionalProducer(c, `open-${round}`);
    await addPartitions(c, open, 'events', [1]);
    if ((await send(c, open, 'events', 1, values(`txo-${round}`, 1))).errorCode === 0) s.openTxns.push(`txo-${round}-0`);

    // Produce on both partitions and commit offsets until the kill.
    let stop = false;
    const producer = s.producer!;
    const loops = [0, 1].map(async (p) => {
      let n = 0;
      try {
        while (!stop) {
          const ids = Array.from({ length: 5 }, (_, i) => `r${round}-p${p}-${n}-${i}`);
          await producer.send(c, { partition: p, sequence: producer.sequences[p]!, ids });
          n++;
        }
      } catch {
        // The broker died under the request: the batch stays in flight.
      }
    });
    const commits = (async () => {
      let i = 0;
      try {
        while (!stop) {
          const offset = BigInt(round * 100000 + i++);
          s.inFlightCommit = offset;
          if ((await commit(c, offset)).topics[0]!.partitions[0]!.errorCode === 0) {
            s.ackedCommit = offset;
            s.inFlightCommit = null;
          }
          await new Promise((r) => setTimeout(r, 5));
        }
      } catch {
        // in flight
      }
    })();
    await new Promise((r) => setTimeout(r, 100 + Math.floor(Math.random() * 500)));
    await kill(child);
    stop = true;
    await Promise.all([...loops, commits]);
    c.close();
  }

  const { child, bootstrap } = await startBroker(dir, []);
  const c = await WireClient.connect(bootstrap);
  await checkRestart(t, c, s, ROUNDS);
  const producer = s.producer!;
  const seen = new Map<string, number>();
  for (const p of [0, 1]) for (const id of (await readAll(c, p)).ids) seen.set(id, (seen.get(id) ?? 0) + 1);
  const missing = [...producer.acked].filter((id) => !seen.has(id));
  const twice = [...seen].filter(([, n]) => n > 1).map(([id]) => id);
  t.ok(producer.acked.size > ROUNDS * 20, `${producer.acked.size} records acknowledged over ${ROUNDS} kills`);
  t.strictSame(missing, [], 'every acknowledged record is there');
  t.comment(`${s.retries} batches were in flight at a kill; ${s.duplicates} of them had been written and were answered as duplicates`);
  t.strictSame(twice, [], 'no record twice');
  const committed = new Set([...(await readAll(c, 0, 1)).ids, ...(await readAll(c, 1, 1)).ids]);
  t.strictSame(s.committedTxns.filter((v) => !committed.has(v)), [], 'committed transactions are visible to read_committed');
  t.strictSame(s.openTxns.filter((v) => committed.has(v)), [], 'transactions open at the kill were aborted');
  t.ok(s.ackedCommit >= 0n, `committed offset ${s.ackedCommit} came back each time`);
  c.close();
  const code = await new Promise((resolve) => {
    child.once('exit', resolve);
    child.kill('SIGTERM');
  });
  t.equal(code, 0, 'a clean stop at the end');
});
