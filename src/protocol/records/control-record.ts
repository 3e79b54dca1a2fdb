import { invalidRecord } from './records-error.js';

/**
 * Control records live in batches with the control attribute bit set
 * (always transactional, uncompressed, one record).
 *
 *   key:   version int16 (0) | type int16 (0 = ABORT, 1 = COMMIT, others used by KRaft)
 *   value for ABORT/COMMIT (EndTransactionMarker):
 *          version int16 (0) | coordinatorEpoch int32
 *
 * Newer marker versions may append fields; readers ignore the extra bytes.
 */
export const ControlRecordType = { ABORT: 0, COMMIT: 1 } as const;
export type ControlRecordType = (typeof ControlRecordType)[keyof typeof ControlRecordType];

export const CONTROL_KEY_SIZE = 4;
export const END_TXN_MARKER_SIZE = 6;

/** Type id from a control record key; unknown types are returned as-is for the caller to skip. */
export function readControlRecordType(key: Buffer | null): number {
  if (key === null || key.length < CONTROL_KEY_SIZE) throw invalidRecord('control record key is too short');
  const version = key.readInt16BE(0);
  if (version < 0) throw invalidRecord(`invalid control record key version ${version}`);
  return key.readInt16BE(2);
}

export interface EndTxnMarker {
  version: number;
  coordinatorEpoch: number;
}

export function readEndTxnMarker(value: Buffer | null): EndTxnMarker {
  if (value === null || value.length < END_TXN_MARKER_SIZE) throw invalidRecord('end transaction marker value is too short');
  const version = value.readInt16BE(0);
  if (version < 0) throw invalidRecord(`invalid end transaction marker version ${version}`);
  return { version, coordinatorEpoch: value.readInt32BE(2) };
}

export function encodeControlKey(type: number): Buffer {
  const key = Buffer.alloc(CONTROL_KEY_SIZE);
  key.writeInt16BE(0, 0);
  key.writeInt16BE(type, 2);
  return key;
}

export function encodeEndTxnMarker(coordinatorEpoch: number): Buffer {
  const value = Buffer.alloc(END_TXN_MARKER_SIZE);
  value.writeInt16BE(0, 0);
  value.writeInt32BE(coordinatorEpoch, 2);
  return value;
}
