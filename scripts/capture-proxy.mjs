#!/usr/bin/env node
// Kafka wire capture proxy: listens on a port, forwards every connection to an upstream broker, and
// writes the request frames it sees (and their responses) to files, for golden-bytes fixtures.
//
//   node scripts/capture-proxy.mjs --listen PORT --upstream HOST:PORT --out DIR
//        [--max-frames 200] [--max-per-api 12] [--max-produce 40] [--max-frame-bytes 262144]
//
// Files, numbered in the order the proxy saw the requests (over all of this proxy's connections):
//   DIR/<seq>-<ApiName>-v<version>.bin            the request frame, size prefix included
//   DIR/<seq>-<ApiName>-v<version>-response.bin   its response frame, size prefix included
//   DIR/index.jsonl                                 one line per request seen (captured or not)
// A request is captured while fewer than --max-frames were captured in all, fewer than --max-per-api
// of its (api, version) (--max-produce for Produce, whose batches of every codec are the point), and
// its frame is at most --max-frame-bytes; a response is written when its
// request was captured and it is itself within the byte cap.
//
// Only the request header is parsed: size int32 | apiKey int16 | apiVersion int16 | correlationId int32.
// Responses start with size int32 | correlationId int32 and come back in request order on a connection,
// so a response is matched to the oldest pending request with its correlation id (requests that get
// no response, like acks=0 produce, are dropped from the queue when a later one is answered).
//
// Clients only stay on the proxy if the broker advertises the proxy's address in Metadata: start the
// reference Kafka with KAFKA_ADVERTISED_PORT=<proxy port> (bench/kafka/start-kafka.sh).
// Prints "listening <port>" on stdout when ready; stops on SIGINT/SIGTERM.
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs'
import net from 'node:net'
import { join } from 'node:path'
import { parseArgs } from 'node:util'

// ApiKeys as in Apache Kafka 4.4 (org.apache.kafka.common.protocol.ApiKeys).
const API_NAMES = [
  'Produce', 'Fetch', 'ListOffsets', 'Metadata', 'LeaderAndIsr', 'StopReplica', 'UpdateMetadata',
  'ControlledShutdown', 'OffsetCommit', 'OffsetFetch', 'FindCoordinator', 'JoinGroup', 'Heartbeat',
  'LeaveGroup', 'SyncGroup', 'DescribeGroups', 'ListGroups', 'SaslHandshake', 'ApiVersions',
  'CreateTopics', 'DeleteTopics', 'DeleteRecords', 'InitProducerId', 'OffsetForLeaderEpoch',
  'AddPartitionsToTxn', 'AddOffsetsToTxn', 'EndTxn', 'WriteTxnMarkers', 'TxnOffsetCommit', 'DescribeAcls',
  'CreateAcls', 'DeleteAcls', 'DescribeConfigs', 'AlterConfigs', 'AlterReplicaLogDirs', 'DescribeLogDirs',
  'SaslAuthenticate', 'CreatePartitions', 'CreateDelegationToken', 'RenewDelegationToken',
  'ExpireDelegationToken', 'DescribeDelegationToken', 'DeleteGroups', 'ElectLeaders',
  'IncrementalAlterConfigs', 'AlterPartitionReassignments', 'ListPartitionReassignments', 'OffsetDelete',
  'DescribeClientQuotas', 'AlterClientQuotas', 'DescribeUserScramCredentials', 'AlterUserScramCredentials',
  'Vote', 'BeginQuorumEpoch', 'EndQuorumEpoch', 'DescribeQuorum', 'AlterPartition', 'UpdateFeatures',
  'Envelope', 'FetchSnapshot', 'DescribeCluster', 'DescribeProducers', 'BrokerRegistration',
  'BrokerHeartbeat', 'UnregisterBroker', 'DescribeTransactions', 'ListTransactions', 'AllocateProducerIds',
  'ConsumerGroupHeartbeat', 'ConsumerGroupDescribe', 'ControllerRegistration', 'GetTelemetrySubscriptions',
  'PushTelemetry', 'AssignReplicasToDirs', 'ListConfigResources', 'DescribeTopicPartitions',
  'ShareGroupHeartbeat', 'ShareGroupDescribe', 'ShareFetch', 'ShareAcknowledge', 'AddRaftVoter',
  'RemoveRaftVoter', 'UpdateRaftVoter', 'InitializeShareGroupState', 'ReadShareGroupState',
  'WriteShareGroupState', 'DeleteShareGroupState', 'ReadShareGroupStateSummary', 'StreamsGroupHeartbeat',
  'StreamsGroupDescribe', 'DescribeShareGroupOffsets', 'AlterShareGroupOffsets', 'DeleteShareGroupOffsets',
  'StreamsGroupTopologyDescriptionUpdate', 'UnregisterController'
]
const apiName = key => API_NAMES[key] ?? `ApiKey${key}`

const { values: opts } = parseArgs({
  options: {
    listen: { type: 'string' },
    upstream: { type: 'string' },
    out: { type: 'string' },
    'max-frames': { type: 'string', default: '200' },
    'max-per-api': { type: 'string', default: '12' },
    'max-produce': { type: 'string', default: '40' },
    'max-frame-bytes': { type: 'string', default: String(256 * 1024) }
  }
})
if (!opts.listen || !opts.upstream || !opts.out) {
  process.stderr.write('usage: capture-proxy.mjs --listen PORT --upstream HOST:PORT --out DIR [--max-frames N] [--max-per-api N] [--max-produce N] [--max-frame-bytes N]\n')
  process.exit(2)
}
const [upHost, upPort] = [opts.upstream.slice(0, opts.upstream.lastIndexOf(':')), Number(opts.upstream.slice(opts.upstream.lastIndexOf(':') + 1))]
const maxFrames = Number(opts['max-frames'])
const maxPerApi = Number(opts['max-per-api'])
const maxProduce = Number(opts['max-produce'])
const maxFrameBytes = Number(opts['max-frame-bytes'])
const outDir = opts.out
mkdirSync(outDir, { recursive: true })
const indexFile = join(outDir, 'index.jsonl')
writeFileSync(indexFile, '')

let seq = 0 // requests seen, over all connections
let captured = 0
let connections = 0
const perApi = new Map()
const sockets = new Set()

/** Splits a byte stream into size-prefixed frames; calls onFrame(frame) with the prefix included. */
function framer (onFrame) {
  let buf = Buffer.alloc(0)
  return chunk => {
    buf = buf.length ? Buffer.concat([buf, chunk]) : chunk
    while (buf.length >= 4) {
      const size = buf.readInt32BE(0)
      if (size < 0) throw new Error(`negative frame size ${size}`)
      if (buf.length < 4 + size) break
      onFrame(buf.subarray(0, 4 + size))
      buf = buf.subarray(4 + size)
    }
    if (buf.length) buf = Buffer.from(buf) // detach from the big chunk
  }
}

function onConnection (client) {
  const conn = ++connections
  const upstream = net.connect(upPort, upHost)
  sockets.add(client)
  sockets.add(upstream)
  const pending = [] // { correlationId, base } for captured requests, in order
  client.setNoDelay(true)
  upstream.setNoDelay(true)

  const onRequest = framer(frame => {
    const n = ++seq
    const entry = { seq: n, conn, requestBytes: frame.length }
    if (frame.length < 12) {
      appendFileSync(indexFile, JSON.stringify({ ...entry, skipped: 'short frame' }) + '\n')
      return
    }
    const apiKey = frame.readInt16BE(4)
    const version = frame.readInt16BE(6)
    const correlationId = frame.readInt32BE(8)
    const name = apiName(apiKey)
    const slot = `${apiKey}:${version}`
    Object.assign(entry, { apiKey, api: name, version, correlationId })
    let skipped = null
    if (captured >= maxFrames) skipped = 'max-frames'
    else if ((perApi.get(slot) ?? 0) >= (apiKey === 0 ? maxProduce : maxPerApi)) skipped = 'max-per-api'
    else if (frame.length > maxFrameBytes) skipped = 'max-frame-bytes'
    if (skipped) {
      entry.skipped = skipped
    } else {
      captured++
      perApi.set(slot, (perApi.get(slot) ?? 0) + 1)
      const base = `${String(n).padStart(4, '0')}-${name}-v${version}`
      writeFileSync(join(outDir, `${base}.bin`), frame)
      entry.file = `${base}.bin`
      pending.push({ correlationId, base })
    }
    appendFileSync(indexFile, JSON.stringify(entry) + '\n')
  })

  const onResponse = framer(frame => {
    if (frame.length < 8) return
    const correlationId = frame.readInt32BE(4)
    const at = pending.findIndex(p => p.correlationId === correlationId)
    if (at < 0) return // its request was not captured
    const { base } = pending[at]
    pending.splice(0, at + 1)
    const info = { response: `${base}-response.bin`, conn, correlationId, responseBytes: frame.length }
    if (frame.length > maxFrameBytes) {
      info.skipped = 'max-frame-bytes'
    } else {
      writeFileSync(join(outDir, `${base}-response.bin`), frame)
    }
    appendFileSync(indexFile, JSON.stringify(info) + '\n')
  })

  client.on('data', chunk => {
    upstream.write(chunk)
    try { onRequest(chunk) } catch (err) { process.stderr.write(`conn ${conn}: request stream: ${err.message}\n`) }
  })
  upstream.on('data', chunk => {
    client.write(chunk)
    try { onResponse(chunk) } catch (err) { process.stderr.write(`conn ${conn}: response stream: ${err.message}\n`) }
  })
  const close = () => { client.destroy(); upstream.destroy(); sockets.delete(client); sockets.delete(upstream) }
  client.on('close', close)
  upstream.on('close', close)
  client.on('error', close)
  upstream.on('error', err => { process.stderr.write(`conn ${conn}: upstream: ${err.message}\n`); close() })
}

const server = net.createServer(onConnection)
server.listen(Number(opts.listen), '127.0.0.1', () => {
  process.stdout.write(`listening ${server.address().port}\n`)
})

function stop () {
  server.close()
  for (const s of sockets) s.destroy()
  process.stderr.write(`capture-proxy: ${seq} requests seen, ${captured} captured in ${outDir}\n`)
  process.exit(0)
}
process.on('SIGINT', stop)
process.on('SIGTERM', stop)
