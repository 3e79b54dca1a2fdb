// The interop scenario (../SCENARIO.md) with @platformatic/kafka: Admin for topics and offsets, one
// Producer.send per chunk with the codec on the send, and reading with Consumer.fetch, its low-level
// fetch of assigned partitions (no group join; Consumer only needs a groupId to be constructed).
import { readFileSync } from 'node:fs'
import zlib from 'node:zlib'
import { Admin, Consumer, Producer, ProduceAcks, stringSerializers } from '@platformatic/kafka'
import { parseArgs, runScenario } from './scenario.mjs'

const CLIENT = 'platformatic-kafka'
// The package's exports hide package.json; read it from node_modules next to this file.
const version = JSON.parse(readFileSync(new URL('./node_modules/@platformatic/kafka/package.json', import.meta.url), 'utf8')).version
const opts = parseArgs(process.argv.slice(2), CLIENT)
const base = { clientId: 'interop-platformatic', bootstrapBrokers: [opts.bootstrap] }
const CHUNK = 500

const admin = new Admin(base)
const producer = new Producer({ ...base, serializers: stringSerializers, acks: ProduceAcks.ALL, autocreateTopics: false })
const consumer = new Consumer({ ...base, groupId: 'interop-platformatic-unused' })

const unsupportedCodecs = {}
if (typeof zlib.zstdCompressSync !== 'function') {
  unsupportedCodecs.zstd = `@platformatic/kafka compresses zstd with node:zlib, which has no zstd in Node ${process.version} (needs >= 22.15)`
}

const str = b => (b === null || b === undefined ? null : b.toString())

async function fetchAll (n, deadline) {
  const md = await consumer.metadata({ topics: [opts.topic] })
  const topic = md.topics.get(opts.topic)
  const next = topic.partitions.map(() => 0n)
  const reads = []
  while (reads.length < n && Date.now() < deadline) {
    // One Fetch per leader, covering its partitions.
    const byLeader = new Map()
    topic.partitions.forEach((p, i) => {
      if (!byLeader.has(p.leader)) byLeader.set(p.leader, [])
      byLeader.get(p.leader).push({ partition: i, currentLeaderEpoch: p.leaderEpoch, fetchOffset: next[i], lastFetchedEpoch: -1, partitionMaxBytes: 1048576 })
    })
    for (const [node, partitions] of byLeader) {
      const res = await consumer.fetch({ node, topics: [{ topicId: topic.id, partitions }], maxWaitTime: 200, minBytes: 1, maxBytes: 4194304 })
      for (const t of res.responses) {
        for (const p of t.partitions) {
          if (p.errorCode !== 0) throw new Error(`fetch p${p.partitionIndex}: error code ${p.errorCode}`)
          for (const batch of p.records ?? []) {
            if (batch.attributes & 0x20) continue // control batch
            for (const r of batch.records) {
              const offset = batch.firstOffset + BigInt(r.offsetDelta)
              if (offset < next[p.partitionIndex]) continue
              reads.push({
                partition: p.partitionIndex,
                offset: Number(offset),
                key: str(r.key),
                value: str(r.value),
                headers: r.headers.map(([k, v]) => [str(k), str(v)]),
                timestamp: Number(batch.firstTimestamp + r.timestampDelta)
              })
              next[p.partitionIndex] = offset + 1n
            }
          }
        }
      }
    }
  }
  return reads
}

async function list (timestamp) {
  const res = await admin.listOffsets({
    topics: [{ name: opts.topic, partitions: [0, 1, 2].map(partitionIndex => ({ partitionIndex, timestamp })) }]
  })
  const out = new Map()
  for (const t of res) for (const p of t.partitions) out.set(p.partitionIndex, Number(p.offset))
  return out
}

const driver = {
  info: { library: '@platformatic/kafka', version },
  unsupportedCodecs,
  async createTopic (topic, partitions) {
    await admin.createTopics({ topics: [topic], partitions, replicas: 1 })
    // Kafka answers CreateTopics before every partition has a leader ready. A produce then gets
    // NOT_LEADER_OR_FOLLOWER on some partitions, and this client (not idempotent by default) re-sends
    // the whole request, duplicating the records of the partitions that had succeeded. Wait until
    // ListOffsets answers for every partition, as a careful user of this client would.
    const deadline = Date.now() + 30_000
    for (;;) {
      try {
        if ((await list(-1n)).size === partitions) return
      } catch (err) {
        if (Date.now() > deadline) throw err
      }
      await new Promise(resolve => setTimeout(resolve, 100))
    }
  },
  async produce (codec, records) {
    for (let i = 0; i < records.length; i += CHUNK) {
      await producer.send({
        compression: codec,
        messages: records.slice(i, i + CHUNK).map(r => ({
          topic: opts.topic, key: r.key, value: r.value, headers: Object.fromEntries(r.headers), timestamp: BigInt(r.timestamp)
        }))
      })
    }
    return new Map() // the client reports a base offset per partition, not per message
  },
  async consume (n, deadline) {
    return { step: 'consume_assigned', reads: await fetchAll(n, deadline) }
  },
  async listOffsets (spec) {
    if (spec === 'earliest') return list(-2n)
    if (spec === 'latest') return list(-1n)
    return list(BigInt(spec.timestamp))
  },
  async deleteTopic (topic) {
    await admin.deleteTopics({ topics: [topic] })
  },
  async close () {
    await Promise.all([producer.close(), consumer.close(), admin.close()])
  }
}

await runScenario(CLIENT, driver)
