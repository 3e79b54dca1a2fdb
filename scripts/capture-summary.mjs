#!/usr/bin/env node
// Summarises fixtures/captures/: per client, the requests and responses captured by API and version,
// and the compression codecs of the record batches found in its Produce requests.
//
//   node scripts/capture-summary.mjs [fixtures/captures]   (markdown table on stdout)
//
// Record batches are found without decoding the Produce request: a batch is any position where the
// magic byte is 2, the batch length fits, and the CRC-32C over attributes..end matches. Layout:
//   baseOffset int64 | batchLength int32 | partitionLeaderEpoch int32 | magic int8 | crc uint32 |
//   attributes int16 (bits 0-2: codec) | ... records
import { readFileSync, readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { crc32c } from '@node-rs/crc32'

const CODECS = ['none', 'gzip', 'snappy', 'lz4', 'zstd']

export function batchCodecs (frame) {
  const found = []
  for (let o = 4; o + 61 <= frame.length; o++) {
    if (frame[o + 16] !== 2) continue
    const length = frame.readInt32BE(o + 8)
    if (length < 49 || o + 12 + length > frame.length) continue
    if (crc32c(frame.subarray(o + 21, o + 12 + length)) !== frame.readUInt32BE(o + 17)) continue
    found.push(CODECS[frame.readInt16BE(o + 21) & 7] ?? 'unknown')
    o += 11 + length
  }
  return found
}

const dir = process.argv[2] ?? 'fixtures/captures'
const rows = []
for (const client of readdirSync(dir).sort()) {
  const cdir = join(dir, client)
  if (!statSync(cdir).isDirectory()) continue
  const files = readdirSync(cdir)
  const requests = files.filter(f => /-v\d+\.bin$/.test(f))
  const responses = files.filter(f => f.endsWith('-response.bin'))
  const apis = new Map()
  const codecs = new Map()
  let bytes = 0
  for (const f of files) bytes += statSync(join(cdir, f)).size
  for (const f of requests) {
    const api = f.replace(/^\d+-/, '').replace(/\.bin$/, '')
    apis.set(api, (apis.get(api) ?? 0) + 1)
    if (api.startsWith('Produce-')) {
      for (const c of batchCodecs(readFileSync(join(cdir, f)))) codecs.set(c, (codecs.get(c) ?? 0) + 1)
    }
  }
  rows.push({ client, requests: requests.length, responses: responses.length, bytes, apis, codecs })
}

console.log('| client | requests | responses | bytes | produced batches by codec | requests by API |')
console.log('|---|---|---|---|---|---|')
for (const r of rows) {
  const codecs = CODECS.filter(c => r.codecs.has(c)).map(c => `${c} ${r.codecs.get(c)}`).join(', ')
  const apis = [...r.apis].sort().map(([a, n]) => `${a} ${n}`).join(', ')
  console.log(`| ${r.client} | ${r.requests} | ${r.responses} | ${r.bytes} | ${codecs} | ${apis} |`)
}
