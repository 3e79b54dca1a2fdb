/**
 * The key fields of a decoded request or response, for the request trace (`--trace`).
 *
 * Generic over every API, so that a new codec is traced without a line here: the topics (with
 * their partitions) found under any field whose name says "topic", a fixed list of scalar fields
 * a developer looks for (group, member, transactional id, producer id/epoch, acks, ...), the sizes
 * of record batches, and every non-zero error code of a response with how often it occurs.
 *
 * Nothing else is copied out: secrets (SaslAuthenticate's authBytes, SCRAM salted passwords,
 * delegation token HMACs) are never among the chosen fields, so a trace cannot leak them.
 *
 * The walks are bounded (MAX_NODES objects) so that a 10,000-partition request costs a bounded
 * amount of tracing time; what was cut is counted.
 */
import { errorInfo } from '../../protocol/errors.js';

/** Scalar request fields worth a developer's eye, in the order they are shown. */
const KEY_FIELDS = [
  'groupId',
  'memberId',
  'groupInstanceId',
  'generationId',
  'memberEpoch',
  'protocolType',
  'transactionalId',
  'producerId',
  'producerEpoch',
  'acks',
  'timeoutMs',
  'maxWaitMs',
  'minBytes',
  'maxBytes',
  'isolationLevel',
  'sessionId',
  'sessionEpoch',
  'key',
  'keyType',
  'committed',
  'mechanism',
  'coordinatorKeys',
  'groups',
  'transactionalIds',
  'statesFilter',
  'clientSoftwareName',
  'clientSoftwareVersion',
] as const;

const MAX_NODES = 5000;
const MAX_TOPICS = 20;

export interface TraceSummary {
  /** Topic name (or id, when the name is unknown) to partition indexes, as far as the walk went. */
  topics?: Record<string, number[]>;
  /** Key scalar fields by name. */
  fields?: Record<string, string | number | boolean | null>;
  /** Bytes of record batches carried. */
  recordBytes?: number;
  /** Non-zero error codes by name, with counts (responses). */
  errors?: Record<string, number>;
  throttleTimeMs?: number;
  /** Objects the walk did not visit (MAX_NODES reached), or topics not listed (MAX_TOPICS). */
  truncated?: number;
}

export type TopicNameOf = (topicId: string) => string | undefined;

function isRecords(v: unknown): v is Buffer | readonly Buffer[] {
  return Buffer.isBuffer(v) || (Array.isArray(v) && v.length > 0 && Buffer.isBuffer(v[0]));
}

function recordsLength(v: Buffer | readonly Buffer[]): number {
  if (Buffer.isBuffer(v)) return v.length;
  let n = 0;
  for (const b of v) n += b.length;
  return n;
}

class Walker {
  nodes = 0;
  truncated = 0;
  recordBytes = 0;
  readonly topics = new Map<string, number[]>();
  readonly errors = new Map<string, number>();

  constructor(
    private readonly topicName: TopicNameOf,
    private readonly collectErrors: boolean,
  ) {}

  /** Visits a value; `topicCtx` is the partition list of the topic being walked, if any. */
  visit(v: unknown, topicCtx: number[] | null): void {
    if (v === null || typeof v !== 'object') return;
    if (isRecords(v)) {
      this.recordBytes += recordsLength(v);
      return;
    }
    if (Array.isArray(v)) {
      for (const x of v) this.visit(x, topicCtx);
      return;
    }
    if (++this.nodes > MAX_NODES) {
      this.truncated++;
      return;
    }
    const o = v as Record<string, unknown>;
    let ctx = topicCtx;
    const name = topicNameIn(o, this.topicName);
    if (name !== null && topicCtx === null) ctx = this.topic(name);
    if (name !== null && ctx !== null && Array.isArray(o.partitionIndexes)) {
      for (const p of o.partitionIndexes) if (typeof p === 'number') ctx.push(p);
    }
    if (name === null && ctx !== null) {
      // A partition of the topic being walked: Kafka names its index three ways.
      const p = typeof o.partitionIndex === 'number' ? o.partitionIndex : typeof o.index === 'number' ? o.index : typeof o.partition === 'number' ? o.partition : null;
      if (p !== null) ctx.push(p);
    }
    if (this.collectErrors && typeof o.errorCode === 'number' && o.errorCode !== 0) {
      const e = errorInfo(o.errorCode).name;
      this.errors.set(e, (this.errors.get(e) ?? 0) + 1);
    }
    for (const [k, x] of Object.entries(o)) {
      if (x === null || typeof x !== 'object' || k === '_unknownTaggedFields') continue;
      this.visit(x, ctx);
    }
  }

  private topic(name: string): number[] | null {
    let parts = this.topics.get(name);
    if (parts === undefined) {
      if (this.topics.size >= MAX_TOPICS) {
        this.truncated++;
        return null;
      }
      parts = [];
      this.topics.set(name, parts);
    }
    return parts;
  }
}

/** The topic an object stands for: a `topic`/`topicName`/`name` beside partitions, or a topic id. */
function topicNameIn(o: Record<string, unknown>, topicName: TopicNameOf): string | null {
  if (typeof o.topic === 'string' && o.topic !== '') return o.topic;
  if (typeof o.topicName === 'string' && o.topicName !== '') return o.topicName;
  const hasPartitions = Array.isArray(o.partitions) || Array.isArray(o.partitionData) || Array.isArray(o.partitionIndexes) || Array.isArray(o.partitionResponses);
  if (typeof o.name === 'string' && o.name !== '' && (hasPartitions || typeof o.topicId === 'string' || typeof o.isInternal === 'boolean' || typeof o.numPartitions === 'number')) return o.name;
  if (typeof o.topicId === 'string' && o.topicId !== 'AAAAAAAAAAAAAAAAAAAAAA') return topicName(o.topicId) ?? o.topicId;
  return null;
}

function summarize(body: unknown, topicName: TopicNameOf, response: boolean): TraceSummary {
  const out: TraceSummary = {};
  if (body === null || typeof body !== 'object') return out;
  const w = new Walker(topicName, response);
  w.visit(body, null);
  if (w.topics.size > 0) {
    out.topics = {};
    for (const [t, parts] of w.topics) out.topics[t] = parts;
  }
  const o = body as Record<string, unknown>;
  if (!response) {
    const fields: Record<string, string | number | boolean | null> = {};
    let any = false;
    for (const k of KEY_FIELDS) {
      const v = o[k];
      if (v === undefined) continue;
      if (typeof v === 'bigint') fields[k] = v.toString() as unknown as number;
      else if (v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') fields[k] = v;
      else if (Array.isArray(v) && v.every((x) => typeof x === 'string')) fields[k] = (v as string[]).slice(0, 20).join(',');
      else continue;
      any = true;
    }
    if (any) out.fields = fields;
  } else {
    if (w.errors.size > 0) out.errors = Object.fromEntries(w.errors);
    if (typeof o.throttleTimeMs === 'number' && o.throttleTimeMs > 0) out.throttleTimeMs = o.throttleTimeMs;
  }
  if (w.recordBytes > 0) out.recordBytes = w.recordBytes;
  if (w.truncated > 0) out.truncated = w.truncated;
  return out;
}

export function summarizeRequest(body: unknown, topicName: TopicNameOf): TraceSummary {
  return summarize(body, topicName, false);
}

export function summarizeResponse(body: unknown, topicName: TopicNameOf): TraceSummary {
  return summarize(body, topicName, true);
}
