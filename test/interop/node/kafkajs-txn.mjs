// The transaction scenario (../SCENARIO.md, "The transaction scenario") with kafkajs: a transactional
// producer (producer.transaction()) commits, aborts and commits again; group consumers (kafkajs has
// no consumer without a group) read with readUncommitted false (read_committed) and true.
import { randomUUID } from 'node:crypto'
import { createRequire } from 'node:module'
import kafkajs from 'kafkajs'
import { parseTxnArgs, runTxnScenario } from './txn-scenario.mjs'

const { Kafka, Partitioners, logLevel } = kafkajs

const CLIENT = 'kafkajs'
const version = createRequire(import.meta.url)('kafkajs/package.json').version
const opts = parseTxnArgs(process.argv.slice(2), CLIENT)

const kafka = new Kafka({
  clientId: 'interop-kafkajs-txn',
  brokers: [opts.bootstrap],
  logLevel: logLevel.WARN,
  logCreator: () => ({ namespace, label, log }) => process.stderr.write(`[${label}] ${namespace}: ${log.message}\n`)
})
const admin = kafka.admin()
await admin.connect()
let producer = null

const driver = {
  info: { library: 'kafkajs', version },
  async createTopic (topic, partitions) {
    const created = await admin.createTopics({ topics: [{ topic, numPartitions: partitions, replicationFactor: 1 }], waitForLeaders: true })
    if (!created) throw new Error(`topic ${topic} already existed`)
  },
  async produceTransaction (records, commit) {
    if (producer === null) {
      producer = kafka.producer({
        transactionalId: `${opts.topic}-kafkajs`,
        idempotent: true,
        maxInFlightRequests: 1,
        allowAutoTopicCreation: false,
        createPartitioner: Partitioners.DefaultPartitioner
      })
      await producer.connect()
    }
    const txn = await producer.transaction()
    try {
      await txn.send({ topic: opts.topic, messages: records.map(r => ({ key: r.key, value: r.value })) })
    } catch (e) {
      await txn.abort()
      throw e
    }
    if (commit) await txn.commit()
    else await txn.abort()
  },
  async consume (isolation, n, deadline) {
    const consumer = kafka.consumer({ groupId: `interop-kafkajs-txn-${randomUUID()}`, maxWaitTimeInMs: 200, readUncommitted: isolation === 'read_uncommitted' })
    await consumer.connect()
    const values = []
    try {
      await consumer.subscribe({ topic: opts.topic, fromBeginning: true })
      await new Promise((resolve, reject) => {
        let grace = 0
        const timer = setInterval(() => {
          // One more short read after n: anything beyond is a duplicate, aborted data or a leaked marker.
          if (values.length >= n && grace === 0) grace = Date.now() + 500
          if (Date.now() > deadline || (grace !== 0 && Date.now() > grace)) { clearInterval(timer); resolve() }
        }, 50)
        consumer.run({
          autoCommit: false,
          eachMessage: async ({ message }) => { values.push(message.value === null ? null : message.value.toString()) }
        }).catch(reject)
      })
    } finally {
      await consumer.disconnect()
    }
    return values
  },
  async deleteTopic (topic) {
    await admin.deleteTopics({ topics: [topic] })
  },
  async close () {
    if (producer !== null) await producer.disconnect()
    await admin.disconnect()
  }
}

await runTxnScenario(CLIENT, driver, opts)
