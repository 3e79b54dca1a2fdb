/**
 * Kafka refuses records without a key on compacted topics (LogValidator.validateKey): the batch
 * fails with INVALID_RECORD, one recordErrors entry per keyless record, and the summary message
 * of RecordValidationException. Checked only for compacted topics, so other produces never decode
 * their records here.
 *
 * Uncompressed batches are read in place; gzip, snappy and lz4 are decompressed synchronously.
 * zstd batches are not checked (null): this binding decodes zstd only asynchronously and a produce
 * is one synchronous turn; the log cleaner drops keyless records later, as Kafka's does.
 */
import { ErrorCode } from '../../../protocol/errors.js';
import { BatchAttribute, BatchLayout, CompressionCodec, RecordCursor, isRecordsError, recordsSectionSync } from '../../../protocol/records/index.js';

export interface KeyFailure {
  readonly errorCode: number;
  readonly message: string;
  readonly withLogStart: boolean;
  readonly errorMessage: string;
  readonly recordErrors: { batchIndex: number; batchIndexErrorMessage: string | null }[];
}

/** `where` is the partition as Kafka prints a TopicPartition ("orders-0"). */
export function keylessRecordFailure(batch: Buffer, end: number, where: string): KeyFailure | null {
  const attributes = batch.readInt16BE(BatchLayout.ATTRIBUTES);
  if ((attributes & BatchAttribute.COMPRESSION_MASK) === CompressionCodec.ZSTD) return null;
  const recordErrors: { batchIndex: number; batchIndexErrorMessage: string | null }[] = [];
  const message = `Compacted topic cannot accept message without key in topic partition ${where}`;
  try {
    const cursor = new RecordCursor(recordsSectionSync(batch.subarray(0, end), 0), batch.readInt32BE(BatchLayout.RECORDS_COUNT));
    for (let i = 0; cursor.next(); i++) if (cursor.keyLength < 0) recordErrors.push({ batchIndex: i, batchIndexErrorMessage: message });
  } catch (e) {
    if (!isRecordsError(e)) throw e;
    return { errorCode: e.errorCode, message: e.message, withLogStart: true, errorMessage: e.message, recordErrors: [] };
  }
  if (recordErrors.length === 0) return null;
  const shown = recordErrors.slice(0, 3).map((r) => `RecordError(batchIndex=${r.batchIndex}, message='${r.batchIndexErrorMessage}')`);
  return {
    errorCode: ErrorCode.INVALID_RECORD,
    message,
    withLogStart: true,
    errorMessage: `One or more records have been rejected due to ${recordErrors.length} record errors in total, and only showing the first three errors at most: [${shown.join(', ')}]`,
    recordErrors,
  };
}
