/**
 * Kafka UUIDs (topic ids, member ids) are 16 bytes on the wire and shown by Kafka's tools in
 * URL-safe base64 without padding (22 characters), so that is their form in our code too:
 * a user who sees a topic id in our logs can paste it into kafka-topics.
 */

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
    const b = randomV4();
    let small = true;
    for (let i = 0; i < 15; i++) if (b[i] !== 0) small = false;
    const s = b.toString('base64url');
    if ((!small || b[15]! > 1) && !s.startsWith('-')) return s;
  }
}

/** A random uuid in the JDK's text form (8-4-4-4-12 hex digits), as Kafka puts in member ids. */
export function randomUuidText(): string {
  const h = randomV4().toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/**
 * A version 4 uuid, like the JDK's UUID.randomUUID() that Kafka's ids come from. Random bits from
 * Math.random, not node:crypto: these ids need to be unique, not secret, and loading node:crypto
 * costs ~3.5 ms of every start (the cluster id is made then). V8 seeds its generator per process
 * from the OS, so brokers in different processes do not collide.
 */
function randomV4(): Buffer {
  const b = Buffer.allocUnsafe(16);
  for (let i = 0; i < 16; i += 4) b.writeUInt32LE((Math.random() * 0x1_0000_0000) >>> 0, i);
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  return b;
}
