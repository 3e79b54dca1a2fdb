/**
 * A small Kafka client over the project's generated codecs: bootstrap, cluster metadata, one
 * connection per broker, requests routed to a partition's leader or a group's or transaction's
 * coordinator. The producer, consumer and admin calls (producer.ts, fetcher.ts, admin.ts) are
 * functions over this class.
 *
 *   const client = await KafkaClient.connect({ bootstrapServers: '127.0.0.1:9092' });
 *   const md = await client.metadata(['orders']);
 *   client.close();
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { Connection } from './connection.js';
import type { Api } from './connection.js';
import { ConnectionError, KafkaResponseError, check } from './errors.js';
import { MetadataApi, defaultMetadataRequest } from '../protocol/messages/metadata.js';
import type { MetadataResponse } from '../protocol/messages/metadata.js';
import { ZERO_UUID } from '../protocol/uuid.js';
import { FindCoordinatorApi, defaultFindCoordinatorRequest } from '../protocol/messages/find-coordinator.js';

export interface ClientOptions {
  /** "host:port[,host:port...]" */
  readonly bootstrapServers: string;
  readonly clientId?: string;
  readonly requestTimeoutMs?: number;
}

export interface PartitionInfo {
  readonly partition: number;
  readonly leader: number;
  readonly leaderEpoch: number;
  readonly replicas: readonly number[];
  readonly isr: readonly number[];
  readonly errorCode: number;
}

export interface TopicInfo {
  readonly name: string;
  readonly topicId: string;
  readonly internal: boolean;
  readonly errorCode: number;
  readonly partitions: readonly PartitionInfo[];
}

export interface BrokerInfo {
  readonly nodeId: number;
  readonly host: string;
  readonly port: number;
  readonly rack: string | null;
}

export interface ClusterMetadata {
  readonly clusterId: string | null;
  readonly controllerId: number;
  readonly brokers: readonly BrokerInfo[];
  readonly topics: readonly TopicInfo[];
}

/** FindCoordinator key types. */
export const CoordinatorType = { GROUP: 0, TRANSACTION: 1 } as const;

export function parseHostPort(s: string): [string, number] {
  const i = s.lastIndexOf(':');
  const host = i < 0 ? s : s.slice(0, i).replace(/^\[(.*)\]$/, '$1');
  const port = i < 0 ? 9092 : Number(s.slice(i + 1));
  if (host === '' || !Number.isInteger(port) || port < 1 || port > 65535) throw new ConnectionError(`bad broker address '${s}': expected host:port`);
  return [host, port];
}

export class KafkaClient {
  private readonly byNode = new Map<number, Promise<Connection>>();
  private brokers = new Map<number, BrokerInfo>();
  private readonly leaders = new Map<string, number>();

  private constructor(
    private readonly bootstrap: Connection,
    private readonly opts: { clientId: string; requestTimeoutMs: number },
  ) {}

  static async connect(o: ClientOptions): Promise<KafkaClient> {
    const opts = { clientId: o.clientId ?? 'minikafka-client', requestTimeoutMs: o.requestTimeoutMs ?? 30_000 };
    let last: Error | null = null;
    for (const addr of o.bootstrapServers.split(',').map((s) => s.trim()).filter((s) => s !== '')) {
      const [host, port] = parseHostPort(addr);
      try {
        const client = new KafkaClient(await Connection.open(host, port, opts), opts);
        await client.metadata([]);
        return client;
      } catch (e) {
        if (!(e instanceof ConnectionError)) throw e;
        last = e;
      }
    }
    throw last ?? new ConnectionError('no bootstrap server given');
  }

  /** Any live connection, for requests every broker answers. */
  get any(): Connection {
    return this.bootstrap;
  }

  /** Metadata for the named topics, or every topic when `topics` is null. Refreshes leaders. */
  async metadata(topics: readonly string[] | null, allowAutoTopicCreation = false): Promise<ClusterMetadata> {
    const resp: MetadataResponse = await this.bootstrap.request(MetadataApi, {
      ...defaultMetadataRequest(),
      topics: topics === null ? null : topics.map((name) => ({ topicId: ZERO_UUID, name })),
      allowAutoTopicCreation,
    });
    this.brokers = new Map(resp.brokers.map((b) => [b.nodeId, { nodeId: b.nodeId, host: b.host, port: b.port, rack: b.rack }]));
    const out: TopicInfo[] = resp.topics.map((t) => ({
      name: t.name ?? '',
      topicId: t.topicId,
      internal: t.isInternal,
      errorCode: t.errorCode,
      partitions: t.partitions
        .map((p) => ({ partition: p.partitionIndex, leader: p.leaderId, leaderEpoch: p.leaderEpoch, replicas: p.replicaNodes, isr: p.isrNodes, errorCode: p.errorCode }))
        .sort((a, b) => a.partition - b.partition),
    }));
    for (const t of out) for (const p of t.partitions) this.leaders.set(`${t.name}:${p.partition}`, p.leader);
    return { clusterId: resp.clusterId, controllerId: resp.controllerId, brokers: [...this.brokers.values()], topics: out };
  }

  /** One topic's metadata; UNKNOWN_TOPIC_OR_PARTITION and the like are thrown. */
  async topic(name: string, allowAutoTopicCreation = false): Promise<TopicInfo> {
    const md = await this.metadata([name], allowAutoTopicCreation);
    const t = md.topics.find((x) => x.name === name);
    if (t === undefined) throw new KafkaResponseError(3, `topic ${name}`);
    check(t.errorCode, `topic ${name}`);
    return t;
  }

  /** The connection to a broker by node id (opened on first use). */
  node(nodeId: number): Promise<Connection> {
    let c = this.byNode.get(nodeId);
    if (c === undefined) {
      const b = this.brokers.get(nodeId);
      if (b === undefined) return Promise.reject(new ConnectionError(`broker ${nodeId} is not in the cluster metadata`));
      c = Connection.open(b.host, b.port, this.opts);
      // A failed open is forgotten so that the next call tries again.
      c.catch(() => this.byNode.delete(nodeId));
      this.byNode.set(nodeId, c);
    }
    return c;
  }

  /** The connection to a partition's leader (from the last metadata, fetched if unknown). */
  async leader(topic: string, partition: number): Promise<Connection> {
    let id = this.leaders.get(`${topic}:${partition}`);
    if (id === undefined) {
      await this.topic(topic);
      id = this.leaders.get(`${topic}:${partition}`);
      if (id === undefined) throw new KafkaResponseError(3, `partition ${topic}-${partition}`);
    }
    if (id < 0) throw new KafkaResponseError(5, `partition ${topic}-${partition}`);
    return this.node(id);
  }

  /** The group's (type GROUP) or transactional id's (TRANSACTION) coordinator. */
  async coordinator(key: string, type: number): Promise<Connection> {
    const resp = await this.bootstrap.request(FindCoordinatorApi, (v) => ({ ...defaultFindCoordinatorRequest(), key: v <= 3 ? key : '', keyType: type, coordinatorKeys: v >= 4 ? [key] : [] }));
    const c = resp.coordinators.length > 0 ? resp.coordinators[0]! : { nodeId: resp.nodeId, host: resp.host, port: resp.port, errorCode: resp.errorCode, errorMessage: resp.errorMessage };
    check(c.errorCode, `FindCoordinator ${key}`, c.errorMessage);
    if (!this.brokers.has(c.nodeId)) this.brokers.set(c.nodeId, { nodeId: c.nodeId, host: c.host, port: c.port, rack: null });
    return this.node(c.nodeId);
  }

  /** The node id a connection from node() or coordinator() goes to (-1 for the bootstrap one). */
  nodeIdOf(conn: Connection): number {
    for (const [id, b] of this.brokers) if (`${b.host}:${b.port}` === conn.address) return id;
    return -1;
  }

  /**
   * Runs `attempt` again while it fails with a retriable Kafka error (a coordinator still
   * loading or moving, a transaction still completing), backing off from 50 ms to 1 s as Kafka's
   * clients do (retry.backoff.ms, retry.backoff.max.ms), until the request timeout.
   */
  async retry<T>(attempt: () => Promise<T>): Promise<T> {
    const deadline = Date.now() + this.opts.requestTimeoutMs;
    for (let delay = 50; ; delay = Math.min(delay * 2, 1000)) {
      try {
        return await attempt();
      } catch (e) {
        if (!(e instanceof KafkaResponseError && e.retriable) || Date.now() + delay > deadline) throw e;
        await sleep(delay);
      }
    }
  }

  /** Sends `api` to every broker in the metadata; for ListGroups and ListTransactions. */
  async everyBroker<Req, Resp>(api: Api<Req, Resp>, body: Req): Promise<Resp[]> {
    return Promise.all([...this.brokers.keys()].map(async (id) => (await this.node(id)).request(api, body)));
  }

  close(): void {
    this.bootstrap.close();
    for (const c of this.byNode.values()) c.then((x) => x.close(), () => {});
  }

  [Symbol.dispose](): void {
    this.close();
  }
}
