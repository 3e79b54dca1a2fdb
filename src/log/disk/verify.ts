/**
 * `minikafka verify --data-dir DIR`: reads a durable data directory without changing it and
 * reports everything recovery would have to cut, rebuild or refuse, as Kafka's
 * DumpLogSegments --verify-index-only and its log recovery together would:
 *
 * - every `.log` segment batch by batch: length, magic, offsets that only grow and stay below the
 *   next segment's base, and the CRC of every batch (segment-scan.ts, the scan recovery runs);
 * - `.index` / `.timeindex`: whole entries, increasing, and each entry naming a batch that is in
 *   the `.log` file (position and last offset; timestamp and offset for the time index);
 * - `.txnindex`, producer snapshots (their CRC), `leader-epoch-checkpoint`, `partition.metadata`;
 * - the directory's checkpoints (`recovery-point-offset-checkpoint`, `log-start-offset-checkpoint`)
 *   and `minikafka-metadata.json`.
 *
 * Each problem names the partition, the file and the byte position and offset where it starts.
 * Index files may lag behind their log after an unclean stop (entries are written at flush, roll
 * and stop): missing entries are not a problem, wrong ones are.
 */
import { decodeLeaderEpochCheckpoint, decodePartitionMetadata } from './checkpoint-files.js';
import { joinPath } from './file-system.js';
import type { FileSystem } from './file-system.js';
import { INDEX_SUFFIX, LEADER_EPOCH_CHECKPOINT, LOG_SUFFIX, PARTITION_METADATA, SNAPSHOT_SUFFIX, TIME_INDEX_SUFFIX, TXN_INDEX_SUFFIX, parseOffsetFileName, parsePartitionDirName } from './log-files.js';
import { OFFSET_ENTRY_SIZE, TIME_ENTRY_SIZE } from './index-files.js';
import { decodeProducerSnapshot } from './producer-snapshot.js';
import { scanSegment } from './segment-scan.js';
import { decodeTxnIndex } from './txn-index-file.js';

export interface VerifyProblem {
  /** "topic-partition", or null for a file of the directory itself. */
  readonly partition: string | null;
  readonly file: string;
  /** Byte position in the file where the problem starts, or null when it is the whole file. */
  readonly position: number | null;
  /** The first offset affected, or null when the file holds no offsets. */
  readonly offset: number | null;
  readonly problem: string;
}

export interface VerifyReport {
  readonly partitions: number;
  readonly segments: number;
  readonly batches: number;
  readonly bytes: number;
  readonly problems: VerifyProblem[];
}

/** The directory-level files (see server/persistence/data-dir.ts). */
const DIR_CHECKPOINTS = ['recovery-point-offset-checkpoint', 'log-start-offset-checkpoint'];
const METADATA_FILE = 'minikafka-metadata.json';

interface BatchFacts {
  readonly positions: Map<number, { lastOffset: number; maxTimestamp: number }>;
  readonly byLastOffset: Map<number, number>;
  // Where the valid batches end when the segment is corrupt: entries past it go with the cut.
  validBytes: number;
  validEnd: number;
}

export function verifyDataDir(fs: FileSystem, dir: string): VerifyReport {
  if (!fs.isDirectory(dir)) throw new Error(`${dir} is not a directory`);
  const problems: VerifyProblem[] = [];
  const report = { partitions: 0, segments: 0, batches: 0, bytes: 0, problems };
  const logEnds = new Map<string, { start: number; end: number }>();
  for (const name of fs.list(dir).sort()) {
    const path = joinPath(dir, name);
    if (parsePartitionDirName(name) === null || !fs.isDirectory(path)) continue;
    report.partitions++;
    logEnds.set(name, verifyPartition(fs, path, name, report));
  }
  for (const name of DIR_CHECKPOINTS) {
    const buf = fs.readFile(joinPath(dir, name));
    if (buf === null) continue;
    checkOffsetCheckpoint(buf, name, logEnds, problems, name.startsWith('recovery'));
  }
  const meta = fs.readFile(joinPath(dir, METADATA_FILE));
  if (meta !== null) {
    try {
      JSON.parse(meta.toString('utf8'));
    } catch (e) {
      problems.push({ partition: null, file: METADATA_FILE, position: null, offset: null, problem: `not valid JSON: ${(e as Error).message}` });
    }
  }
  return report;
}

function verifyPartition(fs: FileSystem, dir: string, partition: string, report: { segments: number; batches: number; bytes: number; problems: VerifyProblem[] }): { start: number; end: number } {
  const problems = report.problems;
  const add = (file: string, position: number | null, offset: number | null, problem: string) => problems.push({ partition, file, position, offset, problem });
  const names = fs.list(dir).sort();
  const bases = names.map((n) => parseOffsetFileName(n)).filter((p) => p !== null && p.suffix === LOG_SUFFIX && p.extra === '').map((p) => p!.offset);
  let logStart = bases[0] ?? 0;
  let logEnd = logStart;
  for (let i = 0; i < bases.length; i++) {
    const base = bases[i]!;
    const next = bases[i + 1];
    const logName = offsetName(base, LOG_SUFFIX);
    logEnd = Math.max(logEnd, base);
    const fd = fs.open(joinPath(dir, logName), 'read');
    const facts: BatchFacts = { positions: new Map(), byLastOffset: new Map(), validBytes: Infinity, validEnd: Infinity };
    let result;
    try {
      result = scanSegment(fs, fd, { minOffset: base, verifyCrcFrom: 0, ...(next === undefined ? {} : { endOffset: next }) }, (b) => {
        facts.positions.set(b.position, { lastOffset: b.lastOffset, maxTimestamp: b.maxTimestamp });
        facts.byLastOffset.set(b.lastOffset, b.maxTimestamp);
        report.batches++;
        logEnd = b.lastOffset + 1;
      });
    } finally {
      fs.close(fd);
    }
    report.segments++;
    report.bytes += result.validBytes;
    if (result.problem !== null) {
      facts.validBytes = result.validBytes;
      facts.validEnd = Math.max(logEnd, base);
    }
    if (result.problem !== null) add(logName, result.validBytes, logEnd > base ? logEnd : base, `${result.problem}; nothing from here on can be read (recovery cuts an unflushed tail here)`);
    if (i === 0) logStart = base;
    checkOffsetIndex(fs, dir, base, facts, (pos, off, p) => add(offsetName(base, INDEX_SUFFIX), pos, off, p));
    checkTimeIndex(fs, dir, base, facts, (pos, off, p) => add(offsetName(base, TIME_INDEX_SUFFIX), pos, off, p));
    const txn = fs.readFile(joinPath(dir, offsetName(base, TXN_INDEX_SUFFIX)));
    if (txn !== null) {
      try {
        decodeTxnIndex(txn);
      } catch (e) {
        add(offsetName(base, TXN_INDEX_SUFFIX), null, base, `unreadable: ${(e as Error).message}`);
      }
    }
  }
  for (const n of names) {
    const p = parseOffsetFileName(n);
    if (p === null || p.suffix !== SNAPSHOT_SUFFIX || p.extra !== '') continue;
    const buf = fs.readFile(joinPath(dir, n));
    if (buf !== null && decodeProducerSnapshot(buf) === null) add(n, null, p.offset, 'producer snapshot fails its CRC or structure check; recovery would rebuild producer state from the log');
  }
  const epochs = fs.readFile(joinPath(dir, LEADER_EPOCH_CHECKPOINT));
  if (epochs !== null) {
    const entries = decodeLeaderEpochCheckpoint(epochs);
    if (entries === null) add(LEADER_EPOCH_CHECKPOINT, null, null, 'malformed');
    else {
      for (let k = 1; k < entries.length; k++) {
        if (entries[k]!.epoch <= entries[k - 1]!.epoch || entries[k]!.startOffset < entries[k - 1]!.startOffset) {
          add(LEADER_EPOCH_CHECKPOINT, null, entries[k]!.startOffset, `entry ${k} (epoch ${entries[k]!.epoch} at ${entries[k]!.startOffset}) does not follow epoch ${entries[k - 1]!.epoch} at ${entries[k - 1]!.startOffset}`);
        }
      }
    }
  }
  const meta = fs.readFile(joinPath(dir, PARTITION_METADATA));
  if (meta !== null && decodePartitionMetadata(meta) === null) add(PARTITION_METADATA, null, null, 'malformed (expected "version: 0" and a topic_id)');
  return { start: logStart, end: logEnd };
}

function offsetName(base: number, suffix: string): string {
  return String(base).padStart(20, '0') + suffix;
}

type Report = (position: number | null, offset: number | null, problem: string) => void;

function checkOffsetIndex(fs: FileSystem, dir: string, base: number, facts: BatchFacts, add: Report): void {
  const buf = fs.readFile(joinPath(dir, offsetName(base, INDEX_SUFFIX)));
  if (buf === null) return;
  if (buf.length % OFFSET_ENTRY_SIZE !== 0) add(null, null, `${buf.length} bytes is not a whole number of ${OFFSET_ENTRY_SIZE}-byte entries`);
  let prev = -1;
  for (let at = 0; at + OFFSET_ENTRY_SIZE <= buf.length; at += OFFSET_ENTRY_SIZE) {
    const offset = base + buf.readInt32BE(at);
    const position = buf.readInt32BE(at + 4);
    const batch = facts.positions.get(position);
    if (position >= facts.validBytes) return;
    if (offset <= prev) return add(at, offset, `entry for offset ${offset} does not follow ${prev}`);
    if (batch === undefined) {
      // Entries past the valid log are what an unclean stop leaves after a torn tail.
      if (position < 0 || [...facts.positions.keys()].every((p) => p < position)) return add(at, offset, `entry points at position ${position}, past the last valid batch`);
      return add(at, offset, `entry points at position ${position}, which is not the start of a batch`);
    }
    if (batch.lastOffset !== offset) return add(at, offset, `entry says offset ${offset} at position ${position}, the batch there ends at ${batch.lastOffset}`);
    prev = offset;
  }
}

function checkTimeIndex(fs: FileSystem, dir: string, base: number, facts: BatchFacts, add: Report): void {
  const buf = fs.readFile(joinPath(dir, offsetName(base, TIME_INDEX_SUFFIX)));
  if (buf === null) return;
  if (buf.length % TIME_ENTRY_SIZE !== 0) add(null, null, `${buf.length} bytes is not a whole number of ${TIME_ENTRY_SIZE}-byte entries`);
  let prevTs = -Infinity;
  for (let at = 0; at + TIME_ENTRY_SIZE <= buf.length; at += TIME_ENTRY_SIZE) {
    const timestamp = Number(buf.readBigInt64BE(at));
    const offset = base + buf.readInt32BE(at + 8);
    if (offset >= facts.validEnd) return;
    if (timestamp < prevTs) return add(at, offset, `timestamp ${timestamp} is below the previous entry's ${prevTs}`);
    const batchTs = facts.byLastOffset.get(offset);
    if (batchTs === undefined) return add(at, offset, `entry names offset ${offset}, which ends no valid batch`);
    if (batchTs !== timestamp) return add(at, offset, `entry says timestamp ${timestamp} for offset ${offset}, the batch says ${batchTs}`);
    prevTs = timestamp;
  }
}

function checkOffsetCheckpoint(buf: Buffer, file: string, logs: Map<string, { start: number; end: number }>, problems: VerifyProblem[], isRecoveryPoint: boolean): void {
  const lines = buf.toString('utf8').split('\n');
  const n = Number(lines[1]);
  if (lines[0] !== '0' || !Number.isInteger(n) || n < 0 || lines.length < n + 2) {
    problems.push({ partition: null, file, position: null, offset: null, problem: 'malformed header (expected version 0 and an entry count)' });
    return;
  }
  let position = lines[0].length + lines[1]!.length + 2;
  for (let i = 0; i < n; i++) {
    const line = lines[2 + i]!;
    const m = /^(\S+) (\d+) (\d+)$/.exec(line);
    if (m === null) {
      problems.push({ partition: null, file, position, offset: null, problem: `malformed entry '${line}'` });
      return;
    }
    const partition = `${m[1]}-${m[2]}`;
    const offset = Number(m[3]);
    const log = logs.get(partition);
    // A checkpoint may name a partition whose directory is gone (deleted topic); past the log end it is wrong.
    if (log !== undefined && offset > log.end) {
      problems.push({ partition, file, position, offset, problem: `${isRecoveryPoint ? 'recovery point' : 'log start offset'} ${offset} is past the log end ${log.end}` });
    }
    position += line.length + 1;
  }
}
