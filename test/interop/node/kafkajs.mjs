// The interop scenario (../SCENARIO.md) with kafkajs: admin for topics and offsets, one send per
// chunk with the codec set on the send, and (kafkajs has no group-less consumer) a group consumer.
import { randomUUID } from 'node:crypto'
import { createRequire } from 'node:module'
import kafkajs from 'kafkajs'
import { installKafkajsCodecs } from './kafkajs-codecs.mjs'
import { parseArgs, runScenario } from './scenario.mjs'

const { Kafka, CompressionTypes, Partitioners, logLevel } = kafkajs

const CLIENT = 'kafkajs'
const version = createRequire(import.meta.url)('kafkajs/package.json').version
const opts = parseArgs(process.argv.slice(2), CLIENT)
installKafkajsCodecs()

const kafka = new Kafka({
  clientId: 'interop-kafkajs',
  brokers: [opts.bootstrap],
  logLevel: logLevel.WARN,
  logCreator: () => ({ namespace, label, log }) => process.stderr.write(`[${label}] ${namespace}: ${log.message}\n`)
})
const admin = kafka.admin()
await admin.connect()

const CODECS = { none: CompressionTypes.None, gzip: CompressionTypes.GZIP, snappy: CompressionTypes.Snappy, lz4: CompressionTypes.LZ4, zstd: CompressionTypes.ZSTD }
const CHUNK = 500

const toStr = b => (b === null || b === undefined ? null : b.toString())

const driver = {
  info: { library: 'kafkajs', version },
  async createTopic (topic, partitions) {
    const created = await admin.createTopics({ topics: [{ topic, numPartitions: partitions, replicationFactor: 1 }], waitForLeaders: true })
    if (!created) throw new Error(`topic ${topic} already existed`)
  },
  async produce (codec, records) {
    const producer = kafka.producer({ allowAutoTopicCreation: false, createPartitioner: Partitioners.DefaultPartitioner })
    await producer.connect()
    try {
      for (let i = 0; i < records.length; i += CHUNK) {
        await producer.send({
          topic: opts.topic,
          acks: -1,
          compression: CODECS[codec],
          messages: records.slice(i, i + CHUNK).map(r => ({
            key: r.key, value: r.value, headers: Object.fromEntries(r.headers), timestamp: String(r.timestamp)
          }))
        })
      }
    } finally {
      await producer.disconnect()
    }
    return new Map() // kafkajs reports a base offset per partition, not per message
  },
  async consume (n, deadline) {
    const consumer = kafka.consumer({ groupId: `interop-kafkajs-${randomUUID()}`, maxWaitTimeInMs: 500 })
    await consumer.connect()
    const reads = []
    try {
      await consumer.subscribe({ topic: opts.topic, fromBeginning: true })
      await new Promise((resolve, reject) => {
        const timer = setInterval(() => { if (Date.now() > deadline) { clearInterval(timer); resolve() } }, 200)
        consumer.run({
          autoCommit: false,
          eachMessage: async ({ partition, message }) => {
            reads.push({
              partition,
              offset: Number(message.offset),
              key: toStr(message.key),
              value: toStr(message.value),
              headers: Object.entries(message.headers ?? {}).map(([k, v]) => [k, toStr(v)]),
              timestamp: Number(message.timestamp)
            })
            if (reads.length >= n) { clearInterval(timer); resolve() }
          }
        }).catch(reject)
      })
    } finally {
      await consumer.disconnect()
    }
    return {
      step: 'consume_group',
      unsupported: { step: 'consume_assigned', reason: 'kafkajs has no consumer without a group (no manual partition assignment); read with a group consumer instead' },
      reads
    }
  },
  async listOffsets (spec) {
    const out = new Map()
    if (spec === 'earliest' || spec === 'latest') {
      for (const p of await admin.fetchTopicOffsets(opts.topic)) out.set(p.partition, Number(spec === 'earliest' ? p.low : p.high))
    } else {
      for (const p of await admin.fetchTopicOffsetsByTimestamp(opts.topic, spec.timestamp)) out.set(p.partition, Number(p.offset))
    }
    return out
  },
  async deleteTopic (topic) {
    await admin.deleteTopics({ topics: [topic] })
  },
  async close () {
    await admin.disconnect()
  }
}

await runScenario(CLIENT, driver)
