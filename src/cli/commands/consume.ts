/**
 * `minikafka consume TOPIC`: reads partitions from a start position and prints each record as
 * text (its value, as kcat and kafka-console-consumer print by default), NDJSON, or a kcat
 * format string. It stops after --count records, at the end of the log (--exit-at-end, or
 * kcat's -e), after --idle-ms without records, or on SIGINT; otherwise it follows the log.
 * With --group it joins the consumer group (classic protocol, range assignor; client/
 * group-member.ts) beside any other consumers, reads the partitions assigned to it from the
 * group's committed offsets, commits every 5 s (auto.commit.interval.ms), before a rebalance and
 * at the end, and leaves the group when it stops. With --group and --partition it does not join:
 * it reads those partitions and commits as a consumer outside any generation (Java's assign() +
 * commitSync()), which Kafka allows only while the group has no active members.
 */
import { EXIT, guarded, helpDone, parser, withClient, words } from '../command-kit.js';
import { UsageError, intFlag, timeFlag } from '../args.js';
import { compileFormat } from '../kcat-format.js';
import { recordToJson } from '../record-json.js';
import { IsolationLevel, OffsetSpec, fetchPartition, listOffsets } from '../../client/fetcher.js';
import type { ConsumedRecord } from '../../client/fetcher.js';
import { commitOffsets, fetchOffsets } from '../../client/admin.js';
import type { KafkaClient } from '../../client/client.js';
import { GroupMember } from '../../client/group-member.js';

export function run(argv: string[]): Promise<number> {
  return guarded(async () => {
    const a = await parser('consume', argv, '$0 TOPIC [options]')
      .option('partition', { alias: 'p', type: 'string', array: true, describe: 'Read only these partitions (repeatable; default all)' })
      .option('from', { choices: ['beginning', 'end', 'stored'], describe: 'Start at the log start, at its end (new records only), or at the --group\'s committed offsets (default: stored with --group, else beginning)' })
      .option('offset', { alias: 'o', type: 'string', describe: 'Start at this offset (negative: that many before the end)' })
      .option('timestamp', { type: 'string', describe: 'Start at the first record at or after this time (ms or ISO date)' })
      .option('group', { alias: 'g', type: 'string', describe: 'Join this consumer group: read the partitions it assigns from its committed offsets, commit what was read' })
      .option('isolation', { choices: ['read_uncommitted', 'read_committed'], default: 'read_uncommitted', describe: 'Whether records of open and aborted transactions are returned' })
      .option('count', { alias: 'c', type: 'string', describe: 'Stop after this many records' })
      .option('exit-at-end', { alias: 'e', type: 'boolean', default: false, describe: 'Stop at the end of every partition (kcat -e)' })
      .option('idle-ms', { type: 'string', describe: 'Stop after this long without a record' })
      .option('output', { choices: ['text', 'ndjson'], default: 'text', describe: 'text: the value per line; ndjson: one JSON record per line' })
      .option('format', { alias: 'f', type: 'string', describe: 'kcat format string: %t %p %o %T %k %K %s %S %h, \\n \\t' })
      .example('$0 orders -e', 'every value, then exit')
      .example("$0 orders -f '%k => %s (partition %p, offset %o)\\n' -e", 'as kcat -f')
      .example('$0 orders --output ndjson --count 10', 'ten records as NDJSON')
      .example('$0 orders --group billing -e', 'from the group\'s offsets, committing what was read')
      .example('$0 orders --timestamp 2024-01-01T00:00:00Z', 'from a point in time')
      .parseAsync()
      .then(helpDone);
    const [topic, ...extra] = words(a);
    if (topic === undefined || extra.length > 0) throw new UsageError('consume: give exactly one topic');
    const count = a.count === undefined ? Infinity : intFlag('count', a.count, 1);
    const idleMs = a.idleMs === undefined ? Infinity : intFlag('idle-ms', a.idleMs, 0);
    const wantPartitions = a.partition?.map((p) => intFlag('partition', p, 0, 2147483647));
    const fixedOffset = a.offset === undefined ? undefined : intFlag('offset', a.offset, Number.MIN_SAFE_INTEGER);
    const starts = [a.from, a.offset, a.timestamp].filter((x) => x !== undefined).length;
    if (starts > 1) throw new UsageError('give one of --from, --offset and --timestamp');
    if (a.from === 'stored' && a.group === undefined) throw new UsageError('--from stored needs --group');
    const isolationLevel = a.isolation === 'read_committed' ? IsolationLevel.READ_COMMITTED : IsolationLevel.READ_UNCOMMITTED;
    const format = a.format !== undefined ? compileFormat(a.format) : a.output === 'ndjson' ? (r: ConsumedRecord) => Buffer.from(recordToJson(r, true) + '\n') : compileFormat('%s\\n');
    return withClient(a, async (client) => {
      const info = await client.topic(topic);
      let partitions = wantPartitions ?? info.partitions.map((p) => p.partition);
      for (const p of partitions) if (!info.partitions.some((x) => x.partition === p)) throw new UsageError(`${topic} has no partition ${p}`);
      const start: Start = { from: a.from, offset: fixedOffset, timestamp: a.timestamp === undefined ? undefined : timeFlag('timestamp', a.timestamp), group: a.group, isolationLevel };
      // A member of the group unless partitions were named (then assign() + commit, as before).
      const member = a.group !== undefined && wantPartitions === undefined ? new GroupMember(client, { groupId: a.group, topics: [topic] }) : null;
      if (member !== null) partitions = (await member.join()).get(topic) ?? [];
      let positions = await startPositions(client, topic, partitions, start);
      const offsetsRead = () => partitions.map((p) => ({ topic, partition: p, offset: positions.get(p)! }));
      let lastCommit = Date.now();
      let stop = false;
      const onSigint = () => (stop = true);
      process.once('SIGINT', onSigint);
      let seen = 0;
      let lastRecordAt = Date.now();
      const atEnd = new Set<number>();
      try {
        while (!stop && seen < count) {
          if (member !== null && (member.rejoinNeeded || Date.now() - lastCommit >= AUTO_COMMIT_INTERVAL_MS)) {
            // Commit what was read before giving partitions up (onPartitionsRevoked), then rejoin.
            await member.commit(offsetsRead());
            lastCommit = Date.now();
            if (member.rejoinNeeded) {
              partitions = (await member.join()).get(topic) ?? [];
              positions = await startPositions(client, topic, partitions, { ...start, from: 'stored' });
              atEnd.clear();
            }
          }
          let got = 0;
          // A member the group gave no partition waits for a rebalance (heartbeats run meanwhile).
          if (partitions.length === 0 && !a.exitAtEnd) await new Promise((r) => setTimeout(r, 200));
          for (const p of partitions) {
            if (stop || seen >= count) break;
            const r = await fetchPartition(client, topic, p, positions.get(p)!, { isolationLevel, maxWaitMs: a.exitAtEnd ? 0 : 200 });
            for (const rec of r.records) {
              if (seen >= count) break;
              process.stdout.write(format(rec));
              positions.set(p, rec.offset + 1);
              seen++;
              got++;
            }
            if (seen < count) positions.set(p, Math.max(positions.get(p)!, r.nextOffset));
            const end = isolationLevel === IsolationLevel.READ_COMMITTED ? r.lastStableOffset : r.highWatermark;
            if (positions.get(p)! >= end) atEnd.add(p);
            else atEnd.delete(p);
          }
          if (got > 0) lastRecordAt = Date.now();
          if (a.exitAtEnd && atEnd.size === partitions.length) break;
          if (Date.now() - lastRecordAt >= idleMs) break;
        }
      } finally {
        process.removeListener('SIGINT', onSigint);
        if (member !== null) {
          await member.commit(offsetsRead());
          await member.leave();
        } else if (a.group !== undefined) await commitOffsets(client, a.group, offsetsRead());
      }
      return count !== Infinity && seen < count && !stop ? EXIT.INCOMPLETE : EXIT.OK;
    });
  });
}

/** Kafka's consumer commits what it has read this often (auto.commit.interval.ms). */
const AUTO_COMMIT_INTERVAL_MS = 5000;

interface Start {
  from?: string;
  offset?: number;
  timestamp?: bigint;
  group?: string;
  isolationLevel: number;
}

async function startPositions(client: KafkaClient, topic: string, partitions: number[], s: Start): Promise<Map<number, number>> {
  if (partitions.length === 0) return new Map();
  if (s.timestamp !== undefined) {
    const byTime = await listOffsets(client, topic, partitions, s.timestamp, s.isolationLevel);
    const ends = await listOffsets(client, topic, partitions, OffsetSpec.LATEST, s.isolationLevel);
    // No record at or after the time: start at the end, as Kafka's offsetsForTimes + seek do.
    return new Map(partitions.map((p) => [p, byTime.get(p)! < 0 ? ends.get(p)! : byTime.get(p)!]));
  }
  if (s.offset !== undefined) {
    if (s.offset >= 0) return new Map(partitions.map((p) => [p, s.offset!]));
    const ends = await listOffsets(client, topic, partitions, OffsetSpec.LATEST, s.isolationLevel);
    const starts = await listOffsets(client, topic, partitions, OffsetSpec.EARLIEST, s.isolationLevel);
    return new Map(partitions.map((p) => [p, Math.max(starts.get(p)!, ends.get(p)! + s.offset!)]));
  }
  const from = s.from ?? (s.group !== undefined ? 'stored' : 'beginning');
  const fallback = await listOffsets(client, topic, partitions, from === 'end' ? OffsetSpec.LATEST : OffsetSpec.EARLIEST, s.isolationLevel);
  if (from !== 'stored') return fallback;
  const committed = await fetchOffsets(client, s.group!, [{ name: topic, partitions }]);
  // No committed offset: the log start (auto.offset.reset=earliest).
  return new Map(partitions.map((p) => [p, committed.find((c) => c.partition === p)?.offset ?? fallback.get(p)!]));
}
