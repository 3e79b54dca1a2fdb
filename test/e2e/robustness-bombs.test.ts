// Decompression bombs against a running broker: gzip, snappy, lz4 and zstd batches of ~1 MB that
// expand far past the broker's decompression bound (the gzip one to 1 GiB), to a normal and a
// compacted topic, with and without a future timestamp, then ListOffsets by time. Each is
// answered INVALID_RECORD (Kafka's answer: its record walk fails on the first bogus record),
// memory stays bounded, and a second client's Metadata requests keep being answered meanwhile.
import t from 'tap';
import { MiniKafka } from '../../src/index.js';
import { WireClient } from '../helpers/wire-client.js';
import { mainThreadCpuMs } from '../helpers/thread-cpu.js';
import { listOffset, produceOne } from '../helpers/data-path.js';
import { MetadataApi } from '../../src/protocol/messages/index.js';
import { ErrorCode } from '../../src/protocol/errors.js';
import { BatchLayout, CompressionCodec, XERIAL_HEADER_SIZE, buildBatch, computeBatchCrc, xerialEncode } from '../../src/protocol/records/index.js';
import { lz4, zlib, zstd } from '../../src/protocol/records/native-codecs.js';

const MiB = 1024 * 1024;

/**
 * Compressed payloads of zeros built without holding the expansion: `copies` x 8 MiB (128 MiB for
 * 16, twice the broker's bound) for snappy, lz4 and zstd, 8 times that (1 GiB) for gzip.
 */
async function bombs(copies: number): Promise<[string, CompressionCodec, Buffer][]> {
  const zeros = Buffer.alloc(8 * MiB);
  const repeat = (b: Buffer, n: number) => Buffer.concat(Array.from({ length: n }, () => b));
  const xerial = xerialEncode(zeros);
  return [
    // Multi-member gzip: each member inflates to 8 MiB, gunzip reads them as one stream.
    ['gzip', CompressionCodec.GZIP, repeat(zlib().gzipSync(zeros, { level: 9 }), copies * 8)],
    // Xerial blocks concatenate: one header, then the blocks of each copy.
    ['snappy', CompressionCodec.SNAPPY, Buffer.concat([xerial.subarray(0, XERIAL_HEADER_SIZE), repeat(xerial.subarray(XERIAL_HEADER_SIZE), copies)])],
    ['lz4', CompressionCodec.LZ4, repeat(lz4().compressFrameSync(zeros), copies)],
    ['zstd', CompressionCodec.ZSTD, repeat(await zstd().compress(zeros, 3), copies)],
  ];
}

/** A one-record batch of `codec` carrying `payload` as its records, CRC valid. */
async function bombBatch(codec: CompressionCodec, payload: Buffer, timestamp: number): Promise<Buffer> {
  const header = (await buildBatch([{ key: Buffer.from('k'), value: Buffer.from('v'), timestamp }], { compression: codec })).subarray(0, BatchLayout.RECORDS);
  const b = Buffer.concat([header, payload]);
  b.writeInt32BE(b.length - BatchLayout.LOG_OVERHEAD, BatchLayout.BATCH_LENGTH);
  b.writeUInt32BE(computeBatchCrc(b, 0), BatchLayout.CRC);
  return b;
}

t.test('bombs are INVALID_RECORD, memory stays bounded and other clients are served', async (t) => {
  await using kafka = await MiniKafka.start({
    // The produce size limit must let the bombs in: the test is about what comes after it.
    topics: ['plain', 'compacted'].map((name) => ({ name, configs: { 'max.message.bytes': 8 * MiB, ...(name === 'compacted' ? { 'cleanup.policy': 'compact' } : {}) } })),
  });
  const producer = await WireClient.connect(kafka.bootstrapServers);
  const watcher = await WireClient.connect(kafka.bootstrapServers);
  t.teardown(() => {
    producer.close();
    watcher.close();
  });
  const payloads = await bombs(16);
  // A well-formed start: one record whose value claims 1 GiB of zeros, so the walk must hold
  // bytes until the bound rather than fail on the first one.
  const head = Buffer.from([0x80, 0x80, 0x80, 0x80, 0x08, 0, 0, 0, 1, 0x80, 0x80, 0x80, 0x80, 0x08]);
  payloads.push(['gzip, valid record head', CompressionCodec.GZIP, Buffer.concat([zlib().gzipSync(head), payloads[0]![2]])]);
  const gzip = payloads[0]![2];
  t.ok(gzip.length < 1.5 * MiB, `the gzip bomb is ${(gzip.length / MiB).toFixed(2)} MiB and inflates to 1 GiB`);

  const future = Date.now() + 365 * 24 * 3600 * 1000;
  // Built before the watcher starts, so the test's own work does not delay its Metadata requests.
  const cases: [string, Buffer][] = [];
  for (const [name, codec, payload] of payloads) {
    for (const topic of ['plain', 'compacted']) {
      for (const [when, ts] of [['now', Date.now()], ['future', future]] as const) cases.push([`${name} to ${topic}, ${when}|${topic}`, await bombBatch(codec, payload, ts)]);
    }
  }

  // Metadata from a second connection, back to back, for as long as the bombs go on.
  const latencies: number[] = [];
  // The event loop's CPU time during each round trip (null off Linux): see the check at the end.
  const loopCpu: number[] = [];
  let bombing = true;
  const watch = (async () => {
    while (bombing) {
      const start = performance.now();
      const cpuBefore = mainThreadCpuMs();
      const r = await watcher.request(MetadataApi, 12, { topics: null, allowAutoTopicCreation: false, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false });
      latencies.push(performance.now() - start);
      const cpuAfter = mainThreadCpuMs();
      if (cpuBefore !== null && cpuAfter !== null) loopCpu.push(cpuAfter - cpuBefore);
      if (r.topics.length !== 2) throw new Error('metadata lost a topic');
    }
  })();

  const baseline = process.resourceUsage().maxRSS / 1024;
  for (const [label, batch] of cases) {
    const [what, topic] = label.split('|') as [string, string];
    const started = performance.now();
    const cpuBefore = process.cpuUsage();
    const r = await produceOne(producer, topic, batch);
    const ms = performance.now() - started;
    const cpu = process.cpuUsage(cpuBefore);
    const cpuMs = (cpu.user + cpu.system) / 1000;
    t.equal(r.errorCode, ErrorCode.INVALID_RECORD, `${what}: INVALID_RECORD in ${ms.toFixed(0)} ms`);
    // Generous (Kafka: about a second; the stall this guards against was 2-19 s of inflating). The
    // bound is on CPU time (every thread of this process: broker, codec threads, clients), which a
    // loaded machine does not stretch as it stretches wall time.
    t.ok(cpuMs < 5000, `${what}: answered after ${cpuMs.toFixed(0)} ms of CPU (bound 5 s; ${ms.toFixed(0)} ms of wall time)`);
  }
  for (const topic of ['plain', 'compacted']) {
    const r = await listOffset(producer, topic, BigInt(future - 1000));
    t.equal(r.errorCode, ErrorCode.NONE, `ListOffsets by time on ${topic} answers`);
    t.equal(r.offset, -1n, 'nothing was stored');
  }
  bombing = false;
  await watch;
  const grown = process.resourceUsage().maxRSS / 1024 - baseline;
  // The broker holds at most two decompressions of MAX_DECOMPRESSED_BATCH_BYTES (64 MiB) at once.
  t.ok(grown < 200, `peak RSS grew ${grown.toFixed(0)} MiB (bound 200)`);
  latencies.sort((a, b) => a - b);
  const worst = latencies[latencies.length - 1]!;
  // The goal is 50 ms, met on a quiet machine. This 2-core machine runs several CPU-heavy jobs at
  // once (load average 15-18 while this was written: median latencies of 2-13 ms, single stalls of
  // 100-400 ms that come from scheduling, with or without bombs, and longer ones at higher load).
  // What is guarded against is a broker that inflates a bomb on its event loop (stalls of 2-19 s):
  // so the bound is on the event loop thread's CPU time during any one round trip, which waiting
  // for a CPU does not add to. 1 s of it still fails loudly on such a broker. The wall-clock
  // latencies are reported; off Linux (no per-thread CPU time) they are what is bounded.
  const latency = `worst Metadata latency ${worst.toFixed(1)} ms over ${latencies.length} requests (median ${latencies[latencies.length >> 1]!.toFixed(1)} ms)`;
  if (loopCpu.length === latencies.length) t.ok(Math.max(...loopCpu) < 1000, `at most ${Math.max(...loopCpu)} ms of event-loop CPU in one round trip; ${latency}`);
  else t.ok(worst < 1000, latency);
});
