/**
 * The broker side of client telemetry (KIP-714), as Kafka's ClientMetricsManager does it: each
 * client instance (a uuid the broker hands out) gets the metrics of every subscription that
 * matches it, the shortest of their push intervals and a subscription id; it may ask again or
 * push once per interval.
 *
 * GetTelemetrySubscriptions: a zero id gets a new random one; an instance whose subscriptions
 * changed since it last asked is re-evaluated; asking again within the push interval is
 * THROTTLING_QUOTA_EXCEEDED (unless its last push failed with UNKNOWN_SUBSCRIPTION_ID or
 * UNSUPPORTED_COMPRESSION_TYPE), with an otherwise empty response.
 * PushTelemetry, in Kafka's order: a zero or reserved id INVALID_REQUEST; a push after a
 * terminating push INVALID_REQUEST; a push within the interval (not terminating, and not the first
 * after a GetTelemetrySubscriptions) THROTTLING_QUOTA_EXCEEDED; another subscription id
 * UNKNOWN_SUBSCRIPTION_ID; an unknown compression UNSUPPORTED_COMPRESSION_TYPE; more than
 * telemetry.max.bytes (1 MiB) TELEMETRY_TOO_LARGE; a payload that does not decompress
 * INVALID_RECORD.
 *
 * Where Kafka hands the payload to a ClientTelemetryExporter plugin, minikafka keeps it (bounded:
 * the newest MAX_PUSHES pushes and MAX_BYTES bytes), so that tests can read what clients pushed
 * (MiniKafka.telemetry()). Instances are forgotten when their connection closes or after
 * max(60 s, 3 intervals) without a request, and at most 16384 are kept (Kafka's cache size).
 */
import { KafkaError } from '../../protocol/errors.js';
import { ZERO_UUID } from '../../protocol/uuid.js';
import { crc32cRange } from '../../protocol/records/crc32c.js';
import { decompress, isSupportedCodec } from '../../protocol/records/compression.js';
import type { Clock } from '../../util/clock.js';
import { ALL_METRICS, INTERVAL_MS_DEFAULT } from './client-metrics.js';
import type { ClientMetrics, MatchAttribute } from './client-metrics.js';

/** Kafka's preference order: the client compresses with the first it supports. */
export const ACCEPTED_COMPRESSION_TYPES = [4, 3, 1, 2];
/** telemetry.max.bytes, Kafka's default. */
export const TELEMETRY_MAX_BYTES = 1024 * 1024;
const CACHE_MAX_SIZE = 16384;
const CACHE_EXPIRY_MS = 60_000;
export const MAX_PUSHES = 1000;
export const MAX_BYTES = 16 * 1024 * 1024;
/** Uuid.RESERVED: the zero uuid and the metadata topic's id (0...01). */
const ONE_UUID = 'AAAAAAAAAAAAAAAAAAAAAQ';

/** What the broker knows of the client behind a request. */
export interface TelemetryClient {
  readonly clientId: string | null;
  readonly softwareName: string | null;
  readonly softwareVersion: string | null;
  readonly address: string;
  readonly port: number;
  /** A key of the connection (broker and connection id), to forget its instances when it closes. */
  readonly connectionKey: string;
  onClose(fn: () => void): void;
}

/** One push as received, for tests. */
export interface PushedTelemetry {
  readonly clientInstanceId: string;
  readonly clientId: string | null;
  readonly clientSoftwareName: string | null;
  readonly clientSoftwareVersion: string | null;
  readonly subscriptionId: number;
  readonly terminating: boolean;
  readonly compressionType: number;
  /** The decompressed payload: an OTLP MetricsData protobuf message. */
  readonly metrics: Buffer;
  readonly receivedAtMs: number;
}

interface Instance {
  readonly id: string;
  readonly attributes: ReadonlyMap<MatchAttribute, string | null>;
  readonly connectionKey: string;
  readonly subscriptionId: number;
  readonly version: number;
  readonly metrics: readonly string[];
  readonly pushIntervalMs: number;
  lastGetMs: number;
  lastPushMs: number;
  terminating: boolean;
  lastError: 'NONE' | 'UNKNOWN_SUBSCRIPTION_ID' | 'UNSUPPORTED_COMPRESSION_TYPE' | 'OTHER';
  lastSeenMs: number;
}

export interface Subscribed {
  readonly clientInstanceId: string;
  readonly subscriptionId: number;
  readonly pushIntervalMs: number;
  readonly requestedMetrics: string[];
}

/** Java's Uuid.hashCode(): the xor of the two longs, folded to an int. */
function uuidHash(id: string): number {
  const b = Buffer.from(id, 'base64url');
  const h = b.readBigInt64BE(0) ^ b.readBigInt64BE(8);
  return Number(BigInt.asIntN(32, h >> 32n) ^ BigInt.asIntN(32, h));
}

export class TelemetryReceiver {
  /** Insertion order is recency: the first entry is the least recently used. */
  private readonly instances = new Map<string, Instance>();
  private readonly pushes: PushedTelemetry[] = [];
  private pushedBytes = 0;
  private readonly watched = new Set<string>();

  constructor(
    private readonly subscriptions: ClientMetrics,
    private readonly clock: Clock,
  ) {}

  /** GetTelemetrySubscriptions; throws THROTTLING_QUOTA_EXCEEDED as Kafka does. */
  getSubscriptions(requestedId: string, client: TelemetryClient): Subscribed {
    const now = this.clock.now();
    const id = requestedId === ZERO_UUID ? this.newId() : requestedId;
    const inst = this.instance(id, client, now);
    const elapsed = now - Math.max(inst.lastGetMs, inst.lastPushMs);
    if (elapsed < inst.pushIntervalMs && inst.lastError !== 'UNKNOWN_SUBSCRIPTION_ID' && inst.lastError !== 'UNSUPPORTED_COMPRESSION_TYPE') {
      throw new KafkaError('THROTTLING_QUOTA_EXCEEDED', `Request from the client [${requestedId}] arrived before the next push interval time`);
    }
    inst.lastGetMs = now;
    inst.lastError = 'NONE';
    return { clientInstanceId: id, subscriptionId: inst.subscriptionId, pushIntervalMs: inst.pushIntervalMs, requestedMetrics: [...inst.metrics] };
  }

  /** PushTelemetry; resolves, or rejects with the KafkaError Kafka would answer. */
  async push(req: { clientInstanceId: string; subscriptionId: number; terminating: boolean; compressionType: number; metrics: Buffer }, client: TelemetryClient): Promise<void> {
    const id = req.clientInstanceId;
    if (id === ZERO_UUID || id === ONE_UUID) throw new KafkaError('INVALID_REQUEST', `Invalid request from the client [${id}], invalid client instance id`);
    const now = this.clock.now();
    const inst = this.instance(id, client, now);
    try {
      this.checkPush(req, inst, now);
    } catch (e) {
      const name = e instanceof KafkaError ? e.errorName : undefined;
      inst.lastError = name === 'UNKNOWN_SUBSCRIPTION_ID' || name === 'UNSUPPORTED_COMPRESSION_TYPE' ? name : 'OTHER';
      throw e;
    } finally {
      inst.terminating = req.terminating;
    }
    if (req.metrics.length > 0) {
      let payload: Buffer;
      try {
        payload = await decompress(req.compressionType, req.metrics);
      } catch {
        inst.lastError = 'OTHER';
        throw new KafkaError('INVALID_RECORD', 'The telemetry payload could not be decompressed');
      }
      if (payload.length > TELEMETRY_MAX_BYTES) {
        inst.lastError = 'OTHER';
        throw new KafkaError('TELEMETRY_TOO_LARGE');
      }
      this.keep({
        clientInstanceId: id,
        clientId: client.clientId,
        clientSoftwareName: client.softwareName,
        clientSoftwareVersion: client.softwareVersion,
        subscriptionId: req.subscriptionId,
        terminating: req.terminating,
        compressionType: req.compressionType,
        metrics: payload,
        receivedAtMs: now,
      });
    }
    inst.lastError = 'NONE';
  }

  /** Forgets the pushes kept (the control plane's reset); returns how many there were. */
  clearReceived(): number {
    const n = this.pushes.length;
    this.pushes.length = 0;
    this.pushedBytes = 0;
    return n;
  }

  /** The pushes kept, oldest first. */
  received(): PushedTelemetry[] {
    return [...this.pushes];
  }

  private checkPush(req: { clientInstanceId: string; subscriptionId: number; terminating: boolean; compressionType: number; metrics: Buffer }, inst: Instance, now: number): void {
    const id = req.clientInstanceId;
    if (inst.terminating) throw new KafkaError('INVALID_REQUEST', `Client [${id}] sent the previous request with state terminating to TRUE, can not acceptany requests after that`);
    // The first push after a GetTelemetrySubscriptions is accepted at once: clients add jitter.
    const canAccept = inst.lastGetMs > inst.lastPushMs || now - inst.lastPushMs >= inst.pushIntervalMs;
    if (canAccept) inst.lastPushMs = now;
    else if (!req.terminating) throw new KafkaError('THROTTLING_QUOTA_EXCEEDED', `Request from the client [${id}] arrived before the next push interval time`);
    if (req.subscriptionId !== inst.subscriptionId) throw new KafkaError('UNKNOWN_SUBSCRIPTION_ID', `Unknown client subscription id for the client [${id}]`);
    if (!isSupportedCodec(req.compressionType)) throw new KafkaError('UNSUPPORTED_COMPRESSION_TYPE', `Unknown compression type [${req.compressionType}] is received in telemetry request from [${id}]`);
    if (req.metrics.length > TELEMETRY_MAX_BYTES) throw new KafkaError('TELEMETRY_TOO_LARGE', `Telemetry request from [${id}] is larger than the maximum allowed size [${TELEMETRY_MAX_BYTES}]`);
  }

  private keep(p: PushedTelemetry): void {
    this.pushes.push(p);
    this.pushedBytes += p.metrics.length;
    while (this.pushes.length > MAX_PUSHES || (this.pushedBytes > MAX_BYTES && this.pushes.length > 1)) {
      this.pushedBytes -= this.pushes.shift()!.metrics.length;
    }
  }

  private newId(): string {
    for (;;) {
      const id = Buffer.from(globalThis.crypto.getRandomValues(new Uint8Array(16))).toString('base64url');
      if (id !== ZERO_UUID && id !== ONE_UUID && !id.startsWith('-') && !this.instances.has(id)) return id;
    }
  }

  /** The cached instance, made anew when unknown, expired or when subscriptions changed since. */
  private instance(id: string, client: TelemetryClient, now: number): Instance {
    let inst = this.instances.get(id);
    if (inst !== undefined) this.instances.delete(id);
    const expired = inst !== undefined && now - inst.lastSeenMs > Math.max(CACHE_EXPIRY_MS, inst.pushIntervalMs * 3);
    if (inst === undefined || expired) inst = this.evaluate(id, this.attributesOf(id, client), client.connectionKey);
    else if (inst.version < this.subscriptions.version) inst = this.evaluate(id, inst.attributes, inst.connectionKey);
    inst.lastSeenMs = now;
    this.instances.set(id, inst);
    if (this.instances.size > CACHE_MAX_SIZE) this.instances.delete(this.instances.keys().next().value!);
    this.watch(client);
    return inst;
  }

  private attributesOf(id: string, c: TelemetryClient): Map<MatchAttribute, string | null> {
    return new Map<MatchAttribute, string | null>([
      ['client_instance_id', id],
      ['client_id', c.clientId],
      ['client_software_name', c.softwareName],
      ['client_software_version', c.softwareVersion],
      ['client_source_address', c.address],
      ['client_source_port', String(c.port)],
    ]);
  }

  /** ClientMetricsManager.createClientInstance: the union of the matching subscriptions. */
  private evaluate(id: string, attributes: ReadonlyMap<MatchAttribute, string | null>, connectionKey: string): Instance {
    let interval = INTERVAL_MS_DEFAULT;
    const metrics = new Set<string>();
    let all = false;
    for (const s of this.subscriptions.subscriptions()) {
      const matches = [...s.match].every(([attr, re]) => {
        const v = attributes.get(attr);
        return v !== null && v !== undefined && re.test(v);
      });
      if (!matches) continue;
      all ||= s.metrics.includes(ALL_METRICS);
      for (const m of s.metrics) metrics.add(m);
      interval = Math.min(interval, s.intervalMs);
    }
    const list = all ? [ALL_METRICS] : [...metrics];
    const text = Buffer.from(`[${list.join(', ')}]${interval}`);
    const subscriptionId = (crc32cRange(text, 0, text.length) | 0) ^ uuidHash(id);
    return {
      id,
      attributes,
      connectionKey,
      subscriptionId,
      version: this.subscriptions.version,
      metrics: list,
      pushIntervalMs: interval,
      // Kafka makes a new instance object: its request timestamps start again.
      lastGetMs: 0,
      lastPushMs: 0,
      terminating: false,
      lastError: 'NONE',
      lastSeenMs: 0,
    };
  }

  /** Forgets a connection's instances when it closes (Kafka's ConnectionDisconnectListener). */
  private watch(client: TelemetryClient): void {
    if (this.watched.has(client.connectionKey)) return;
    this.watched.add(client.connectionKey);
    client.onClose(() => {
      this.watched.delete(client.connectionKey);
      for (const [id, inst] of this.instances) if (inst.connectionKey === client.connectionKey) this.instances.delete(id);
    });
  }
}
