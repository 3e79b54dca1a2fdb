/**
 * Online group migration with real clients (issue 15): a running group of three Java 4.4 classic
 * consumers (default assignors: the eager protocol) reading a 6-partition topic under continuous
 * production is rolled one member at a time to group.protocol=consumer (the first consumer-protocol
 * member upgrades the group to a consumer group; the classic members are served inside it), then
 * rolled back one at a time (the departure of the last consumer-protocol member downgrades it to a
 * classic group). Each roll stops a member cleanly and starts its replacement, then waits for the
 * group to settle (every partition owned, each live member holding some) before the next, as an
 * operator rolls a deployment.
 *
 * Asserted, from the members' own rebalance-listener reports (GroupMigration.java, wall-clock
 * timestamps on one machine) and from the broker (sampled over the wire, so the same checks run
 * against Apache Kafka):
 * - no partition is owned by two members at once (ownership intervals never overlap);
 * - committed offsets never go backwards (OffsetFetch sampled every 100 ms) and none is lost: a
 *   record reported as committed is never delivered again;
 * - every produced record is consumed at least once; a record consumed twice was one whose commit
 *   had been refused in a rebalance (the rebalance window);
 * - the group is a consumer group once the first member is rolled, a classic group at the end.
 *
 * MIGRATION_BOOTSTRAP=host:port runs the same scenario against that broker instead, to compare with
 * Apache Kafka 4.4 started by the bench's script with the same consumer-protocol timeouts:
 *   KAFKA_EXTRA_PROPS="$(printf 'group.consumer.min.session.timeout.ms=1000\ngroup.consumer.session.timeout.ms=6000\n
 *   group.consumer.min.heartbeat.interval.ms=500\ngroup.consumer.heartbeat.interval.ms=500')" bash bench/kafka/start-kafka.sh PORT DIR
 */
import { spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { until } from '../helpers/until.js';
import t from 'tap';
import type { Test as TapTest } from 'tap';
import { MiniKafka } from '../../src/index.js';
import { WireClient } from '../helpers/wire-client.js';
import { produceOne } from '../helpers/data-path.js';
import { buildBatchSync } from '../../src/protocol/records/index.js';
import { CreateTopicsApi, ListGroupsApi, OffsetFetchApi } from '../../src/protocol/messages/index.js';
import { ErrorCode } from '../../src/protocol/errors.js';
import { root, setupClients } from './harness.js';

const PARTITIONS = 6;
const JAVA = ['java', '-cp', join(root, 'test/interop/java/target/interop.jar'), 'dev.minikafka.interop.GroupMigration'];
const CONSUMER_TIMEOUTS = {
  'group.consumer.min.session.timeout.ms': 1000,
  'group.consumer.session.timeout.ms': 6000,
  'group.consumer.min.heartbeat.interval.ms': 500,
  'group.consumer.heartbeat.interval.ms': 500,
};

interface Event {
  readonly event: string;
  readonly ts: number;
  readonly partitions?: number[];
  readonly records?: [number, number][];
  readonly committed?: boolean;
  readonly error?: string;
}

/** One member process and everything it reported. */
class Member {
  readonly proc: ChildProcessWithoutNullStreams;
  readonly events: Event[] = [];
  readonly owned = new Set<number>();
  stderr = '';
  exited = false;
  readonly #exit: Promise<void>;

  constructor(
    readonly name: string,
    readonly protocol: 'classic' | 'consumer',
    a: { bootstrap: string; topic: string; group: string },
  ) {
    const args = [...JAVA.slice(1), '--bootstrap', a.bootstrap, '--topic', a.topic, '--group', a.group, '--protocol', protocol, '--name', name];
    this.proc = spawn(JAVA[0]!, args, { cwd: root, stdio: ['pipe', 'pipe', 'pipe'] });
    let buf = '';
    this.proc.stdout.setEncoding('utf8').on('data', (s: string) => {
      buf += s;
      for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
        const line = buf.slice(0, i).trim();
        buf = buf.slice(i + 1);
        if (!line.startsWith('{')) continue;
        const e = JSON.parse(line) as Event;
        this.events.push(e);
        if (e.event === 'assigned') for (const p of e.partitions!) this.owned.add(p);
        if (e.event === 'revoked' || e.event === 'lost') for (const p of e.partitions!) this.owned.delete(p);
      }
    });
    this.proc.stderr.setEncoding('utf8').on('data', (s: string) => (this.stderr = (this.stderr + s).slice(-4000)));
    this.#exit = new Promise((resolve) => this.proc.on('close', () => ((this.exited = true), resolve())));
  }

  async stop(): Promise<void> {
    if (!this.exited) this.proc.stdin.write('stop\n');
    await Promise.race([this.#exit, sleep(30_000).then(() => this.kill())]);
  }

  async kill(): Promise<void> {
    if (!this.exited) this.proc.kill('SIGKILL');
    await this.#exit;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}


/** Settled: the live members own every partition, each exactly once, each member some. */
function settled(live: readonly Member[]): boolean {
  const all = live.flatMap((m) => [...m.owned]).sort((a, b) => a - b);
  return live.every((m) => m.owned.size > 0) && all.length === PARTITIONS && all.every((p, i) => p === i);
}

/** [start, end) ownership intervals per partition, from assigned/revoked/lost/closed reports. */
function ownershipIntervals(members: readonly Member[]): Map<number, { member: string; start: number; end: number }[]> {
  const out = new Map<number, { member: string; start: number; end: number }[]>();
  for (const m of members) {
    const open = new Map<number, number>();
    const close = (p: number, ts: number) => {
      const start = open.get(p);
      if (start === undefined) return;
      open.delete(p);
      const list = out.get(p) ?? [];
      list.push({ member: m.name, start, end: ts });
      out.set(p, list);
    };
    for (const e of m.events) {
      if (e.event === 'assigned') for (const p of e.partitions!) if (!open.has(p)) open.set(p, e.ts);
      if (e.event === 'revoked' || e.event === 'lost') for (const p of e.partitions!) close(p, e.ts);
    }
    const last = m.events.at(-1)?.ts ?? Date.now();
    for (const p of [...open.keys()]) close(p, m.exited ? last : Number.MAX_SAFE_INTEGER);
  }
  return out;
}

/** minikafka in-process, or the broker at MIGRATION_BOOTSTRAP (an Apache Kafka to compare with). */
async function startBroker(t: TapTest): Promise<string> {
  const external = process.env['MIGRATION_BOOTSTRAP'];
  if (external) return external;
  const kafka = await MiniKafka.start({ config: CONSUMER_TIMEOUTS });
  t.teardown(() => kafka.stop());
  return kafka.bootstrapServers;
}

t.setTimeout(15 * 60_000);
const setupError = setupClients('java');
if (setupError !== null) {
  t.fail(setupError);
} else {
  t.test('three Java classic consumers rolled to group.protocol=consumer and back', async (t) => {
    const bootstrap = await startBroker(t);
    const wire = await WireClient.connect(bootstrap);
    t.teardown(() => wire.close());
    const id = randomBytes(3).toString('hex');
    const topic = `migration-${id}`;
    const group = `migration-${id}-g`;
    const created = await wire.request(CreateTopicsApi, 5, { topics: [{ name: topic, numPartitions: PARTITIONS, replicationFactor: 1, assignments: [], configs: [] }], timeoutMs: 30_000, validateOnly: false });
    t.strictSame(created.topics.map((x) => x.errorCode), [0], 'topic created');

    // Continuous production: one record per partition in turn, every 20 ms; the end offsets are what must be read.
    const produced = new Array<number>(PARTITIONS).fill(0);
    let producing = true;
    let produceError: string | null = null;
    const producer = (async () => {
      for (let i = 0; producing; i++) {
        const p = i % PARTITIONS;
        const r = await produceOne(wire, topic, buildBatchSync([{ key: null, value: Buffer.from(`r-${i}`), timestamp: Date.now() }]), { partition: p });
        // A new topic's leaders may not be known yet (Apache Kafka): retriable, try again.
        if (r.errorCode === ErrorCode.NOT_LEADER_OR_FOLLOWER || r.errorCode === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION) {
          await sleep(100);
          continue;
        }
        if (r.errorCode !== 0) {
          produceError = `produce to ${topic}-${p}: error ${r.errorCode}`;
          return;
        }
        produced[p] = Number(r.baseOffset) + 1;
        await sleep(20);
      }
    })();

    // Committed offsets and the group's type, sampled from the broker over the wire.
    const commitHistory = new Map<number, number[]>();
    const typeHistory: string[] = [];
    let sampling = true;
    const sampler = (async () => {
      const c = await WireClient.connect(bootstrap);
      try {
        while (sampling) {
          const f = await c.request(OffsetFetchApi, 8, { groupId: '', topics: null, groups: [{ groupId: group, memberId: null, memberEpoch: -1, topics: null }], requireStable: false });
          for (const tp of f.groups[0]?.topics ?? []) {
            for (const p of tp.partitions) {
              const h = commitHistory.get(p.partitionIndex) ?? [];
              if (p.committedOffset >= 0n && h.at(-1) !== Number(p.committedOffset)) h.push(Number(p.committedOffset));
              commitHistory.set(p.partitionIndex, h);
            }
          }
          const l = await c.request(ListGroupsApi, 5, { statesFilter: [], typesFilter: [] });
          const type = l.groups.find((g) => g.groupId === group)?.groupType;
          if (type !== undefined && typeHistory.at(-1) !== type) typeHistory.push(type);
          await sleep(100);
        }
      } finally {
        c.close();
      }
    })();

    const args = { bootstrap, topic, group };
    const all: Member[] = [];
    const live: Member[] = [];
    const start = (name: string, protocol: 'classic' | 'consumer') => {
      const m = new Member(name, protocol, args);
      all.push(m);
      return m;
    };
    t.teardown(async () => {
      producing = false;
      sampling = false;
      await Promise.all(all.map((m) => m.kill()));
    });
    const diag = () => ({ owned: live.map((m) => [m.name, [...m.owned]]), stderr: all.map((m) => `${m.name}: ${m.stderr.slice(-1500)}`) });
    try {
      for (let i = 0; i < 3; i++) live.push(start(`classic-${i}`, 'classic'));
      const ms = await until('three classic members to split the partitions', () => settled(live), 90_000);
      t.pass(`three classic members own the ${PARTITIONS} partitions (${ms} ms)`);

      const roll = async (i: number, protocol: 'classic' | 'consumer', name: string) => {
        await live[i]!.stop();
        live[i] = start(name, protocol);
        const took = await until(`the group to settle after ${name} replaced member ${i}`, () => settled(live), 90_000);
        t.pass(`member ${i} rolled to ${protocol} (${name}); the group settled in ${took} ms: ${JSON.stringify(live.map((m) => [m.name, [...m.owned].sort()]))}`);
      };
      for (let i = 0; i < 3; i++) await roll(i, 'consumer', `consumer-${i}`);
      for (let i = 0; i < 3; i++) await roll(i, 'classic', `classic-again-${i}`);

      producing = false;
      await producer;
      t.equal(produceError, null, 'production went on without errors');
      const consumedAll = () => {
        const seen = new Set(all.flatMap((m) => m.events.flatMap((e) => (e.records ?? []).map(([p, o]) => `${p}:${o}`))));
        return produced.every((end, p) => Array.from({ length: end }, (_, o) => seen.has(`${p}:${o}`)).every(Boolean));
      };
      await until('every produced record to be consumed', consumedAll, 60_000);
      for (const m of live) await m.stop();
      sampling = false;
      await sampler;

      // 1. No partition owned by two members at once.
      const overlaps: string[] = [];
      for (const [p, intervals] of ownershipIntervals(all)) {
        for (const a of intervals) {
          for (const b of intervals) {
            if (a !== b && a.member !== b.member && a.start < b.end && b.start < a.end) overlaps.push(`p${p}: ${a.member} [${a.start}, ${a.end}) and ${b.member} [${b.start}, ${b.end})`);
          }
        }
      }
      t.strictSame(overlaps, [], 'no partition was owned by two members at once');

      // 2. Committed offsets never go backwards, and a committed record is never delivered again.
      for (let p = 0; p < PARTITIONS; p++) {
        const h = commitHistory.get(p) ?? [];
        t.ok(h.length > 0 && h.every((o, i) => i === 0 || o >= h[i - 1]!), `partition ${p}: committed offsets never went backwards (${h.length} values sampled, last ${h.at(-1)})`);
        t.equal(h.at(-1), produced[p], `partition ${p}: everything produced is committed at the end`);
      }
      const deliveries: { key: string; ts: number; committed: boolean; member: string }[] = [];
      for (const m of all) for (const e of m.events) for (const [p, o] of e.records ?? []) deliveries.push({ key: `${p}:${o}`, ts: e.ts, committed: e.committed === true, member: m.name });
      deliveries.sort((a, b) => a.ts - b.ts);
      const committedAt = new Map<string, number>();
      const redelivered: string[] = [];
      let duplicates = 0;
      const seen = new Set<string>();
      for (const d of deliveries) {
        if (seen.has(d.key)) duplicates++;
        seen.add(d.key);
        if (committedAt.has(d.key)) redelivered.push(`${d.key} to ${d.member}`);
        if (d.committed && !committedAt.has(d.key)) committedAt.set(d.key, d.ts);
      }
      t.strictSame(redelivered, [], 'no committed record was delivered again (no committed offset lost)');
      const refused = new Map<string, number>();
      for (const m of all) for (const e of m.events) if (e.event === 'records' && e.committed !== true) refused.set(`${m.protocol} ${e.error}`, (refused.get(`${m.protocol} ${e.error}`) ?? 0) + 1);
      t.ok(consumedAll(), `every produced record was consumed (${produced.reduce((a, b) => a + b, 0)} records, ${duplicates} duplicates, all of batches whose commit a rebalance refused: ${JSON.stringify(Object.fromEntries(refused))})`);

      // 3. The conversions happened.
      t.strictSame(typeHistory.filter((x, i) => i === 0 || typeHistory[i - 1] !== x), ['classic', 'consumer', 'classic'], `the group went classic -> consumer -> classic (${typeHistory.join(' -> ')})`);
    } catch (e) {
      t.fail(String(e), diag());
    }
  });
}
