// Virtual time against a real client: a Java KafkaConsumer joins a group (classic protocol, then
// the consumer protocol of KIP-848), the test freezes the broker clock and stops the consumer's
// process (SIGSTOP: no more heartbeats, its connection stays open), then advances the clock by the
// session timeout (in two halves: still a member after the first). The broker expires the member at
// once: DescribeGroups (ConsumerGroupDescribe) shows it gone within a few seconds of real time, far
// less than the session timeout itself.
import t from 'tap';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { MiniKafka } from '../../src/index.js';
import { WireClient } from '../helpers/wire-client.js';
import { ConsumerGroupDescribeApi, DescribeGroupsApi } from '../../src/protocol/messages/index.js';
import { javaProgram, root, setupClients } from './harness.js';

/** How long the member may take to be gone after the advance, in real time: generous for a loaded machine. */
const GONE_WITHIN_MS = 5_000;

interface Assigned {
  readonly event: 'assigned';
  readonly memberId: string;
  readonly partitions: number[];
}

/** Starts the Java member; resolves with the process once it reports partitions assigned. */
function startMember(t: { teardown(fn: () => void): void }, args: readonly string[]): Promise<{ child: ChildProcess; assigned: Assigned; stderr: () => string }> {
  const [cmd, ...rest] = javaProgram('GroupMember') as [string, ...string[]];
  const child = spawn(cmd, [...rest, ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  // SIGKILL ends a stopped process too.
  t.teardown(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (s: string) => (stderr += s));
  return new Promise((resolve, reject) => {
    let pending = '';
    // Joining takes a JVM start and a rebalance: well under a minute even on a loaded machine.
    const timer = setTimeout(() => reject(new Error(`the Java member reported no assignment within 90 s\n${stderr.slice(-2000)}`)), 90_000);
    child.stdout!.setEncoding('utf8').on('data', (s: string) => {
      pending += s;
      const lines = pending.split('\n');
      pending = lines.pop()!;
      for (const line of lines) {
        if (!line.startsWith('{')) continue;
        const parsed = JSON.parse(line) as Assigned;
        if (parsed.event === 'assigned' && parsed.partitions.length > 0) {
          clearTimeout(timer);
          resolve({ child, assigned: parsed, stderr: () => stderr });
        }
      }
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`the Java member exited (${code ?? signal}) before it was assigned partitions\n${stderr.slice(-2000)}`));
    });
  });
}

/** Asks the group's members until `gone` says so or the bound passes; returns the real time it took. */
async function untilGone(gone: () => Promise<boolean>, boundMs: number): Promise<number> {
  const started = Date.now();
  while (!(await gone())) {
    if (Date.now() - started > boundMs) throw new Error(`the member was still in the group ${boundMs} ms after the advance`);
    await new Promise((r) => setTimeout(r, 20));
  }
  return Date.now() - started;
}

for (const protocol of ['classic', 'consumer'] as const) {
  t.test(`Java consumer (${protocol} protocol): expired by a clock advance of the session timeout, not by waiting`, async (t) => {
    const setup = setupClients('java');
    if (setup !== null) throw new Error(setup);
    // classic: the client's session.timeout.ms; consumer: the broker's group.consumer.session.timeout.ms (default 45 s).
    const sessionMs = protocol === 'classic' ? 30_000 : 45_000;
    await using kafka = await MiniKafka.start({ topics: ['orders:2'], controlPort: 0, config: { 'group.initial.rebalance.delay.ms': 0 } });
    const group = `expiry-${protocol}`;
    const { child, assigned } = await startMember(t, ['--bootstrap', kafka.bootstrapServers, '--topic', 'orders', '--group', group, '--protocol', protocol, '--session-timeout-ms', String(sessionMs)]);
    t.same([...assigned.partitions].sort(), [0, 1], 'the member owns both partitions');
    const stable = await kafka.waitFor.group(group, { members: 1, timeoutMs: 30_000 });
    t.equal(stable.type, protocol);

    const c = await WireClient.connect(kafka.bootstrapServers);
    t.teardown(() => c.close());
    const members = async (): Promise<string[]> => {
      if (protocol === 'classic') {
        const g = (await c.request(DescribeGroupsApi, 5, { groups: [group], includeAuthorizedOperations: false })).groups[0]!;
        return g.members.map((m) => m.memberId);
      }
      const g = (await c.request(ConsumerGroupDescribeApi, 0, { groupIds: [group], includeAuthorizedOperations: false })).groups[0]!;
      return g.members.map((m) => m.memberId);
    };
    t.same(await members(), [assigned.memberId], 'DescribeGroups shows the member');

    // The clock stops, then the member: its last heartbeat is at the frozen now.
    kafka.clock.freeze();
    t.ok(child.kill('SIGSTOP'), 'the consumer process is stopped');
    // A heartbeat the client sent just before the stop may still sit in the socket: read after the
    // first advance, it would move the session deadline past the second (a CI run saw that with
    // the consumer protocol). Stopped, the client sends nothing more; a moment of real time lets the
    // broker read what is in flight, at the frozen now. Generous: delivery over loopback takes well
    // under a millisecond even at a load of 20.
    await new Promise((r) => setTimeout(r, 500));
    // Halfway: still a member (its last heartbeat was at most a heartbeat interval before the freeze).
    kafka.clock.advance(sessionMs / 2);
    t.same(await members(), [assigned.memberId], 'still a member halfway through its session timeout');
    const advancedAt = Date.now();
    kafka.clock.advance(sessionMs / 2);
    const tookMs = await untilGone(async () => (await members()).length === 0, GONE_WITHIN_MS);
    t.ok(tookMs < GONE_WITHIN_MS, `gone ${tookMs} ms after the advance (session timeout ${sessionMs} ms)`);
    t.ok(Date.now() - advancedAt < sessionMs, 'well within the session timeout in real time');
    const after = await kafka.waitFor.group(group, { state: 'Empty', members: 0, timeoutMs: GONE_WITHIN_MS });
    t.match(after, { state: 'Empty', members: 0 }, 'the group is empty');
    child.kill('SIGKILL');
  });
}
