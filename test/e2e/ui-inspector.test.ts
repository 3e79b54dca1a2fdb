// The web inspector in headless Chromium (Debian's, installed by test/interop/setup.sh; driven by
// playwright-core): a broker seeded with topics, records with headers, a group with lag, an open
// and an aborted transaction; each page opened and its numbers compared with the broker's state;
// records found by offset and by key; the lag seen falling while a consumer commits. Screenshots
// of every page go to test-results/inspector/ (git-ignored) for review.
//
// One browser and one broker for the whole file: Chromium's start is the dominant cost (~1-3 s
// on this machine). Waits are bounded by Playwright's timeouts (15 s: the machine is shared and
// loaded), never by sleeps.
import t from 'tap';
import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import type { Browser, Page } from 'playwright-core';
import { MiniKafka } from '../../src/index.js';
import { KafkaClient } from '../../src/client/client.js';
import { produce } from '../../src/client/producer.js';
import { commitOffsets } from '../../src/client/admin.js';
import { WireClient } from '../helpers/wire-client.js';
import { addPartitions, send, transactionalProducer } from '../helpers/transactions.js';
import { ConsumerGroupHeartbeatApi } from '../../src/protocol/messages/index.js';
import { buildBatchSync } from '../../src/protocol/records/index.js';
import { spawn } from 'node:child_process';
import { get } from 'node:http';
import { createInterface } from 'node:readline';

/** The page's `document`, as the functions run in the browser use it (the test compiles without the DOM library). */
interface BrowserNode {
  readonly textContent: string | null;
  getAttribute(name: string): string | null;
}
declare const document: {
  querySelector(selector: string): BrowserNode | null;
  querySelectorAll(selector: string): ArrayLike<BrowserNode> & Iterable<BrowserNode>;
  readonly documentElement: { readonly dataset: Record<string, string | undefined> };
};

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const SHOTS = join(ROOT, 'test-results', 'inspector');
const TIMEOUT = 15_000;

if (!existsSync(CHROMIUM)) {
  t.fail(`no Chromium at ${CHROMIUM}: run bash test/interop/setup.sh chromium (apt-get install chromium), or set CHROMIUM_PATH`);
  process.exit(1);
}
mkdirSync(SHOTS, { recursive: true });

// The seeded member heartbeats once and the open transaction is never ended: their timeouts (45 s
// and 60 s by default) are raised to 10 minutes, as a loaded machine can take longer than the
// defaults to reach the pages that show them.
const kafka = await MiniKafka.start({
  topics: ['orders:2', 'payments'],
  ui: { sampleMs: 200 },
  config: { 'group.consumer.session.timeout.ms': 600_000, 'group.consumer.max.session.timeout.ms': 600_000 },
});
const client = await KafkaClient.connect({ bootstrapServers: kafka.bootstrapServers, clientId: 'seeder' });
const wire = await WireClient.connect(kafka.bootstrapServers);
const browser: Browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
const page: Page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
page.setDefaultTimeout(TIMEOUT);
t.teardown(async () => {
  await browser.close();
  wire.close();
  await client.close();
  await kafka.stop();
});

// ---- seed ----
const base = Date.now() - 60_000;
const orders = Array.from({ length: 20 }, (_, i) => ({
  key: Buffer.from(`order-${i}`),
  value: Buffer.from(JSON.stringify({ id: i, amount: i * 10 })),
  headers: [{ key: 'source', value: Buffer.from(`shop-${i % 3}`) }],
  timestamp: base + i * 1000,
  partition: i % 2,
}));
await produce(client, 'orders', orders);
// payments: committed data, an aborted transaction, and one left open.
await produce(client, 'payments', [{ key: Buffer.from('p-0'), value: Buffer.from('paid'), partition: 0 }]);
await produce(client, 'payments', [{ key: Buffer.from('p-aborted'), value: Buffer.from('never'), partition: 0 }], { transactionalId: 'txn-aborted', abort: true });
const open = await transactionalProducer(wire, 'txn-open', 600_000);
await addPartitions(wire, open, 'payments', [0]);
await send(wire, open, 'payments', 0, [{ key: Buffer.from('p-open'), value: Buffer.from('pending'), timestamp: Date.now() }]);
// billing: committed 2 of 10 on orders-0 and 1 of 10 on orders-1.
await commitOffsets(client, 'billing', [
  { topic: 'orders', partition: 0, offset: 2 },
  { topic: 'orders', partition: 1, offset: 1 },
]);

// reporting: a KIP-848 consumer group whose one member has taken both partitions of orders.
const heartbeat = (memberId: string, memberEpoch: number, topicPartitions: { topicId: string; partitions: number[] }[] | null) =>
  wire.request(ConsumerGroupHeartbeatApi, 0, { groupId: 'reporting', memberId, memberEpoch, instanceId: null, rackId: null, rebalanceTimeoutMs: 30000, subscribedTopicNames: ['orders'], subscribedTopicRegex: null, serverAssignor: null, topicPartitions });
const hb = await heartbeat('', 0, []);
await heartbeat(hb.memberId!, hb.memberEpoch, hb.assignment?.topicPartitions.map((x) => ({ topicId: x.topicId, partitions: x.partitions })) ?? []);

const cell = (p: Page, table: string, row: string, key: string) => p.locator(`[data-testid="${table}"] tr[data-row="${row}"] td[data-k="${key}"]`);
const num = (s: string) => Number(s.replace(/,/g, ''));
async function open_(hash: string): Promise<void> {
  // A fresh load each time: a hash change alone would leave the last page's markers in place.
  await page.goto('about:blank');
  await page.goto(`${kafka.uiUrl}#/${hash}`);
  await page.waitForSelector('main[aria-busy="false"]');
}

t.test('the ready URL serves the page, on the control port, on loopback', async (t) => {
  t.match(kafka.uiUrl, /^http:\/\/127\.0\.0\.1:\d+\/ui\/$/);
  t.equal(new URL(kafka.uiUrl!).port, String(kafka.controlPort));
  const r = await fetch(kafka.uiUrl!);
  t.equal(r.status, 200);
  t.match(await r.text(), /minikafka inspector/);
  // A request addressed to a domain name (DNS rebinding) is refused.
  const status = await new Promise<number>((done, fail) => {
    get(`${kafka.uiUrl}api/overview`, { headers: { host: `rebound.example:${kafka.controlPort}` } }, (res) => (res.resume(), done(res.statusCode ?? 0))).once('error', fail);
  });
  t.equal(status, 403);
});

t.test('cluster overview: totals and topics equal the broker', async (t) => {
  await open_('overview');
  const topics = [...kafka.broker.cluster.topics.all()];
  const records = (name: string) => kafka.broker.cluster.topics.get(name)!.partitions.reduce((n, p) => n + p.log.highWatermark - p.log.logStartOffset, 0);
  t.equal(num(await page.getByTestId('total-topics').innerText()), topics.length);
  t.equal(num(await page.getByTestId('total-partitions').innerText()), topics.reduce((n, x) => n + x.partitions.length, 0));
  t.equal(num(await page.getByTestId('total-records').innerText()), topics.reduce((n, x) => n + records(x.name), 0));
  t.equal(num(await cell(page, 'topics', 'orders', 'records').innerText()), 20);
  t.equal(num(await cell(page, 'topics', 'payments', 'records').innerText()), records('payments'));
  t.equal(await page.getByTestId('listener').first().innerText(), `PLAINTEXT://${kafka.bootstrapServers}`);
  t.equal(num(await cell(page, 'brokers', String(kafka.broker.nodeId), 'port').innerText()), kafka.port);
  // Request rates: the seeding's Produce requests are counted.
  t.ok(num(await cell(page, 'requests', 'Produce', 'count').innerText()) >= 3, 'Produce requests counted');
  await page.screenshot({ path: join(SHOTS, 'overview.png'), fullPage: true });
});

t.test('topic page: partitions equal the logs; configs with sources', async (t) => {
  await open_('topic/payments');
  const p = kafka.broker.cluster.topics.partition('payments', 0)!.log;
  t.equal(num(await cell(page, 'partitions', '0', 'logStartOffset').innerText()), p.logStartOffset);
  t.equal(num(await cell(page, 'partitions', '0', 'highWatermark').innerText()), p.highWatermark);
  t.equal(num(await cell(page, 'partitions', '0', 'lastStableOffset').innerText()), p.lastStableOffset);
  t.ok(p.lastStableOffset < p.highWatermark, 'the open transaction holds the LSO back');
  t.equal(num(await cell(page, 'partitions', '0', 'segments').innerText()), p.numberOfSegments);
  t.equal(num(await cell(page, 'partitions', '0', 'openTransactions').innerText()), 1);
  t.equal(num(await cell(page, 'partitions', '0', 'abortedTransactions').innerText()), 1);
  t.equal(await cell(page, 'configs', 'cleanup.policy', 'source').textContent(), 'DEFAULT_CONFIG', 'in the collapsed configs table');
  // The browser opens on the newest records: the open one first, the aborted one and its marker marked.
  const rows = page.locator('[data-testid="records"] tbody tr');
  await rows.first().waitFor();
  t.match(await page.locator('[data-testid="records"] tr', { hasText: 'p-open' }).innerText(), /open txn/);
  t.match(await page.locator('[data-testid="records"] tr', { hasText: 'p-aborted' }).innerText(), /aborted/);
  t.equal(await page.locator('[data-testid="records"] tr', { hasText: 'ABORT marker' }).count(), 1, 'the abort marker is shown');
  await page.screenshot({ path: join(SHOTS, 'topic.png'), fullPage: true });
});

t.test('message browser: by offset and by key, with headers, decoded as JSON and hex', async (t) => {
  await open_('topic/orders');
  await page.selectOption('#b-partition', '1');
  await page.selectOption('#b-mode', 'offset');
  await page.fill('#b-value', '3');
  await page.fill('#b-limit', '2');
  await page.click('form[data-testid="browse-form"] button[type=submit]');
  // Partition 1 holds orders 1, 3, 5, ...: offset 3 is order-7.
  await page.locator('[data-testid="records"] tr[data-row="1:3"]').waitFor();
  t.equal(await cell(page, 'records', '1:3', 'key').innerText(), 'order-7');
  t.equal(await cell(page, 'records', '1:3', 'headers').innerText(), 'source: shop-1');
  t.equal(await page.locator('[data-testid="records"] tbody tr').count(), 2, 'the limit is kept');
  await page.selectOption('#b-decode', 'json');
  t.strictSame(JSON.parse(await cell(page, 'records', '1:3', 'value').innerText()), { id: 7, amount: 70 });
  await page.selectOption('#b-decode', 'hex');
  t.match(await cell(page, 'records', '1:3', 'key').innerText(), /^000000 {2}6f 72 64 65 72 2d 37/);

  await page.selectOption('#b-decode', 'text');
  await page.selectOption('#b-partition', '');
  await page.selectOption('#b-mode', 'key');
  await page.fill('#b-value', 'order-12');
  await page.click('form[data-testid="browse-form"] button[type=submit]');
  await page.locator('[data-testid="records"] tr[data-row="0:6"]').waitFor();
  t.equal(await page.locator('[data-testid="records"] tbody tr').count(), 1, 'only the matching key');
  t.equal(await cell(page, 'records', '0:6', 'key').innerText(), 'order-12');

  await page.selectOption('#b-mode', 'time');
  await page.fill('#b-value', new Date(base + 15_000).toISOString());
  await page.fill('#b-limit', '3');
  await page.click('form[data-testid="browse-form"] button[type=submit]');
  await page.locator('[data-testid="records"] tr[data-row="1:7"]').waitFor();
  t.equal(await cell(page, 'records', '1:7', 'key').innerText(), 'order-15', 'the first record at or after the time');
});

t.test('groups: lag per partition equals high watermark minus committed', async (t) => {
  await open_('groups');
  t.equal(num(await cell(page, 'groups', 'billing', 'lag').innerText()), 8 + 9);
  t.equal(await cell(page, 'groups', 'reporting', 'type').innerText(), 'consumer');
  await page.screenshot({ path: join(SHOTS, 'groups.png'), fullPage: true });
  // Redrawn every sample, an unchanged row stays the same element (what lets a click land on it).
  const redraws = await page.evaluate(() => {
    const row = document.querySelector('[data-testid="groups"] tr[data-row="billing"]') as unknown as Record<string, unknown>;
    row.seen = true;
    return Number(document.querySelector('main')?.getAttribute('data-redraws') ?? 0);
  });
  await page.waitForFunction((n) => Number(document.querySelector('main')?.getAttribute('data-redraws') ?? 0) >= n + 2, redraws);
  t.equal(await page.evaluate(() => (document.querySelector('[data-testid="groups"] tr[data-row="billing"]') as unknown as Record<string, unknown>).seen), true, 'the unchanged row survived two redraws');
  await page.click('[data-testid="groups"] a:text("billing")');
  await page.waitForSelector('[data-testid="offsets"]');
  t.equal(num(await cell(page, 'offsets', 'orders-0', 'committed').innerText()), 2);
  t.equal(num(await cell(page, 'offsets', 'orders-0', 'lag').innerText()), 8);
  t.equal(num(await cell(page, 'offsets', 'orders-1', 'lag').innerText()), 9);
  t.equal(await page.getByTestId('group-state').innerText(), kafka.broker.groups.group('billing')!.state);
});

t.test('a consumer group: its member and the member\'s assignment', async (t) => {
  await open_('group/reporting');
  t.equal(await page.getByTestId('group-type').innerText(), 'consumer');
  t.equal(await page.getByTestId('group-state').innerText(), kafka.broker.groups.group('reporting')!.state);
  t.equal(num(await page.getByTestId('group-members').innerText()), 1);
  t.equal(await cell(page, 'members', hb.memberId!, 'assignment').innerText(), 'orders-0, orders-1');
  t.equal(await cell(page, 'offsets', 'orders-1', 'committed').innerText(), '-', 'assigned, nothing committed');
  t.match(await cell(page, 'offsets', 'orders-1', 'owner').innerText(), /^wire-test/);
});

t.test('lag falls on the page while a consumer commits', async (t) => {
  // On billing's page, a consumer commits its way to the end, one offset at a time.
  await open_('group/billing');
  const seen: number[] = [];
  const lag = page.getByTestId('group-lag');
  const watch = (async () => {
    for (;;) {
      const v = num(await lag.innerText());
      if (seen.at(-1) !== v) seen.push(v);
      if (v === 0) return;
      await page.waitForFunction((prev) => document.querySelector('[data-testid="group-lag"]')?.textContent !== prev, String(v), { timeout: TIMEOUT });
    }
  })();
  for (let o = 3; o <= 10; o++) {
    await commitOffsets(client, 'billing', [
      { topic: 'orders', partition: 0, offset: o },
      { topic: 'orders', partition: 1, offset: o },
    ]);
    // Each step stays long enough (two samples) for the page to show it.
    await page.waitForFunction((want) => document.querySelector('[data-testid="group-lag"]')?.textContent === want, String(20 - 2 * o), { timeout: TIMEOUT });
  }
  await watch;
  t.equal(seen.at(-1), 0, 'the lag reaches zero');
  t.ok(seen.length >= 5, `the page showed the lag falling step by step: ${seen.join(' → ')}`);
  t.strictSame(seen, [...seen].sort((a, b) => b - a), 'and never rising');
  t.match(await page.getByTestId('lag-chart').getAttribute('aria-label'), /now lag 0/);
  await page.screenshot({ path: join(SHOTS, 'group.png'), fullPage: true });
});

t.test('transactions: the open one Ongoing on its partition, the aborted one complete', async (t) => {
  await open_('transactions');
  t.equal(await cell(page, 'transactions', 'txn-open', 'state').innerText(), 'Ongoing');
  t.equal(await cell(page, 'transactions', 'txn-open', 'partitions').innerText(), 'payments-0');
  t.equal(await cell(page, 'transactions', 'txn-aborted', 'state').innerText(), 'CompleteAbort');
  const pid = String(open.producerId);
  t.equal(num(await cell(page, 'producers', `payments-0:${pid}`, 'currentTxnFirstOffset').innerText()), kafka.broker.cluster.topics.partition('payments', 0)!.log.lastStableOffset);
  t.equal(await cell(page, 'producers', `payments-0:${pid}`, 'hanging').innerText(), '', 'known to the coordinator: not hanging');
  // A transaction the coordinator never heard of (as after it lost its state): written straight
  // into the log, it holds ledger-0's last stable offset back, and the page calls it hanging.
  kafka.createTopic('ledger');
  const ledger = kafka.broker.cluster.topics.partition('ledger', 0)!;
  const batch = buildBatchSync([{ key: null, value: Buffer.from('stuck'), timestamp: Date.now() }], { baseOffset: 0, producerId: 999_999, producerEpoch: 0, baseSequence: 0, transactional: true });
  ledger.append(batch, { baseOffset: 0, lastOffset: 0, maxTimestamp: Date.now(), producerId: 999_999, producerEpoch: 0, baseSequence: 0, isTransactional: true });
  await open_('transactions');
  t.equal(await cell(page, 'producers', 'ledger-0:999999', 'hanging').innerText(), 'hanging');
  t.equal(num(await cell(page, 'producers', 'ledger-0:999999', 'currentTxnFirstOffset').innerText()), 0);
  await page.screenshot({ path: join(SHOTS, 'transactions.png'), fullPage: true });
});

t.test('live traffic: the decoded trace grows, filters and pauses', async (t) => {
  await open_('traffic');
  const apis = () => page.locator('[data-testid="trace"] td[data-k="api"]').allInnerTexts();
  t.ok((await apis()).some((x) => x.startsWith('Metadata')), 'the seeding client\'s Metadata requests are in the trace');
  await page.fill('#trace-filter', 'Produce');
  await produce(client, 'orders', [{ key: Buffer.from('live-key'), value: Buffer.from('x'), partition: 0 }]);
  await page.waitForFunction((n) => document.querySelectorAll('[data-testid="trace"] td[data-k="api"]').length > n, (await apis()).length);
  const shown = await apis();
  t.notOk(shown.some((x) => x.startsWith('Metadata')), 'the filter leaves Metadata out');
  t.ok(shown[0]!.startsWith('Produce'), 'the newest request first');
  t.match(await cell(page, 'trace', shown.length > 0 ? await page.locator('[data-testid="trace"] tbody tr').first().getAttribute('data-row') ?? '' : '', 'summary').textContent(), /bytes>/, 'record bytes are summarised as their size');
  await page.click('[data-testid="pause"]');
  const before = await page.locator('[data-testid="trace"] tbody tr').count();
  await produce(client, 'orders', [{ key: null, value: Buffer.from('y'), partition: 0 }]);
  await page.waitForFunction(() => /paused, [1-9]/.test(document.querySelector('[data-testid="trace-count"]')?.textContent ?? ''));
  t.equal(await page.locator('[data-testid="trace"] tbody tr').count(), before, 'paused: no new rows');
  await page.screenshot({ path: join(SHOTS, 'traffic.png'), fullPage: true });
});

t.test('control: the clock freezes from the page; dark theme', async (t) => {
  await open_('control');
  t.equal(await page.getByTestId('clock-state').innerText(), 'running');
  await page.click('button:text("Freeze")');
  await page.waitForFunction(() => document.querySelector('[data-testid="clock-state"]')?.textContent === 'frozen');
  t.equal(kafka.clock.state().frozen, true);
  await page.click('button:text("Resume")');
  await page.waitForFunction(() => document.querySelector('[data-testid="clock-state"]')?.textContent === 'running');
  await page.keyboard.press('t');
  t.equal(await page.evaluate(() => document.documentElement.dataset.theme), 'dark');
  await page.keyboard.press('1');
  await page.waitForSelector('main[data-page="overview"]');
  await page.screenshot({ path: join(SHOTS, 'overview-dark.png'), fullPage: true });
});

t.test('the CLI: --ui prints the inspector\'s address, and the page is served from the CLI bundle', async (t) => {
  const child = spawn(process.execPath, [join(ROOT, 'dist/cli.cjs'), 'start', '--port', '0', '--ui', '--log-level', 'warn'], { stdio: ['ignore', 'pipe', 'inherit'] });
  t.teardown(() => void child.kill('SIGTERM'));
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`minikafka exited ${code} before its ready line`)));
  });
  const url = /inspector on (http:\/\/127\.0\.0\.1:\d+\/ui\/)$/.exec(line)?.[1];
  t.ok(url, `the ready line names the inspector: ${line}`);
  await page.goto(url!);
  await page.waitForSelector('main[aria-busy="false"]');
  t.equal(num(await page.getByTestId('total-topics').innerText()), 0, 'a fresh broker: no topics');
  t.equal(await page.getByTestId('listener').first().innerText(), `PLAINTEXT://${/ready on (\S+)/.exec(line)![1]}`);
});
