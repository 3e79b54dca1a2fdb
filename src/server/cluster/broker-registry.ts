/**
 * The brokers a cluster knows, as its controller's broker registrations: each registered broker
 * is live (unfenced: it listens and leads partitions) or stopped (fenced: it keeps its id, rack
 * and replicas, but clients do not see it and it leads nothing) until it is unregistered when it
 * closes for good. Metadata and DescribeCluster show the live ones, sorted by id.
 */
export interface BrokerNode {
  readonly nodeId: number;
  /** The primary listener's advertised host and port. */
  readonly host: string;
  readonly port: number;
  readonly rack: string | null;
  /** Every listener's advertised endpoint (Kafka's BrokerRegistration endpoints); absent: only host:port. */
  readonly endpoints?: readonly BrokerEndpoint[];
}

export interface BrokerEndpoint {
  readonly listenerName: string;
  readonly host: string;
  readonly port: number;
}

/**
 * A broker as a client on `listenerName` must see it: host and port of its endpoint on that
 * listener, or null when it has none (Kafka's getAliveBrokerNode(id, listenerName): such a broker
 * is left out of Metadata, and a coordinator on it is not available). Without a listener name
 * (a request not from a socket) or endpoints, the primary host and port.
 */
export function nodeOnListener(node: BrokerNode, listenerName: string | undefined): BrokerNode | null {
  if (listenerName === undefined || node.endpoints === undefined) return node;
  const e = node.endpoints.find((x) => x.listenerName === listenerName);
  if (e === undefined) return null;
  return e.host === node.host && e.port === node.port ? node : { ...node, host: e.host, port: e.port };
}

interface Registration {
  node: BrokerNode;
  live: boolean;
}

export class BrokerRegistry {
  readonly #byId = new Map<number, Registration>();
  #live: BrokerNode[] = [];
  #known: BrokerNode[] = [];

  /** Registers (or re-registers, live again) a broker; returns whether it was known and stopped. */
  register(node: BrokerNode): boolean {
    const before = this.#byId.get(node.nodeId);
    this.#byId.set(node.nodeId, { node, live: true });
    this.#refresh();
    return before !== undefined && !before.live;
  }

  /** A broker stops (controlled shutdown): known, but neither shown nor leading. False if it was not live. */
  fence(nodeId: number): boolean {
    const r = this.#byId.get(nodeId);
    if (r === undefined || !r.live) return false;
    r.live = false;
    this.#refresh();
    return true;
  }

  /** A broker closes for good. */
  remove(nodeId: number): void {
    if (this.#byId.delete(nodeId)) this.#refresh();
  }

  isLive(nodeId: number): boolean {
    return this.#byId.get(nodeId)?.live === true;
  }

  isKnown(nodeId: number): boolean {
    return this.#byId.has(nodeId);
  }

  /** A live broker by id, for the endpoints of NOT_LEADER_OR_FOLLOWER answers. */
  liveNode(nodeId: number): BrokerNode | undefined {
    const r = this.#byId.get(nodeId);
    return r?.live ? r.node : undefined;
  }

  /** Live brokers, sorted by id. */
  get live(): readonly BrokerNode[] {
    return this.#live;
  }

  /** Every registered broker, live or stopped, sorted by id: what replicas are placed on. */
  get known(): readonly BrokerNode[] {
    return this.#known;
  }

  get size(): number {
    return this.#byId.size;
  }

  #refresh(): void {
    const all = [...this.#byId.values()].sort((a, b) => a.node.nodeId - b.node.nodeId);
    this.#known = all.map((r) => r.node);
    this.#live = all.filter((r) => r.live).map((r) => r.node);
  }
}
