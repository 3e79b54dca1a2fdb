// The interop scenario (test/interop/SCENARIO.md), shared by kafkajs.mjs and platformatic.mjs.
// A program supplies a driver; this file makes the records, runs the steps in order, checks what was
// read back and prints one JSON line per step.
//
// Driver interface (all async unless noted):
//   info: { library, version }
//   unsupportedCodecs: { [codec]: reason }          (sync, optional)
//   createTopic(topic, partitions)
//   produce(codec, records) -> acks: Map<index, {partition, offset}> (may be empty)
//   consume(n, deadlineMs) -> { step, unsupported?: {step, reason}, reads: Read[] }
//   listOffsets(spec) -> Map<partition, offset> where spec is 'earliest' | 'latest' | {timestamp}
//   deleteTopic(topic)
//   close()
// Read: { partition, offset (number), key (string), value (string), headers: [[k, v]], timestamp (number) }

export const PARTITIONS = 3
export const KEYS = 16
export const PAD = 'abcdefghijklmnopqrstuvwxyz0123456789'.repeat(2)
export const ALL_CODECS = ['none', 'gzip', 'snappy', 'lz4', 'zstd']

export function parseArgs (argv, client) {
  const args = {}
  for (let i = 0; i < argv.length; i++) {
    if (argv[i].startsWith('--') && i + 1 < argv.length) args[argv[i].slice(2)] = argv[++i]
    else usage(client, `unexpected argument ${argv[i]}`)
  }
  if (!args.bootstrap) usage(client, '--bootstrap is required')
  if (!args.topic) usage(client, '--topic is required')
  return {
    bootstrap: args.bootstrap,
    topic: args.topic,
    records: Number(args.records ?? 10000),
    codecs: args.codecs ? args.codecs.split(',') : ALL_CODECS
  }
}

function usage (client, msg) {
  process.stderr.write(`interop (${client}): ${msg}\nusage: --bootstrap HOST:PORT --topic NAME [--records N] [--codecs a,b]\n`)
  process.exit(2)
}

export const key = i => `k${i % KEYS}`
export const value = (i, codec) => `v${i}|${codec}|${PAD}`

/** The records of one codec's slice: indexes [n*c/k, n*(c+1)/k). */
export function makeRecords (n, codecs, t0) {
  const slices = []
  for (let c = 0; c < codecs.length; c++) {
    const codec = codecs[c]
    const from = Math.floor((n * c) / codecs.length)
    const to = Math.floor((n * (c + 1)) / codecs.length)
    const records = []
    for (let i = from; i < to; i++) {
      records.push({ index: i, key: key(i), value: value(i, codec), headers: [['idx', String(i)], ['codec', codec]], timestamp: t0 + i })
    }
    slices.push({ codec, records })
  }
  return slices
}

export async function runScenario (client, driver, argv = process.argv.slice(2)) {
  const opts = parseArgs(argv, client)
  const { topic, records: n } = opts
  const t0 = Math.floor(Date.now() / 1000) * 1000 - 600_000
  let failed = false
  const step = (name, ok, detail) => {
    if (!ok) failed = true
    process.stdout.write(JSON.stringify({ client, step: name, ok, detail }) + '\n')
  }
  const unsupported = (name, reason) => {
    process.stdout.write(JSON.stringify({ client, step: name, ok: false, unsupported: true, reason }) + '\n')
  }

  step('client_info', true, driver.info)
  let created = false
  try {
    await driver.createTopic(topic, PARTITIONS)
    created = true
    step('create_topic', true, { topic, partitions: PARTITIONS })

    const slices = makeRecords(n, opts.codecs, t0)
    const acks = new Map()
    const produced = new Map() // index -> codec, for what was actually produced
    for (const { codec, records } of slices) {
      const reason = driver.unsupportedCodecs?.[codec]
      if (reason) {
        unsupported(`produce_${codec}`, reason)
        continue
      }
      const start = Date.now()
      const got = await driver.produce(codec, records)
      for (const [i, a] of got) acks.set(i, a)
      for (const r of records) produced.set(r.index, codec)
      step(`produce_${codec}`, true, { records: records.length, ms: Date.now() - start })
    }

    const start = Date.now()
    const consumed = await driver.consume(produced.size, Date.now() + 60_000)
    if (consumed.unsupported) unsupported(consumed.unsupported.step, consumed.unsupported.reason)
    const reads = consumed.reads
    step(consumed.step, reads.length === produced.size, { records: reads.length, expected: produced.size, ms: Date.now() - start })

    const byPartition = checks(step, reads, produced, t0, acks)
    await offsetChecks(step, driver, byPartition, n, t0)
  } catch (err) {
    step('error', false, { error: String(err?.stack ?? err) })
  } finally {
    if (created) {
      try {
        await driver.deleteTopic(topic)
        step('delete_topic', true, { topic })
      } catch (err) {
        step('delete_topic', false, { error: String(err) })
      }
    }
    try { await driver.close() } catch (err) { process.stderr.write(`close: ${err}\n`) }
  }
  process.exitCode = failed ? 1 : 0
}

const indexOf = r => {
  const h = r.headers.find(([k]) => k === 'idx')
  return h && /^\d+$/.test(h[1]) ? Number(h[1]) : null
}

function detail (problems, extra) {
  return problems.length ? { ...extra, problems: problems.length, first: problems.slice(0, 10) } : extra
}

function checks (step, reads, produced, t0, acks) {
  let problems = []
  const seen = new Set()
  for (const r of reads) {
    const i = indexOf(r)
    if (i === null || !produced.has(i)) { problems.push(`bad idx header at p${r.partition}@${r.offset}`); continue }
    if (seen.has(i)) { problems.push(`record ${i} read twice`); continue }
    seen.add(i)
    const codec = produced.get(i)
    if (r.key !== key(i)) problems.push(`record ${i}: key ${r.key}`)
    if (r.value !== value(i, codec)) problems.push(`record ${i}: value ${r.value}`)
    const h = r.headers
    if (h.length !== 2 || h[0][0] !== 'idx' || h[1][0] !== 'codec' || h[1][1] !== codec) problems.push(`record ${i}: headers ${JSON.stringify(h)}`)
    if (r.timestamp !== t0 + i) problems.push(`record ${i}: timestamp ${r.timestamp} != ${t0 + i}`)
  }
  for (const i of produced.keys()) {
    if (problems.length >= 20) break
    if (!seen.has(i)) problems.push(`record ${i} missing`)
  }
  step('check_content', problems.length === 0, detail(problems, { records: reads.length }))

  problems = []
  const byPartition = new Map()
  for (let p = 0; p < PARTITIONS; p++) byPartition.set(p, [])
  for (const r of reads) {
    if (!byPartition.has(r.partition)) byPartition.set(r.partition, [])
    byPartition.get(r.partition).push(r)
  }
  const perPartition = {}
  for (const [p, list] of byPartition) {
    list.sort((a, b) => a.offset - b.offset)
    perPartition[p] = list.length
    let expect = 0
    let last = -1
    for (const r of list) {
      if (r.offset !== expect) problems.push(`p${p}: offset ${r.offset} where ${expect} expected`)
      expect = r.offset + 1
      const i = indexOf(r)
      if (i !== null && i <= last) problems.push(`p${p}: record ${i} after ${last}`)
      if (i !== null) last = i
    }
  }
  step('check_order', problems.length === 0, detail(problems, { perPartition }))

  problems = []
  const keyPartition = new Map()
  for (const r of reads) {
    const prev = keyPartition.get(r.key)
    if (prev === undefined) keyPartition.set(r.key, r.partition)
    else if (prev !== r.partition) problems.push(`key ${r.key} on p${prev} and p${r.partition}`)
    const a = acks.get(indexOf(r))
    if (a && (a.partition !== r.partition || a.offset !== r.offset)) {
      problems.push(`record ${indexOf(r)} acked at p${a.partition}@${a.offset}, read at p${r.partition}@${r.offset}`)
    }
  }
  step('check_key_partition', problems.length === 0, detail(problems, { keys: keyPartition.size, acks: acks.size }))
  return byPartition
}

const obj = m => Object.fromEntries([...m].sort((a, b) => a[0] - b[0]))

async function offsetChecks (step, driver, byPartition, n, t0) {
  const earliest = await driver.listOffsets('earliest')
  let problems = []
  for (let p = 0; p < PARTITIONS; p++) if (earliest.get(p) !== 0) problems.push(`p${p}: earliest ${earliest.get(p)}`)
  step('list_offsets_earliest', problems.length === 0, detail(problems, { offsets: obj(earliest) }))

  const latest = await driver.listOffsets('latest')
  problems = []
  for (let p = 0; p < PARTITIONS; p++) {
    const expected = byPartition.get(p).length
    if (latest.get(p) !== expected) problems.push(`p${p}: latest ${latest.get(p)}, expected ${expected}`)
  }
  step('list_offsets_latest', problems.length === 0, detail(problems, { offsets: obj(latest) }))

  problems = []
  const seen = {}
  for (const target of [t0, t0 + Math.floor(n / 2), t0 + n + 1000]) {
    const got = await driver.listOffsets({ timestamp: target })
    seen[target - t0] = obj(got)
    for (let p = 0; p < PARTITIONS; p++) {
      const hit = byPartition.get(p).find(r => r.timestamp >= target)
      const expected = hit ? hit.offset : -1
      const actual = got.get(p)
      const ok = actual === expected || (expected === -1 && actual === latest.get(p))
      if (!ok) problems.push(`T0+${target - t0} p${p}: ${actual}, expected ${expected}`)
    }
  }
  step('list_offsets_timestamp', problems.length === 0, detail(problems, { offsets: seen }))
}
