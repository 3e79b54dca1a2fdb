/**
 * `minikafka ctl ...`: the control API (src/server/control/http-api.ts) from a shell. Prints the
 * API's JSON answer on one line; an error answer goes to stderr as one sentence with exit 1.
 *
 *   minikafka ctl --url http://127.0.0.1:PORT status          (or MINIKAFKA_CONTROL_URL, or --port PORT)
 *   minikafka ctl fault add api=Produce action=error error=NOT_LEADER_OR_FOLLOWER count=3
 *   minikafka ctl fault add '{"api":"Fetch","action":"hang","durationMs":2000}'
 *   minikafka ctl fault list | fault rm ID | fault clear
 *   minikafka ctl chaos 0.05,42 | chaos off | chaos
 *   minikafka ctl clock | clock freeze | clock advance 7d | clock resume
 *   minikafka ctl reset
 *   minikafka ctl snapshot save NAME | snapshot restore NAME | snapshot list | snapshot delete NAME
 *   minikafka ctl brokers | broker stop ID | broker start ID
 *   minikafka ctl partition TOPIC P | leader TOPIC P BROKER
 *   minikafka ctl wait group G [--members N] [--state Stable] [--timeout MS]
 *   minikafka ctl wait offset TOPIC PARTITION OFFSET [--timeout MS]
 *   minikafka ctl wait txn TRANSACTIONAL_ID [--timeout MS]
 */
import { parseChaos } from '../server/control/chaos.js';

const USAGE = `usage: minikafka ctl [--url URL | --port PORT] COMMAND
commands:
  status
  fault add KEY=VALUE... | fault add JSON     e.g. fault add api=Produce action=error error=NOT_LEADER_OR_FOLLOWER count=3
  fault list | fault rm ID | fault clear
  chaos [RATE,SEED | off]
  clock [freeze | resume | advance DURATION]  e.g. clock advance 45s (units ms, s, m, h, d)
  reset
  snapshot save NAME | snapshot restore NAME  save the prepared state / put it back (topics, records, offsets, configs, ACLs)
  snapshot list | snapshot delete NAME
  brokers | broker stop ID | broker start ID   stop: controlled shutdown, leaders and coordinators move
  partition TOPIC P                           leader, epoch, replicas, ISR
  leader TOPIC P BROKER                       move the leader to that live replica
  wait group GROUP [--members N] [--state STATE] [--timeout MS]
  wait offset TOPIC PARTITION OFFSET [--timeout MS]
  wait txn TRANSACTIONAL_ID [--timeout MS]
The URL defaults to $MINIKAFKA_CONTROL_URL.`;

class Usage extends Error {}

interface Call {
  readonly method: string;
  readonly path: string;
  readonly body?: unknown;
}

/** KEY=VALUE pairs to a fault object; numbers and booleans become JSON numbers and booleans. */
function pairsToObject(pairs: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const kv of pairs) {
    const i = kv.indexOf('=');
    if (i <= 0) throw new Usage(`fault add takes KEY=VALUE pairs or one JSON object, got '${kv}'`);
    const v = kv.slice(i + 1);
    out[kv.slice(0, i)] = /^-?\d+(\.\d+)?$/.test(v) ? Number(v) : v === 'true' ? true : v === 'false' ? false : v;
  }
  return out;
}

function takeFlags(args: string[], names: readonly string[]): Map<string, string> {
  const flags = new Map<string, string>();
  for (let i = 0; i < args.length; ) {
    const a = args[i]!;
    const m = /^--([a-z-]+)(?:=(.*))?$/.exec(a);
    if (m === null || !names.includes(m[1]!)) {
      i++;
      continue;
    }
    const value = m[2] ?? args[i + 1];
    if (value === undefined) throw new Usage(`--${m[1]} needs a value`);
    flags.set(m[1]!, value);
    args.splice(i, m[2] === undefined ? 2 : 1);
  }
  return flags;
}

function query(params: Record<string, string | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined) q.set(k, v);
  const s = q.toString();
  return s === '' ? '' : `?${s}`;
}

const seg = encodeURIComponent;

function toCall(args: string[]): Call {
  const [what, sub, ...rest] = args;
  switch (what) {
    case 'status':
      return { method: 'GET', path: '/status' };
    case 'reset':
      return { method: 'POST', path: '/reset' };
    case 'snapshot':
    case 'snapshots':
      if (sub === 'list' || sub === undefined) return { method: 'GET', path: '/snapshots' };
      if (rest[0] === undefined) throw new Usage(`snapshot ${sub} takes a NAME`);
      if (sub === 'save') return { method: 'POST', path: `/snapshots/${seg(rest[0])}` };
      if (sub === 'restore') return { method: 'POST', path: `/snapshots/${seg(rest[0])}/restore` };
      if (sub === 'delete' || sub === 'rm') return { method: 'DELETE', path: `/snapshots/${seg(rest[0])}` };
      if (sub === 'show') return { method: 'GET', path: `/snapshots/${seg(rest[0])}` };
      throw new Usage('snapshot save NAME | snapshot restore NAME | snapshot list | snapshot delete NAME');
    case 'fault':
    case 'faults':
      switch (sub) {
        case 'add': {
          if (rest.length === 0) throw new Usage('fault add needs KEY=VALUE pairs or a JSON object');
          const body = rest.length === 1 && /^\s*[[{]/.test(rest[0]!) ? JSON.parse(rest[0]!) : pairsToObject(rest);
          return { method: 'POST', path: '/faults', body };
        }
        case undefined:
        case 'list':
          return { method: 'GET', path: '/faults' };
        case 'rm':
        case 'remove':
          if (!rest[0] || !/^\d+$/.test(rest[0])) throw new Usage('fault rm takes a rule id');
          return { method: 'DELETE', path: `/faults/${rest[0]}` };
        case 'clear':
          return { method: 'DELETE', path: '/faults' };
      }
      break;
    case 'chaos':
      if (sub === undefined) return { method: 'GET', path: '/chaos' };
      if (sub === 'off') return { method: 'DELETE', path: '/chaos' };
      return { method: 'PUT', path: '/chaos', body: parseChaos(sub) };
    case 'clock':
      if (sub === undefined) return { method: 'GET', path: '/clock' };
      if (sub === 'freeze' || sub === 'resume') return { method: 'POST', path: `/clock/${sub}` };
      if (sub === 'advance') {
        if (rest[0] === undefined) throw new Usage('clock advance takes a duration, e.g. 500ms, 45s, 7d');
        return { method: 'POST', path: '/clock/advance', body: { duration: rest[0] } };
      }
      break;
    case 'brokers':
      return { method: 'GET', path: '/brokers' };
    case 'broker':
      if ((sub === 'stop' || sub === 'start') && rest.length === 1 && /^\d+$/.test(rest[0]!)) return { method: 'POST', path: `/brokers/${rest[0]}/${sub}` };
      throw new Usage('broker stop ID | broker start ID');
    case 'partition':
      if (sub !== undefined && rest.length === 1 && /^\d+$/.test(rest[0]!)) return { method: 'GET', path: `/partitions/${seg(sub)}/${rest[0]}` };
      throw new Usage('partition TOPIC PARTITION');
    case 'leader':
      if (sub !== undefined && rest.length === 2 && /^\d+$/.test(rest[0]!) && /^\d+$/.test(rest[1]!)) return { method: 'POST', path: `/partitions/${seg(sub)}/${rest[0]}/leader`, body: { broker: Number(rest[1]) } };
      throw new Usage('leader TOPIC PARTITION BROKER');
    case 'wait': {
      const flags = takeFlags(rest, ['members', 'state', 'timeout']);
      const timeoutMs = flags.get('timeout');
      if (sub === 'group' && rest.length === 1) return { method: 'GET', path: `/wait/group/${seg(rest[0]!)}${query({ members: flags.get('members'), state: flags.get('state'), timeoutMs })}` };
      if (sub === 'offset' && rest.length === 3) return { method: 'GET', path: `/wait/offset/${seg(rest[0]!)}/${seg(rest[1]!)}${query({ offset: rest[2], timeoutMs })}` };
      if ((sub === 'txn' || sub === 'transaction') && rest.length === 1) return { method: 'GET', path: `/wait/transaction/${seg(rest[0]!)}${query({ timeoutMs })}` };
      throw new Usage('wait group GROUP | wait offset TOPIC PARTITION OFFSET | wait txn ID');
    }
  }
  throw new Usage(`unknown command '${args.join(' ')}'`);
}

export async function ctlCommand(argv: readonly string[]): Promise<void> {
  const args = [...argv];
  if (args.length === 0 || args.includes('--help') || args.includes('-h')) {
    process.stdout.write(USAGE + '\n');
    return;
  }
  const flags = takeFlags(args, ['url', 'port']);
  const base = flags.get('url') ?? (flags.has('port') ? `http://127.0.0.1:${flags.get('port')}` : process.env.MINIKAFKA_CONTROL_URL);
  if (base === undefined || base === '') throw new Error('give the control API with --url URL or --port PORT (or set MINIKAFKA_CONTROL_URL); start the broker with --control-port');
  let call: Call;
  try {
    call = toCall(args);
  } catch (e) {
    // Usage mistakes, and a JSON fault that does not parse.
    throw new Error(`${(e as Error).message}\n${USAGE}`);
  }
  let res: Response;
  try {
    res = await fetch(base.replace(/\/+$/, '') + call.path, {
      method: call.method,
      ...(call.body !== undefined && { body: JSON.stringify(call.body), headers: { 'content-type': 'application/json' } }),
    });
  } catch (e) {
    throw new Error(`cannot reach the control API at ${base}: ${(e as Error & { cause?: Error }).cause?.message ?? (e as Error).message}`);
  }
  const text = await res.text();
  if (!res.ok) {
    let message = text;
    try {
      const b = JSON.parse(text) as { error?: string; message?: string };
      message = `${b.error ?? res.status}: ${b.message ?? text}`;
    } catch {
      // not JSON: print as is
    }
    throw new Error(message === '' ? `HTTP ${res.status}` : message);
  }
  process.stdout.write((text === '' ? JSON.stringify({ ok: true }) : text) + '\n');
}
