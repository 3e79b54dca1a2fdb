// The transaction scenario (test/interop/SCENARIO.md, "The transaction scenario"): of N records,
// [0, N/2) are committed in a first transaction, [N/2, 3N/4) aborted in a second, [3N/4, N) committed
// in a third; read_committed consumers must see exactly the committed ones, read_uncommitted ones
// all, and neither a control record. Record i has key k<i % 16> and value "t<i>|c" or "t<i>|a".
//
// Driver interface (all async):
//   info: { library, version }
//   createTopic(topic, partitions)
//   produceTransaction(records [{ index, key, value }], commit)
//   consume(isolation 'read_committed' | 'read_uncommitted', n, deadlineMs) -> value strings
//   deleteTopic(topic)
//   close()
import { PARTITIONS, key } from './scenario.mjs'

export function parseTxnArgs (argv, client) {
  const args = {}
  for (let i = 0; i < argv.length; i++) {
    if (argv[i].startsWith('--') && i + 1 < argv.length) args[argv[i].slice(2)] = argv[++i]
    else usage(client, `unexpected argument ${argv[i]}`)
  }
  if (!args.bootstrap || !args.topic) usage(client, '--bootstrap and --topic are required')
  return { bootstrap: args.bootstrap, topic: args.topic, records: Number(args.records ?? 1000) }
}

function usage (client, msg) {
  process.stderr.write(`interop (${client}): ${msg}\nusage: --bootstrap HOST:PORT --topic NAME [--records N]\n`)
  process.exit(2)
}

export const txnValue = (i, commit) => `t${i}|${commit ? 'c' : 'a'}`

export function indexOfValue (v) {
  const m = typeof v === 'string' ? /^t(\d+)\|[ca]$/.exec(v) : null
  return m ? Number(m[1]) : -1
}

function compare (values, expected) {
  const problems = []
  const want = new Set(expected)
  const seen = new Map()
  for (const v of values) {
    const i = indexOfValue(v)
    if (i < 0) { problems.push(`not a record of the scenario: ${JSON.stringify(v)}`); continue }
    seen.set(i, (seen.get(i) ?? 0) + 1)
    if (seen.get(i) === 2) problems.push(`record ${i} read twice`)
    if (!want.has(i)) problems.push(`record ${i} (${v}) should not be visible`)
  }
  for (const i of expected) if (!seen.has(i) && problems.length < 50) problems.push(`record ${i} missing`)
  return problems
}

function detail (problems, extra) {
  return problems.length === 0 ? extra : { ...extra, problems: problems.length, first: problems.slice(0, 10) }
}

export async function runTxnScenario (client, driver, opts) {
  let failed = false
  const step = (name, ok, d) => {
    if (!ok) failed = true
    process.stdout.write(JSON.stringify({ client, step: name, ok, detail: d }) + '\n')
  }
  const n = opts.records
  step('client_info', true, driver.info)
  let created = false
  try {
    await driver.createTopic(opts.topic, PARTITIONS)
    created = true
    step('create_topic', true, { topic: opts.topic, partitions: PARTITIONS })
    const parts = [['txn_commit', 0, Math.floor(n / 2), true], ['txn_abort', Math.floor(n / 2), Math.floor((3 * n) / 4), false], ['txn_commit_after_abort', Math.floor((3 * n) / 4), n, true]]
    const committed = []
    for (const [name, lo, hi, commit] of parts) {
      const records = []
      for (let i = lo; i < hi; i++) records.push({ index: i, key: key(i), value: txnValue(i, commit) })
      const start = Date.now()
      try {
        await driver.produceTransaction(records, commit)
      } catch (e) {
        step(name, false, { error: String(e?.stack ?? e) })
        throw e
      }
      if (commit) for (let i = lo; i < hi; i++) committed.push(i)
      step(name, true, { records: records.length, ms: Date.now() - start })
    }
    const rc = await driver.consume('read_committed', committed.length, Date.now() + 60_000)
    step('consume_read_committed', true, { records: rc.length })
    const ru = await driver.consume('read_uncommitted', n, Date.now() + 60_000)
    step('consume_read_uncommitted', true, { records: ru.length })
    let p = compare(rc, committed)
    step('check_read_committed', p.length === 0, detail(p, { read: rc.length, expected: committed.length }))
    p = compare(ru, [...Array(n).keys()])
    step('check_read_uncommitted', p.length === 0, detail(p, { read: ru.length, expected: n }))
    const leaked = [...rc, ...ru].filter(v => indexOfValue(v) < 0).map(v => JSON.stringify(v))
    step('check_no_control_records', leaked.length === 0, detail(leaked, {}))
  } catch (e) {
    step('error', false, { error: String(e?.stack ?? e) })
  } finally {
    if (created) {
      try {
        await driver.deleteTopic(opts.topic)
        step('delete_topic', true, { topic: opts.topic })
      } catch (e) {
        step('delete_topic', false, { error: String(e) })
      }
    }
    try { await driver.close() } catch (e) { process.stderr.write(`close: ${e}\n`) }
  }
  process.exitCode = failed ? 1 : 0
}
