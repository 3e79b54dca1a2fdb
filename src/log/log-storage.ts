/**
 * The seam between a PartitionLog and where its segments live. In memory (the default) there is
 * no storage and the log keeps its batches in LogSegments alone; a durable log
 * (src/log/disk/disk-log.ts) creates segments backed by files and is told about every change to
 * the set of segments, so that the directory on disk always mirrors the log.
 *
 * Every call is synchronous and made in the same turn as the change it reports.
 */
import type { LogSegment } from './log-segment.js';

export interface LogStorage {
  /** A new, empty active segment starting at `baseOffset`, with its files created. */
  newSegment(baseOffset: number, now: number, indexIntervalBytes: number): LogSegment;
  /** A segment the cleaner fills before swapping it in (files with the `.cleaned` suffix). */
  newCleanedSegment(baseOffset: number, now: number, indexIntervalBytes: number): LogSegment;
  /** The cleaner's swap: `cleaned` takes the place of `old` on disk, safely against crashes. */
  replaceSegments(old: readonly LogSegment[], cleaned: LogSegment): void;
  /** A cleaned segment that will never be swapped in (the pass was aborted). */
  discardCleanedSegment(cleaned: LogSegment): void;
  /** Whole segments left the log (retention, DeleteRecords, truncation). */
  deleteSegments(segments: readonly LogSegment[]): void;
  /** The log start offset moved (DeleteRecords, retention, truncation). */
  logStartOffsetChanged(offset: number): void;
}

/** The state of a log loaded from disk, which a PartitionLog starts from instead of empty. */
export interface RecoveredLog {
  /** Oldest first, never empty; the last is the active segment. */
  readonly segments: readonly LogSegment[];
  readonly logStartOffset: number;
  readonly logEndOffset: number;
}
