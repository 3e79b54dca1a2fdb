/**
 * Kafka error codes the record layer can raise. Kept local (not in
 * src/protocol/errors.ts) so this layer has no dependency on the full error
 * table; switching over later is a one-line import change.
 */
export const RecordsErrorCode = {
  CORRUPT_MESSAGE: 2,
  UNSUPPORTED_COMPRESSION_TYPE: 76,
  INVALID_RECORD: 87,
} as const;

export type RecordsErrorName = keyof typeof RecordsErrorCode;

/**
 * The only error type this layer throws for bad input bytes. Callers map
 * `errorCode` straight into a Produce/Fetch response partition error.
 */
export class RecordsError extends Error {
  override readonly name = 'RecordsError';
  readonly errorName: RecordsErrorName;
  readonly errorCode: number;
  /** Byte position (in the buffer being decoded) where the problem was found, -1 if unknown. */
  readonly position: number;

  constructor(errorName: RecordsErrorName, message: string, position = -1) {
    super(message);
    this.errorName = errorName;
    this.errorCode = RecordsErrorCode[errorName];
    this.position = position;
  }
}

export function isRecordsError(err: unknown): err is RecordsError {
  return err instanceof RecordsError;
}

export function corrupt(message: string, position = -1): RecordsError {
  return new RecordsError('CORRUPT_MESSAGE', message, position);
}

export function invalidRecord(message: string, position = -1): RecordsError {
  return new RecordsError('INVALID_RECORD', message, position);
}

export function unsupportedCompression(message: string, position = -1): RecordsError {
  return new RecordsError('UNSUPPORTED_COMPRESSION_TYPE', message, position);
}
