/**
 * `minikafka groups list|describe|reset-offsets|delete`, printed as kafka-consumer-groups.sh
 * prints them: `list` one id a line, `describe` the GROUP TOPIC PARTITION CURRENT-OFFSET
 * LOG-END-OFFSET LAG CONSUMER-ID HOST CLIENT-ID table, `reset-offsets` the plan (a dry run unless
 * --execute, as in Kafka).
 */
import { EXIT, helpDone, parser, subcommands, withClient, words } from '../command-kit.js';
import { UsageError, intFlag, timeFlag } from '../args.js';
import { json, out, table } from '../output.js';
import { commitOffsets, deleteGroups, describeGroup, fetchOffsets, listGroups } from '../../client/admin.js';
import type { DescribedGroup } from '../../client/admin.js';
import { OffsetSpec, listOffsets } from '../../client/fetcher.js';
import type { KafkaClient } from '../../client/client.js';
import { Reader } from '../../protocol/reader.js';
import { readConsumerProtocolAssignment } from '../../protocol/messages/consumer-protocol-assignment.js';

async function list(argv: string[]): Promise<number> {
  const a = await parser('groups list', argv, '$0').example('$0 --json', 'ids, states and types as JSON').parseAsync().then(helpDone);
  return withClient(a, async (client) => {
    const groups = await listGroups(client);
    if (a.json) json(groups);
    else out(groups.map((g) => `${g.groupId}\n`).join(''));
    return EXIT.OK;
  });
}

/** Which member owns each topic-partition, from the classic consumer protocol's assignments. */
function owners(g: DescribedGroup): Map<string, DescribedGroup['members'][number]> {
  const m = new Map<string, DescribedGroup['members'][number]>();
  if (g.protocolType !== 'consumer') return m;
  for (const member of g.members) {
    if (member.memberAssignment.length < 2) continue;
    try {
      const r = new Reader(member.memberAssignment);
      const a = readConsumerProtocolAssignment(r, r.int16());
      for (const tp of a.assignedPartitions) for (const p of tp.partitions) m.set(`${tp.topic}:${p}`, member);
    } catch {
      // An assignment in another format (a custom protocol) names no partitions here.
    }
  }
  return m;
}

interface LagRow {
  group: string;
  topic: string;
  partition: number;
  currentOffset: number | null;
  logEndOffset: number;
  lag: number | null;
  consumerId: string | null;
  host: string | null;
  clientId: string | null;
}

async function lagRows(client: KafkaClient, groupId: string, g: DescribedGroup): Promise<LagRow[]> {
  const committed = await fetchOffsets(client, groupId);
  const own = owners(g);
  const keys = new Map<string, { topic: string; partition: number }>();
  for (const c of committed) keys.set(`${c.topic}:${c.partition}`, c);
  for (const k of own.keys()) {
    const i = k.lastIndexOf(':');
    keys.set(k, { topic: k.slice(0, i), partition: Number(k.slice(i + 1)) });
  }
  const byTopic = new Map<string, number[]>();
  for (const { topic, partition } of keys.values()) byTopic.set(topic, [...(byTopic.get(topic) ?? []), partition]);
  const ends = new Map<string, number>();
  for (const [topic, ps] of byTopic) for (const [p, o] of await listOffsets(client, topic, ps, OffsetSpec.LATEST)) ends.set(`${topic}:${p}`, o);
  return [...keys]
    .map(([k, { topic, partition }]) => {
      const cur = committed.find((c) => c.topic === topic && c.partition === partition)?.offset ?? null;
      const end = ends.get(k)!;
      const m = own.get(k);
      return { group: groupId, topic, partition, currentOffset: cur, logEndOffset: end, lag: cur === null ? null : end - cur, consumerId: m?.memberId ?? null, host: m?.clientHost ?? null, clientId: m?.clientId ?? null };
    })
    .sort((x, y) => x.topic.localeCompare(y.topic) || x.partition - y.partition);
}

async function describe(argv: string[]): Promise<number> {
  const a = await parser('groups describe', argv, '$0 GROUP...').example('$0 billing', 'offsets, log end offsets and lag per partition').parseAsync().then(helpDone);
  const ids = words(a);
  if (ids.length === 0) throw new UsageError('groups describe: give at least one group id');
  return withClient(a, async (client) => {
    const all = [];
    for (const id of ids) {
      const g = await describeGroup(client, id);
      const rows = await lagRows(client, id, g);
      all.push({ group: id, state: g.groupState, protocolType: g.protocolType, protocol: g.protocolData, members: g.members.map((m) => ({ memberId: m.memberId, clientId: m.clientId, host: m.clientHost, groupInstanceId: m.groupInstanceId })), partitions: rows });
      if (a.json) continue;
      if (g.groupState === 'Dead') {
        out(`Consumer group '${id}' does not exist.\n`);
        continue;
      }
      if (g.members.length === 0) out(`\nConsumer group '${id}' has no active members.\n`);
      out('\n' + table(['GROUP', 'TOPIC', 'PARTITION', 'CURRENT-OFFSET', 'LOG-END-OFFSET', 'LAG', 'CONSUMER-ID', 'HOST', 'CLIENT-ID'], rows.map((r) => [r.group, r.topic, r.partition, r.currentOffset, r.logEndOffset, r.lag, r.consumerId, r.host, r.clientId])));
    }
    if (a.json) json(all);
    return EXIT.OK;
  });
}

async function resetOffsets(argv: string[]): Promise<number> {
  const a = await parser('groups reset-offsets', argv, '$0 GROUP --topic TOPIC[:P,P] (--to-earliest | --to-latest | --to-offset N | --shift-by N | --to-datetime T) [--execute]')
    .option('topic', { alias: 't', type: 'string', array: true, describe: 'TOPIC or TOPIC:0,1 (repeatable; default: the topics the group has offsets for)' })
    .option('to-earliest', { type: 'boolean', describe: 'To the log start' })
    .option('to-latest', { type: 'boolean', describe: 'To the log end' })
    .option('to-offset', { type: 'string', describe: 'To this offset' })
    .option('shift-by', { type: 'string', describe: 'Move the committed offset by N (negative: back)' })
    .option('to-datetime', { type: 'string', describe: 'To the first record at or after this time (ms or ISO date)' })
    .option('execute', { type: 'boolean', default: false, describe: 'Commit the new offsets (without it: show them only, as Kafka does)' })
    .example('$0 billing --topic orders --to-earliest --execute', 'replay orders from the start')
    .example('$0 billing --topic orders:0 --shift-by -10', 'show the offsets ten records back on partition 0')
    .parseAsync()
    .then(helpDone);
  const [groupId, ...extra] = words(a);
  if (groupId === undefined || extra.length > 0) throw new UsageError('groups reset-offsets: give exactly one group id');
  const modes = [a.toEarliest, a.toLatest, a.toOffset, a.shiftBy, a.toDatetime].filter((x) => x !== undefined && x !== false);
  if (modes.length !== 1) throw new UsageError('give exactly one of --to-earliest, --to-latest, --to-offset, --shift-by and --to-datetime');
  return withClient(a, async (client) => {
    const committed = await fetchOffsets(client, groupId);
    const targets: { topic: string; partitions: number[] }[] = [];
    if (a.topic === undefined) {
      for (const c of committed) {
        const t = targets.find((x) => x.topic === c.topic);
        if (t === undefined) targets.push({ topic: c.topic, partitions: [c.partition] });
        else t.partitions.push(c.partition);
      }
    } else {
      for (const spec of a.topic) {
        const [topic, ps] = spec.split(':') as [string, string | undefined];
        const info = await client.topic(topic);
        targets.push({ topic, partitions: ps === undefined ? info.partitions.map((p) => p.partition) : ps.split(',').map((p) => intFlag('topic', p, 0, 2147483647)) });
      }
    }
    if (targets.length === 0) throw new UsageError(`group ${groupId} has no committed offsets; name the topics with --topic`);
    const plan: { topic: string; partition: number; offset: number }[] = [];
    for (const { topic, partitions } of targets) {
      const earliest = await listOffsets(client, topic, partitions, OffsetSpec.EARLIEST);
      const latest = await listOffsets(client, topic, partitions, OffsetSpec.LATEST);
      const byTime = a.toDatetime === undefined ? null : await listOffsets(client, topic, partitions, timeFlag('to-datetime', a.toDatetime));
      for (const p of partitions) {
        const lo = earliest.get(p)!;
        const hi = latest.get(p)!;
        const cur = committed.find((c) => c.topic === topic && c.partition === p)?.offset ?? hi;
        let target: number;
        if (a.toEarliest) target = lo;
        else if (a.toLatest) target = hi;
        else if (a.toOffset !== undefined) target = intFlag('to-offset', a.toOffset, 0);
        else if (a.shiftBy !== undefined) target = cur + intFlag('shift-by', a.shiftBy, Number.MIN_SAFE_INTEGER);
        else target = byTime!.get(p)! < 0 ? hi : byTime!.get(p)!;
        // Kafka clamps to the log's range (ResetOffsetsCommand: checkOffsetRange).
        plan.push({ topic, partition: p, offset: Math.min(hi, Math.max(lo, target)) });
      }
    }
    if (a.execute) await commitOffsets(client, groupId, plan);
    if (a.json) json({ group: groupId, executed: a.execute, offsets: plan });
    else out('\n' + table(['GROUP', 'TOPIC', 'PARTITION', 'NEW-OFFSET'], plan.map((p) => [groupId, p.topic, p.partition, p.offset])));
    return EXIT.OK;
  });
}

async function remove(argv: string[]): Promise<number> {
  const a = await parser('groups delete', argv, '$0 GROUP...').example('$0 billing', 'delete a group with no active members').parseAsync().then(helpDone);
  const ids = words(a);
  if (ids.length === 0) throw new UsageError('groups delete: give at least one group id');
  return withClient(a, async (client) => {
    await deleteGroups(client, ids);
    if (a.json) json({ deleted: ids });
    else out(`Deletion of requested consumer groups (${ids.map((i) => `'${i}'`).join(', ')}) was successful.\n`);
    return EXIT.OK;
  });
}

export function run(argv: string[]): Promise<number> {
  return subcommands(
    'groups',
    {
      list: { describe: 'List group ids', run: list },
      describe: { describe: 'Committed offsets, log end offsets, lag and members', run: describe },
      'reset-offsets': { describe: 'Move committed offsets (a dry run without --execute)', run: resetOffsets },
      delete: { describe: 'Delete groups that have no active members', run: remove },
    },
    argv,
  );
}
