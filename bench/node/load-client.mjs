// The Node client side of `npm run bench`: @platformatic/kafka (the copy installed for the interop
// tests in test/interop/node), producing and consuming 1 KiB records the way a Node service would,
// against whichever broker it is pointed at. Run by bench/node-client.ts; prints one JSON line.
//
//   produce --bootstrap B --topic T --partitions P --records N --payload-file F --compression none|lz4
//   consume --bootstrap B --topic T --records N
//   scale   --bootstrap B --topic-prefix T --topics K --partitions P --connections C --records N --payload-file F
//
// scale opens C producers (one connection each), prints {"event":"connected"}, and waits for a line
// on stdin before producing, so that the harness can read the broker's memory with the connections
// idle. Plain JavaScript rather than TypeScript so that it resolves the client from the interop
// install without root dependencies.
import { createRequire } from 'node:module'
import { readFileSync } from 'node:fs'
import { createInterface } from 'node:readline'
import { pathToFileURL } from 'node:url'

const interopRequire = createRequire(new URL('../../test/interop/node/package.json', import.meta.url))
let kafka
try {
  kafka = await import(pathToFileURL(interopRequire.resolve('@platformatic/kafka')).href)
} catch (e) {
  fail(`cannot load @platformatic/kafka from test/interop/node (run \`npm run interop:setup\` or \`bash test/interop/setup.sh node\`): ${e.message}`)
}
const { Producer, Consumer, ProduceAcks } = kafka

function fail (msg) {
  process.stderr.write(`load-client: ${msg}\n`)
  process.exit(1)
}

function parseArgs (argv) {
  const [mode, ...rest] = argv
  const o = { mode }
  for (let i = 0; i < rest.length; i += 2) {
    if (!rest[i].startsWith('--') || rest[i + 1] === undefined) fail(`bad argument '${rest[i]}'`)
    o[rest[i].slice(2)] = rest[i + 1]
  }
  return o
}

const opts = parseArgs(process.argv.slice(2))
const num = (name, dflt) => {
  const v = opts[name] === undefined ? dflt : Number(opts[name])
  if (!Number.isFinite(v)) fail(`--${name} must be a number`)
  return v
}
const timeoutMs = num('timeout-ms', 300_000)
setTimeout(() => fail(`${opts.mode} did not finish within ${timeoutMs} ms`), timeoutMs).unref()
const MiB = 1024 * 1024

/** Payloads from the harness's payload file; picked by a seeded xorshift so runs are comparable. */
function payloads () {
  const lines = readFileSync(opts['payload-file'], 'latin1').split('\n').filter(l => l.length > 0)
  if (lines.length === 0) fail('empty payload file')
  const bufs = lines.map(l => Buffer.from(l, 'latin1'))
  let s = 0x5eed
  return () => {
    s ^= s << 13; s ^= s >>> 17; s ^= s << 5
    return bufs[(s >>> 0) % bufs.length]
  }
}

// 16 records per send is about the 16 KiB batch.size of the Java producer; 4 sends in flight keeps the
// connection busy without building a queue that only measures the client's memory.
const BATCH = 16
const IN_FLIGHT = 4

async function produce () {
  const topic = opts.topic
  const partitions = num('partitions', 1)
  const records = num('records')
  const next = payloads()
  const producer = new Producer({
    clientId: 'bench-node-producer',
    bootstrapBrokers: [opts.bootstrap],
    acks: ProduceAcks.ALL,
    compression: opts.compression ?? 'none',
    autocreateTopics: false
  })
  const batchOf = (n, b) => Array.from({ length: n }, () => ({ topic, partition: b % partitions, value: next() }))
  await producer.send({ messages: batchOf(1, 0) }) // connects and loads metadata before the clock starts
  let sent = 0
  let bytes = 0
  let batchNo = 0
  const t0 = performance.now()
  async function lane () {
    while (sent < records) {
      const n = Math.min(BATCH, records - sent)
      sent += n
      const messages = batchOf(n, batchNo++)
      for (const m of messages) bytes += m.value.length
      await producer.send({ messages })
    }
  }
  await Promise.all(Array.from({ length: IN_FLIGHT }, lane))
  const seconds = (performance.now() - t0) / 1000
  await producer.close()
  return { records, bytes, seconds, recordsPerSec: records / seconds, mibPerSec: bytes / MiB / seconds }
}

async function consume () {
  const records = num('records')
  const consumer = new Consumer({
    clientId: 'bench-node-consumer',
    groupId: `bench-node-${process.pid}-${Date.now()}`,
    bootstrapBrokers: [opts.bootstrap]
  })
  const t0 = performance.now()
  const stream = await consumer.consume({ topics: [opts.topic], mode: 'earliest', autocommit: false })
  let count = 0
  let bytes = 0
  let tFirst = 0
  await new Promise((resolve, reject) => {
    stream.on('error', reject)
    stream.on('data', m => {
      if (count === 0) tFirst = performance.now()
      count++
      bytes += m.value?.length ?? 0
      if (count === records) resolve()
    })
  })
  const tEnd = performance.now()
  await stream.close()
  await consumer.close()
  // Like ConsumerPerformance's fetch.MB.sec: from the first record, so the group join is reported apart.
  const seconds = (tEnd - tFirst) / 1000
  return { records: count, bytes, joinMs: tFirst - t0, seconds, recordsPerSec: count / seconds, mibPerSec: bytes / MiB / seconds }
}

async function scale () {
  const prefix = opts['topic-prefix']
  const topicCount = num('topics')
  const partitions = num('partitions')
  const connections = num('connections')
  const records = num('records')
  const next = payloads()
  const topics = Array.from({ length: topicCount }, (_, i) => `${prefix}${i}`)
  const producers = Array.from({ length: connections }, (_, i) => new Producer({
    clientId: `bench-node-scale-${i}`,
    bootstrapBrokers: [opts.bootstrap],
    acks: ProduceAcks.ALL,
    autocreateTopics: false
  }))
  // Metadata for every topic opens each producer's connection and leaves it idle.
  for (let i = 0; i < producers.length; i += 20) {
    await Promise.all(producers.slice(i, i + 20).map(p => p.metadata({ topics })))
  }
  process.stdout.write(JSON.stringify({ event: 'connected', producers: producers.length }) + '\n')
  const rl = createInterface({ input: process.stdin })
  await new Promise(resolve => rl.once('line', resolve))
  rl.close()

  // Each producer walks its own stride of the topic-partitions, one batch per send, one send in flight.
  const slots = topicCount * partitions
  let sent = 0
  let bytes = 0
  const t0 = performance.now()
  await Promise.all(producers.map(async (p, i) => {
    for (let slot = i; sent < records; slot += connections) {
      const n = Math.min(BATCH, records - sent)
      sent += n
      const s = slot % slots
      const messages = Array.from({ length: n }, () => ({ topic: topics[Math.floor(s / partitions)], partition: s % partitions, value: next() }))
      for (const m of messages) bytes += m.value.length
      await sendWithRetry(p, messages)
    }
  }))
  const seconds = (performance.now() - t0) / 1000
  await Promise.all(producers.map(p => p.close()))
  return { records, bytes, seconds, recordsPerSec: records / seconds, mibPerSec: bytes / MiB / seconds }
}

// A freshly created topic's leaders can still be moving on a loaded Kafka (NOT_LEADER_OR_FOLLOWER);
// the Java producer retries such errors by itself, so the scale client does too, a few times.
async function sendWithRetry (p, messages) {
  for (let attempt = 1; ; attempt++) {
    try {
      return await p.send({ messages })
    } catch (e) {
      if (attempt >= 5) throw e
      process.stderr.write(`load-client: send failed (attempt ${attempt}): ${describeError(e)}; retrying\n`)
      await new Promise(resolve => setTimeout(resolve, 100 * attempt))
    }
  }
}

function describeError (e) {
  const inner = e?.errors?.map(x => x?.message ?? String(x)).join('; ')
  return `${e?.message ?? e}${inner ? ` (${inner})` : ''}`
}

const modes = { produce, consume, scale }
if (!modes[opts.mode]) fail(`mode must be one of ${Object.keys(modes).join(', ')}`)
try {
  const result = await modes[opts.mode]()
  process.stdout.write(JSON.stringify(result) + '\n')
  process.exit(0)
} catch (e) {
  fail(`${opts.mode}: ${describeError(e)}\n${e?.stack ?? ''}`)
}
