/**
 * Kafka UUIDs (topic ids, member ids) are 16 bytes on the wire and shown by Kafka's tools in
 * URL-safe base64 without padding (22 characters), so that is their form in our code too:
 * a user who sees a topic id in our logs can paste it into kafka-topics.
 */
import { randomBytes } from 'node:crypto';

export const ZERO_UUID = 'AAAAAAAAAAAAAAAAAAAAAA';

export function uuidFromBytes(buf: Buffer, pos: number): string {
  return buf.toString('base64url', pos, pos + 16);
}

export function uuidToBytes(uuid: string, out: Buffer, pos: number): void {
  const b = Buffer.from(uuid, 'base64url');
  if (b.length !== 16) throw new RangeError(`not a 16-byte uuid: ${uuid}`);
  b.copy(out, pos);
}

/**
 * A random uuid. Kafka rerolls the reserved ids (all zero, and 0...01 for the metadata topic) and
 * ids whose text starts with '-', which command-line tools would take for a flag.
 */
export function randomUuid(): string {
  for (;;) {
    const b = randomBytes(16);
    let small = true;
    for (let i = 0; i < 15; i++) if (b[i] !== 0) small = false;
    const s = b.toString('base64url');
    if ((!small || b[15]! > 1) && !s.startsWith('-')) return s;
  }
}
