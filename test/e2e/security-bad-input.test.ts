// Bad input against secured listeners, with our wire client over node:tls and node:net, and how
// Kafka's SaslServerAuthenticator and Selector treat each:
// - garbage after a completed TLS handshake (inside TLS records on SSL and SASL_SSL listeners, and
//   raw bytes that are no TLS record at all): the connection closes with no answer;
// - a SASL token of 100 MB, in SaslAuthenticate and on the handshake-v0 raw-token path: refused
//   from its size prefix alone (sasl.server.max.receive.size, 524288; Kafka's
//   InvalidReceiveException), closed with no answer after connection.failed.authentication.delay.ms,
//   without reading the rest (the client's writes stall; RSS growth bounded);
// - a SCRAM exchange out of order (client-final first, client-first twice, a final message with
//   another nonce): SASL_AUTHENTICATION_FAILED with Kafka's generic message, then closed;
// - 10,000 failed PLAIN logins over as many connections, 100 at a time: each answered
//   SASL_AUTHENTICATION_FAILED "Authentication failed: Invalid username or password" no sooner
//   than the failed-authentication delay, then closed; RSS bounded; a good client served afterwards.
// Everything runs in this process (broker and clients), so RSS figures bound both together.
import t from 'tap';
import type { Test } from 'tap';
import { loadavg } from 'node:os';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { connect, createServer } from 'node:net';
import type { Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import type { TLSSocket } from 'node:tls';
import { once } from 'node:events';
import { MiniKafka } from '../../src/index.js';
import { WireClient } from '../helpers/wire-client.js';
import { ScramClient } from '../unit/security/scram-client.js';
import { SCRAM_SHA_512 } from '../../src/server/security/sasl/scram-formatter.js';
import { MetadataApi, SaslAuthenticateApi, SaslHandshakeApi } from '../../src/protocol/messages/index.js';
import { ErrorCode } from '../../src/protocol/errors.js';

const MiB = 1024 * 1024;
const USERS = { alice: 'alice-secret' };
const GENERIC_SCRAM_FAILURE = 'Authentication failed during authentication due to invalid credentials with SASL mechanism SCRAM-SHA-512';
const PLAIN_FAILURE = 'Authentication failed: Invalid username or password';
// Kafka's default connection.failed.authentication.delay.ms.
const FAILED_AUTH_DELAY_MS = 100;

async function startBroker(config: Record<string, string | number> = {}): Promise<MiniKafka> {
  return MiniKafka.start({
    listeners: ['SASL_SSL://127.0.0.1:0', 'SSL://127.0.0.1:0', 'SASL_PLAINTEXT://127.0.0.1:0'],
    users: USERS,
    topics: ['t'],
    logLevel: 'error',
    config,
  });
}

const addressOf = (kafka: MiniKafka, name: string) => kafka.bootstrapServersFor(name);

/** The highest RSS seen until stop() (sampled every 10 ms), less the RSS at the start. */
function rssWatch(): { stop: () => { startMiB: number; growthMiB: number } } {
  const start = process.memoryUsage.rss();
  let peak = start;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 10);
  return {
    stop: () => {
      clearInterval(timer);
      peak = Math.max(peak, process.memoryUsage.rss());
      return { startMiB: start / MiB, growthMiB: (peak - start) / MiB };
    },
  };
}

/** Heap in use after a full collection (the flag can be set at run time; the function comes from a new context). */
function heapAfterGcMiB(): number {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
  return process.memoryUsage().heapUsed / MiB;
}

/** A raw TLS socket that records what the broker sends and when it closes. */
async function rawTls(bootstrap: string, caPem: string): Promise<{ socket: TLSSocket; received: () => number; closed: Promise<void> }> {
  const i = bootstrap.lastIndexOf(':');
  const socket = tlsConnect({ host: bootstrap.slice(0, i), port: Number(bootstrap.slice(i + 1)), ca: caPem, servername: 'localhost' });
  socket.on('error', () => {}); // a reset after the broker's close is expected; the close is asserted
  let received = 0;
  socket.on('data', (d: Buffer) => (received += d.length));
  // Not events.once: it rejects on the 'error' (ECONNRESET) that comes before the close.
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  await once(socket, 'secureConnect');
  return { socket, received: () => received, closed };
}

/** Resolves with true when `p` settles within ms (false: it did not). */
function within(p: Promise<unknown>, ms: number): Promise<boolean> {
  return Promise.race([p.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), ms).unref())]);
}

/** A full SCRAM-SHA-512 login as alice over TLS, then Metadata: the broker still serves. */
async function goodClientServed(t: Test, kafka: MiniKafka): Promise<void> {
  const c = await WireClient.connectTls(addressOf(kafka, 'SASL_SSL'), kafka.tls!.caPem);
  try {
    await c.request(SaslHandshakeApi, 1, { mechanism: 'SCRAM-SHA-512' });
    const scram = new ScramClient(SCRAM_SHA_512, 'alice', USERS.alice);
    const first = await c.request(SaslAuthenticateApi, 2, { authBytes: scram.first() });
    const final = await c.request(SaslAuthenticateApi, 2, { authBytes: scram.final(first.authBytes) });
    t.equal(final.errorCode, ErrorCode.NONE, 'a good client authenticates');
    t.ok(scram.verifyServerFinal(final.authBytes), "and the server's signature checks");
    const md = await c.request(MetadataApi, 12, { topics: null, allowAutoTopicCreation: false, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false });
    t.ok(md.topics.some((x) => x.name === 't'), 'and is served Metadata');
  } finally {
    c.close();
  }
}

t.test('garbage after a completed TLS handshake closes the connection with no answer; the broker serves on', async (t) => {
  await using kafka = await startBroker();
  const ca = kafka.tls!.caPem;
  const garbage: [string, Buffer][] = [
    // Size prefix 0xa5a5a5a5: negative.
    ['0xa5 bytes', Buffer.alloc(64 * 1024, 0xa5)],
    // An HTTP request: its size prefix "GET " is 1.1 GB.
    ['an HTTP request', Buffer.from('GET / HTTP/1.1\r\nHost: localhost\r\n\r\n')],
    // A plausible 12-byte frame with API key 0x7777.
    ['a small frame of an unknown API', Buffer.from([0, 0, 0, 12, 0x77, 0x77, 0, 0, 0, 0, 0, 1, 0xff, 0xff, 0, 0])],
  ];
  for (const listener of ['SASL_SSL', 'SSL']) {
    for (const [name, bytes] of garbage) {
      const c = await rawTls(addressOf(kafka, listener), ca);
      c.socket.write(bytes);
      t.ok(await within(c.closed, 10_000), `${listener}, ${name}: closed`);
      t.equal(c.received(), 0, `${listener}, ${name}: nothing answered`);
    }
  }

  // Raw bytes that are no TLS record, written under the client's TLS session by a proxy.
  const upstreams: Socket[] = [];
  const proxy = createServer((down) => {
    const port = Number(addressOf(kafka, 'SASL_SSL').split(':')[1]);
    const up = connect({ host: '127.0.0.1', port });
    upstreams.push(up);
    down.on('error', () => {});
    up.on('error', () => {});
    down.pipe(up).pipe(down);
  });
  proxy.listen(0, '127.0.0.1');
  await once(proxy, 'listening');
  t.teardown(() => proxy.close());
  const proxyPort = (proxy.address() as { port: number }).port;
  for (const [name, bytes] of garbage) {
    const c = await rawTls(`127.0.0.1:${proxyPort}`, ca);
    upstreams.at(-1)!.write(bytes);
    t.ok(await within(c.closed, 10_000), `raw bytes under TLS (${name}): the broker ends the TLS session`);
    t.equal(c.received(), 0, `raw bytes under TLS (${name}): no Kafka answer`);
  }
  await goodClientServed(t, kafka);
});

/**
 * Streams a frame whose size prefix claims `head.length + tokenBytes (+ tail)` bytes: `head`, then
 * zeros in 1 MiB writes, each after the socket drained, until everything is written or the
 * broker closed. Returns the bytes the socket accepted.
 */
async function streamHugeFrame(socket: TLSSocket, head: Buffer, tokenBytes: number, tail: Buffer): Promise<number> {
  const chunk = Buffer.alloc(MiB);
  let written = 0;
  const write = async (b: Buffer) => {
    if (socket.destroyed) return false;
    written += b.length;
    if (!socket.write(b)) {
      const drained = await new Promise<boolean>((resolve) => {
        socket.once('drain', () => resolve(true));
        socket.once('close', () => resolve(false));
      });
      if (!drained) return false;
    }
    return true;
  };
  if (!(await write(head))) return written;
  for (let left = tokenBytes; left > 0; left -= chunk.length) {
    if (!(await write(left >= chunk.length ? chunk : chunk.subarray(0, left)))) return written;
  }
  await write(tail);
  return written;
}

t.test('a SASL token of 100 MB is refused from its size prefix: closed with no answer, after the failed-authentication delay, memory bounded', async (t) => {
  await using kafka = await startBroker();
  const TOKEN = 100_000_000;
  // SaslAuthenticate v2: the encoded request with an empty token, its compact-bytes length
  // (varint of length + 1) and tagged fields replaced, the size prefix made to match.
  const small = WireClient.frame(SaslAuthenticateApi, 2, { authBytes: Buffer.alloc(0) });
  const headerAndLength = Buffer.concat([small.subarray(4, small.length - 2), varint(TOKEN + 1)]);
  const size = Buffer.alloc(4);
  size.writeInt32BE(headerAndLength.length + TOKEN + 1);
  const cases = [
    { name: 'SaslAuthenticate v2', handshake: 1, head: Buffer.concat([size, headerAndLength]), tail: Buffer.from([0]) },
    { name: 'handshake v0 raw token', handshake: 0, head: int32(TOKEN), tail: Buffer.alloc(0) },
  ];
  for (const c of cases) {
    const conn = await rawTls(addressOf(kafka, 'SASL_SSL'), kafka.tls!.caPem);
    // The handshake, answered, before the token.
    const hs = WireClient.frame(SaslHandshakeApi, c.handshake, { mechanism: 'SCRAM-SHA-512' });
    conn.socket.write(hs);
    const answered = await new Promise<Buffer>((resolve) => conn.socket.once('data', resolve));
    t.equal(answered.readInt16BE(8), ErrorCode.NONE, `${c.name}: the handshake is answered`);
    const receivedBefore = conn.received();
    const rss = rssWatch();
    const began = performance.now();
    const written = await streamHugeFrame(conn.socket, c.head, TOKEN, c.tail);
    t.ok(await within(conn.closed, 10_000), `${c.name}: closed`);
    const ms = performance.now() - began;
    const { startMiB, growthMiB } = rss.stop();
    t.equal(conn.received(), receivedBefore, `${c.name}: no answer to the token (Kafka has no response to send for an invalid receive)`);
    t.ok(written < 32 * MiB, `${c.name}: the broker stopped reading at once: ${(written / MiB).toFixed(1)} MiB of 95 MiB accepted by the socket`);
    t.ok(ms >= FAILED_AUTH_DELAY_MS - 5, `${c.name}: the close waited for connection.failed.authentication.delay.ms (${ms.toFixed(0)} ms)`);
    // 100 MB held anywhere would show; 48 MiB leaves room for socket and TLS buffers and GC lag.
    t.ok(growthMiB < 48, `${c.name}: RSS grew ${growthMiB.toFixed(1)} MiB from ${startMiB.toFixed(0)} MiB`);
    t.comment(`100 MB token, ${c.name}: ${(written / MiB).toFixed(1)} MiB written before the close, ${ms.toFixed(0)} ms, RSS +${growthMiB.toFixed(1)} MiB from ${startMiB.toFixed(0)} MiB`);
  }
  await goodClientServed(t, kafka);
});

t.test('sasl.server.max.receive.size is the limit: a frame one byte above it is refused, one at it is read', async (t) => {
  const LIMIT = 4096;
  await using kafka = await startBroker({ 'sasl.server.max.receive.size': LIMIT });
  const plainToken = (password: string) => Buffer.from(`\0alice\0${password}`);
  const authenticateFrame = (tokenLength: number) => {
    // Pads the PLAIN password to the frame size (without its size prefix); the second try
    // corrects for the token's length varint, which grows by a byte past 127.
    const build = (pad: number) => WireClient.frame(SaslAuthenticateApi, 2, { authBytes: plainToken('x'.repeat(pad)) });
    const guess = tokenLength - (build(0).length - 4);
    return build(guess - (build(guess).length - 4 - tokenLength));
  };
  for (const [frameSize, refusedFromSize] of [[LIMIT, false], [LIMIT + 1, true]] as const) {
    const c = await WireClient.connect(addressOf(kafka, 'SASL_PLAINTEXT'));
    await c.request(SaslHandshakeApi, 1, { mechanism: 'PLAIN' });
    const frame = authenticateFrame(frameSize);
    t.equal(frame.length - 4, frameSize);
    const answer = c.sendFrame(frame).then((f) => f, () => null);
    const reply = await answer;
    if (refusedFromSize) t.equal(reply, null, `a ${frameSize}-byte frame: closed with no answer`);
    else t.ok(reply !== null && reply.length > 0, `a ${frameSize}-byte frame is read and answered (a wrong password)`);
    await c.waitClosed();
  }
});

t.test('a SCRAM exchange out of order fails with Kafka\'s generic message and closes', async (t) => {
  await using kafka = await startBroker();
  const steps: [string, (scram: ScramClient, c: WireClient) => Promise<Buffer[]>][] = [
    // A client-final message (well formed, for another exchange) in place of the client-first.
    ['client-final before client-first', async (scram) => {
      const other = new ScramClient(SCRAM_SHA_512, 'alice', USERS.alice);
      other.first();
      return [other.final(Buffer.from(`r=${other.clientNonce}server,s=${Buffer.from('salt').toString('base64')},i=4096`))];
    }],
    ['client-first twice', async (scram) => [scram.first(), scram.first()]],
    ['a final message with another nonce', async (scram, c) => {
      const first = await c.request(SaslAuthenticateApi, 2, { authBytes: scram.first() });
      const serverFirst = first.authBytes.toString();
      // The server's nonce with its server part changed.
      const forged = serverFirst.replace(/^r=([^,]+)/, (_, n: string) => `r=${n.slice(0, -4)}AAAA`);
      return [scram.final(Buffer.from(forged))];
    }],
  ];
  for (const [name, tokens] of steps) {
    const c = await WireClient.connectTls(addressOf(kafka, 'SASL_SSL'), kafka.tls!.caPem);
    await c.request(SaslHandshakeApi, 1, { mechanism: 'SCRAM-SHA-512' });
    const scram = new ScramClient(SCRAM_SHA_512, 'alice', USERS.alice);
    const sent = await tokens(scram, c);
    const answers: { errorCode: number; errorMessage: string | null }[] = [];
    for (const token of sent) {
      const r = await c.request(SaslAuthenticateApi, 2, { authBytes: token });
      answers.push({ errorCode: r.errorCode, errorMessage: r.errorMessage });
      if (r.errorCode !== ErrorCode.NONE) break;
    }
    t.strictSame(answers.at(-1), { errorCode: ErrorCode.SASL_AUTHENTICATION_FAILED, errorMessage: GENERIC_SCRAM_FAILURE }, `${name}: SASL_AUTHENTICATION_FAILED with Kafka's message`);
    t.equal(answers.length, sent.length, `${name}: every token before the bad one was accepted`);
    await c.waitClosed();
    t.ok(c.closed, `${name}: closed`);
  }
  await goodClientServed(t, kafka);
});

t.test('10,000 failed PLAIN logins: each refused with Kafka\'s message after the delay, RSS bounded, then a good client is served', async (t) => {
  await using kafka = await startBroker();
  const LOGINS = 10_000;
  const CONCURRENCY = 100;
  const address = addressOf(kafka, 'SASL_PLAINTEXT');
  const outcomes = new Map<string, number>();
  let minLatency = Number.POSITIVE_INFINITY;
  let notClosed = 0;
  const login = async (i: number) => {
    const c = await WireClient.connect(address);
    try {
      const began = performance.now();
      // Both requests sent at once, as a client that pipelines them would.
      const [, r] = await Promise.all([
        c.request(SaslHandshakeApi, 1, { mechanism: 'PLAIN' }),
        c.request(SaslAuthenticateApi, 2, { authBytes: Buffer.from(`\0alice\0wrong-${i}`) }),
      ]);
      minLatency = Math.min(minLatency, performance.now() - began);
      const key = `${r.errorCode} ${r.errorMessage}`;
      outcomes.set(key, (outcomes.get(key) ?? 0) + 1);
      await c.waitClosed().catch(() => notClosed++);
    } finally {
      c.close();
    }
  };
  const heapBefore = heapAfterGcMiB();
  const rss = rssWatch();
  const cpu = process.cpuUsage();
  const began = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < LOGINS) await login(next++);
    }),
  );
  const seconds = (performance.now() - began) / 1000;
  const used = process.cpuUsage(cpu);
  const { startMiB, growthMiB } = rss.stop();
  const retainedMiB = heapAfterGcMiB() - heapBefore;
  t.strictSame([...outcomes], [[`${ErrorCode.SASL_AUTHENTICATION_FAILED} ${PLAIN_FAILURE}`, LOGINS]], "every login answered SASL_AUTHENTICATION_FAILED with Kafka's message");
  t.equal(notClosed, 0, 'every connection closed by the broker');
  t.ok(minLatency >= FAILED_AUTH_DELAY_MS - 5, `no refusal came before connection.failed.authentication.delay.ms (fastest ${minLatency.toFixed(0)} ms)`);
  t.equal(kafka.broker.connectionCount, 0, 'the broker holds none of the connections');
  // The leak check: what stays reachable after a full GC. A Connection with its socket,
  // authenticator and buffers is several KB, so 10,000 kept would be tens of MiB.
  t.ok(retainedMiB < 8, `heap retained after GC: ${retainedMiB.toFixed(1)} MiB`);
  // The peak: 100 connections in flight at a time plus garbage not yet collected (seen 34 to 113
  // MiB on a 2-core machine at load average 25-30, clients included); unbounded state per login
  // (10,000 of them) would pass any fixed bound.
  t.ok(growthMiB < 192, `peak RSS grew ${growthMiB.toFixed(1)} MiB from ${startMiB.toFixed(0)} MiB`);
  t.comment(`10,000 failed logins: ${seconds.toFixed(1)} s, CPU ${((used.user + used.system) / 1000).toFixed(0)} ms (broker and clients), peak RSS +${growthMiB.toFixed(1)} MiB from ${startMiB.toFixed(0)} MiB, heap retained after GC ${retainedMiB.toFixed(1)} MiB, load average ${loadavg().map((x) => x.toFixed(1)).join(' ')}`);
  await goodClientServed(t, kafka);
});

t.test('connection.failed.authentication.delay.ms=0 closes at once', async (t) => {
  await using kafka = await startBroker({ 'connection.failed.authentication.delay.ms': 0 });
  const c = await WireClient.connect(addressOf(kafka, 'SASL_PLAINTEXT'));
  await c.request(SaslHandshakeApi, 1, { mechanism: 'PLAIN' });
  const r = await c.request(SaslAuthenticateApi, 2, { authBytes: Buffer.from('\0alice\0wrong') });
  t.equal(r.errorMessage, PLAIN_FAILURE);
  await c.waitClosed();
  t.ok(c.closed);
});

function varint(n: number): Buffer {
  const out: number[] = [];
  while (n >= 0x80) {
    out.push((n & 0x7f) | 0x80);
    n = Math.floor(n / 128);
  }
  out.push(n);
  return Buffer.from(out);
}

function int32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeInt32BE(n);
  return b;
}

