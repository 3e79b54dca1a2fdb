/**
 * Kafka's small text files, written atomically (writeFileAtomic: tmp, fsync, rename, fsync dir).
 *
 * `leader-epoch-checkpoint` (LeaderEpochCheckpointFile), one per partition:
 *
 *   0                 version
 *   2                 number of entries
 *   0 0               epoch and start offset, one entry per line
 *   1 1500
 *
 * `partition.metadata` (PartitionMetadataFile), one per partition:
 *
 *   version: 0
 *   topic_id: <22-character base64url uuid>
 *
 * `recovery-point-offset-checkpoint` and `log-start-offset-checkpoint` (OffsetCheckpointFile),
 * one per data directory:
 *
 *   0                 version
 *   2                 number of entries
 *   orders 0 1500     topic, partition, offset
 *   orders 1 0
 */
import type { EpochEntry } from '../leader-epoch-cache.js';

export function encodeLeaderEpochCheckpoint(entries: readonly EpochEntry[]): Buffer {
  return Buffer.from(`0\n${entries.length}\n${entries.map((e) => `${e.epoch} ${e.startOffset}\n`).join('')}`);
}

/** The entries, or null when the file is malformed (it is then rebuilt from the batches). */
export function decodeLeaderEpochCheckpoint(buf: Buffer): EpochEntry[] | null {
  const lines = buf.toString('utf8').split('\n');
  if (lines[0] !== '0') return null;
  const n = Number(lines[1]);
  if (!Number.isInteger(n) || n < 0 || lines.length < n + 2) return null;
  const out: EpochEntry[] = [];
  for (let i = 0; i < n; i++) {
    const m = /^(\d+) (\d+)$/.exec(lines[2 + i]!);
    if (m === null) return null;
    out.push({ epoch: Number(m[1]), startOffset: Number(m[2]) });
  }
  return out;
}

export function encodePartitionMetadata(topicId: string): Buffer {
  return Buffer.from(`version: 0\ntopic_id: ${topicId}\n`);
}

export function decodePartitionMetadata(buf: Buffer): string | null {
  const m = /^version: 0\ntopic_id: ([A-Za-z0-9_-]{22})\n?$/.exec(buf.toString('utf8'));
  return m === null ? null : m[1]!;
}

export interface OffsetCheckpointEntry {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
}

export function encodeOffsetCheckpoint(entries: readonly OffsetCheckpointEntry[]): Buffer {
  return Buffer.from(`0\n${entries.length}\n${entries.map((e) => `${e.topic} ${e.partition} ${e.offset}\n`).join('')}`);
}

/** "topic-partition" -> offset; an unreadable file gives an empty map (every log is then fully checked). */
export function decodeOffsetCheckpoint(buf: Buffer | null): Map<string, number> {
  const out = new Map<string, number>();
  if (buf === null) return out;
  const lines = buf.toString('utf8').split('\n');
  if (lines[0] !== '0') return out;
  const n = Number(lines[1]);
  if (!Number.isInteger(n) || n < 0) return out;
  for (let i = 0; i < n; i++) {
    const m = /^(\S+) (\d+) (\d+)$/.exec(lines[2 + i] ?? '');
    if (m === null) return new Map();
    out.set(`${m[1]}-${m[2]}`, Number(m[3]));
  }
  return out;
}
