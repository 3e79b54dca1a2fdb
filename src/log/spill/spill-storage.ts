/**
 * The LogStorage of an in-memory log under a memory budget: segments are ordinary in-memory
 * LogSegments with a spill file (spill-directory.ts) that takes their oldest batches when the
 * budget is exceeded. Segments that leave the log give their memory back and delete their file.
 */
import { LogSegment } from '../log-segment.js';
import type { LogStorage } from '../log-storage.js';
import type { SpillDirectory } from './spill-directory.js';

export class SpillStorage implements LogStorage {
  readonly #dir: SpillDirectory;

  constructor(dir: SpillDirectory) {
    this.#dir = dir;
  }

  newSegment(baseOffset: number, now: number, indexIntervalBytes: number): LogSegment {
    return new LogSegment(baseOffset, now, indexIntervalBytes, null, this.#dir.newFile());
  }

  newCleanedSegment(baseOffset: number, now: number, indexIntervalBytes: number): LogSegment {
    return this.newSegment(baseOffset, now, indexIntervalBytes);
  }

  replaceSegments(old: readonly LogSegment[], _cleaned: LogSegment): void {
    for (const seg of old) seg.discardSpill();
  }

  discardCleanedSegment(cleaned: LogSegment): void {
    cleaned.discardSpill();
  }

  deleteSegments(segments: readonly LogSegment[]): void {
    for (const seg of segments) seg.discardSpill();
  }

  logStartOffsetChanged(_offset: number): void {}
}
