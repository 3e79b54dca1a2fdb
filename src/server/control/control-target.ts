/**
 * What the control plane needs of a broker, as narrow interfaces: the cluster state and the
 * coordinators it reads and resets, and a way to see requests first. The composition root
 * (MiniKafka in src/index.ts) hands a Broker over as a ControlTarget; control/ never imports the
 * listener, the dispatcher or the handlers.
 */
import type { Cluster } from '../cluster/cluster.js';
import type { BrokerConfig } from '../cluster/broker-config.js';
import type { GroupCoordinator } from '../coordinators/group/group-coordinator.js';
import type { TransactionCoordinator } from '../coordinators/txn/transaction-coordinator.js';
import type { Restorable } from './restorable.js';

/** A request as the control plane sees it before it is handled (the dispatcher's InterceptedRequest). */
export interface ControlledRequest {
  readonly apiKey: number;
  /** The API's name and version (the dispatcher gives both; the inspector's trace shows them). */
  readonly apiName?: string;
  readonly apiVersion?: number;
  readonly clientId: string | null;
  /** The decoded request body. */
  readonly body: unknown;
  readonly connection: { readonly closed: boolean; onClose(listener: () => void): void; readonly remoteAddress?: string; readonly remotePort?: number };
}

/** The dispatcher's interceptor actions the control plane uses. */
export type ControlAction =
  | { readonly action: 'error'; readonly errorCode: number }
  | { readonly action: 'close' }
  | { readonly action: 'drop' }
  | { readonly action: 'pass'; readonly body?: unknown; readonly after?: (response: unknown) => unknown };

export type ControlInterceptor = (req: ControlledRequest) => ControlAction | undefined | Promise<ControlAction | undefined>;

/** One broker of the cluster: its interceptor slot, and stop/start (controlled shutdown, restart). */
export interface ControlledBroker {
  readonly nodeId: number;
  readonly rack: string | null;
  readonly running: boolean;
  readonly bootstrapServers: string;
  /** Sees every request to this broker first; returns the remover. */
  intercept(fn: ControlInterceptor): () => void;
  stop(): Promise<void>;
  start(): Promise<void>;
}

/** What the coordinators loaded from the internal topics a snapshot's restore put back. */
export interface CoordinatorsReloaded {
  readonly groups: number;
  readonly offsets: number;
  readonly transactions: number;
}

export interface ControlTarget {
  /** Every broker of the cluster, in node id order (one for a single broker). */
  readonly brokers: readonly ControlledBroker[];
  readonly nodeId: number;
  readonly bootstrapServers: string;
  readonly cluster: Cluster;
  readonly groups: GroupCoordinator;
  readonly txns: TransactionCoordinator;
  readonly config: BrokerConfig;
  /** Whether the broker keeps its state in a data directory (reset is for in-memory brokers). */
  readonly durable: boolean;
  /**
   * What each broker holds outside the cluster state, taken at start for a reset to put back:
   * its fetch sessions, its quota windows, its ACLs and SCRAM credentials.
   */
  readonly brokerState: readonly Restorable[];
  /** Closes the group and transaction coordinators; the next use makes empty ones. */
  resetCoordinators(): void;
  /**
   * Closes the coordinators and makes new ones loaded from the internal topics as they are now
   * (__consumer_offsets, __transaction_state, __share_group_state), as a durable broker loads
   * them at start: a snapshot's restore.
   */
  reloadCoordinators(): CoordinatorsReloaded;
  /** Whether the handler of this API can answer a whole-request error code (Handler.errorResponse). */
  canAnswerError(apiKey: number): boolean;
}
