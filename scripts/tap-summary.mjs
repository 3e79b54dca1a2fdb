#!/usr/bin/env node
// Reads tap's output on stdin, passes it through, and ends with the plain line CI reads:
// "N passed, N failed". Exits non-zero when anything failed or no test ran.
import { createInterface } from 'node:readline';
import { writeFileSync } from 'node:fs';

let total = null;
let pass = 0;
let fail = 0;
// The names of the subtests open at each depth, so a failure can be reported with its
// file and test path: CI shows only the tail of the output, where the list is repeated.
const open = [];
const failures = [];
const rl = createInterface({ input: process.stdin });
rl.on('line', (line) => {
  process.stdout.write(line + '\n');
  const indent = /^ */.exec(line)[0].length;
  const depth = Math.floor(indent / 4);
  const sub = /^\s*# Subtest: (.*)$/.exec(line);
  if (sub) {
    open.length = depth;
    open[depth] = sub[1];
  }
  const notOk = /^\s*not ok \d+ - (.*?)(?: # time=.*)?$/.exec(line);
  if (notOk && !/# (SKIP|TODO)/.test(line)) {
    const where = open.slice(0, depth).join(' > ');
    failures.push(where ? `${where} > ${notOk[1]}` : notOk[1]);
  }
  // tap's closing summary: "# { total: 12, pass: 11, fail: 1, skip: 0 }"
  const m = /^# \{ total: (\d+)(.*)\}\s*$/.exec(line);
  if (m) {
    total = Number(m[1]);
    pass = Number(/pass: (\d+)/.exec(m[2])?.[1] ?? 0);
    fail = Number(/fail: (\d+)/.exec(m[2])?.[1] ?? 0);
    const skip = Number(/skip: (\d+)/.exec(m[2])?.[1] ?? 0);
    const todo = Number(/todo: (\d+)/.exec(m[2])?.[1] ?? 0);
    // A skipped test is not a passing test: count it as failed.
    fail += skip + todo;
  }
});
rl.on('close', () => {
  if (total === null) {
    process.stdout.write('tap printed no summary\n0 passed, 1 failed\n');
    if (process.env.TAP_SUMMARY_FILE) writeFileSync(process.env.TAP_SUMMARY_FILE, '0 1\n');
    process.exit(1);
  }
  if (failures.length > 0) {
    const list = ['failed (file > subtest > assertion):', ...failures.slice(0, 60).map((f) => `  ${f}`)];
    if (failures.length > 60) list.push(`  ... and ${failures.length - 60} more`);
    process.stdout.write(list.join('\n') + '\n');
    if (process.env.TAP_FAILURES_FILE) writeFileSync(process.env.TAP_FAILURES_FILE, list.join('\n') + '\n');
  }
  process.stdout.write(`${pass} passed, ${fail} failed\n`);
  // .ci/run adds the benchmark smoke pass to these counts and prints the closing line itself.
  if (process.env.TAP_SUMMARY_FILE) writeFileSync(process.env.TAP_SUMMARY_FILE, `${pass} ${fail}\n`);
  process.exit(fail > 0 || pass === 0 ? 1 : 0);
});
