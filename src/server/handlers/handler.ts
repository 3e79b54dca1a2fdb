/**
 * The shape of an API handler: one module per API under handlers/, registered in handlers/index.ts,
 * from which ApiVersions is derived, so the broker advertises exactly what it serves.
 *
 * A handler sees a narrow RequestContext: the cluster state it acts on (topics, configs, broker
 * nodes, producer ids), the coordinators, this broker's fetch sessions and identity, and the
 * connection's facts. It never sees the listener, the dispatcher or the Broker class: the
 * composition root (../broker.ts) builds the context, so one cluster state can serve several
 * brokers' listeners.
 */
import type { ReleaseFeature } from '../cluster/kafka-releases.js';
import type { Reader } from '../../protocol/reader.js';
import type { Writer } from '../../protocol/writer.js';
import type { ApiVersionsResponseApiVersion } from '../../protocol/messages/api-versions.js';
import type { Cluster } from '../cluster/cluster.js';
import type { BrokerIdentity } from '../cluster/broker-config.js';
import type { FetchSessionCache } from '../cluster/fetch-sessions.js';
import type { BrokerQuotas } from '../cluster/quotas/client-quota-manager.js';
import type { GroupCoordinator } from '../coordinators/group/group-coordinator.js';
import type { TransactionCoordinator } from '../coordinators/txn/transaction-coordinator.js';
import type { ShareCoordinator } from '../coordinators/share/share-coordinator.js';
import type { StandardAuthorizer } from '../security/authorizer/standard-authorizer.js';
import type { ScramCredentialStore } from '../security/sasl/scram-credentials.js';
import type { Clock } from '../../util/clock.js';
import type { Logger } from '../../util/logger.js';

/** Returned by a handler when Kafka sends no response at all (Produce with acks=0). */
export const NO_RESPONSE: unique symbol = Symbol('no response');

export interface ConnectionInfo {
  readonly id: number;
  readonly remoteAddress: string;
  readonly remotePort: number;
  /** Called when the connection closes, so waiting requests can give up. */
  onClose(listener: () => void): void;
  readonly closed: boolean;
  /** The authenticated principal, "User:<name>" (absent: User:ANONYMOUS, as on a PLAINTEXT listener). */
  readonly principal?: string;
  /**
   * The listener the request came in on (Kafka's request.context.listenerName): brokers are
   * shown to the client at their endpoints on it. Absent: their primary endpoints.
   */
  readonly listenerName?: string | undefined;
  /** What the client said it is in ApiVersions v3+ (Kafka's ClientInformation; KIP-714 matches on it). */
  clientSoftware?: { readonly name: string; readonly version: string };
  /**
   * Mutes the connection for a quota's throttle time: no further request is read until it ends
   * (Kafka mutes the channel once the throttled response is sent). Absent on test connections.
   */
  throttle?(ms: number): void;
}

/** The broker a request reached: who it is, and the API versions it serves (ApiVersions). */
export interface ServingBroker extends BrokerIdentity {
  advertisedApis(): ApiVersionsResponseApiVersion[];
  /** The features an emulated older Kafka release reports (`--as-version`); absent: the cluster's own. */
  readonly releaseFeatures?: readonly ReleaseFeature[] | null;
}

/** What every request to one broker shares; the composition root makes it once per broker. */
export interface BrokerServices {
  /** Cluster state shared by every broker of the cluster. */
  readonly cluster: Cluster;
  /** The cluster's group coordinator (one per cluster, not per broker). */
  readonly groups: GroupCoordinator;
  /** The cluster's transaction coordinator (one per cluster, not per broker). */
  readonly txns: TransactionCoordinator;
  /** The cluster's share groups, share-partitions and share sessions (KIP-932). */
  readonly shares: ShareCoordinator;
  /** This broker's incremental fetch sessions (session ids are a broker's own). */
  readonly fetchSessions: FetchSessionCache;
  /** This broker's quota managers (quotas are enforced per broker, as in Kafka). */
  readonly quotas: BrokerQuotas;
  readonly broker: ServingBroker;
  readonly clock: Clock;
  readonly logger: Logger;
  /** The ACL authorizer (authorizer.class.name set), or null: then every request is allowed. */
  readonly authorizer: StandardAuthorizer | null;
  /** The SCRAM credentials SASL/SCRAM authenticates against (Describe/AlterUserScramCredentials). */
  readonly scramCredentials: ScramCredentialStore;
}

export interface RequestContext extends BrokerServices {
  readonly apiKey: number;
  readonly apiVersion: number;
  readonly correlationId: number;
  readonly clientId: string | null;
  readonly connection: ConnectionInfo;
  /** The request's size in bytes, header included (Kafka's request.sizeInBytes, for quotas). */
  readonly requestSize: number;
}

/** Thrown by a handler to end the connection on purpose (Kafka's acks=0 errors). */
export class CloseConnection extends Error {
  override readonly name = 'CloseConnection';
}

/** The generated codec of one API, as the dispatcher needs it. */
export interface ApiCodec<Req, Resp> {
  readonly apiKey: number;
  readonly name: string;
  readonly minVersion: number;
  readonly maxVersion: number;
  readonly flexibleMinVersion: number;
  readonly readRequest: (r: Reader, v: number) => Req;
  readonly writeResponse: (w: Writer, v: number, m: Resp) => void;
}

export type HandlerResult<Resp> = Resp | typeof NO_RESPONSE;

export interface Handler<Req = unknown, Resp = unknown> {
  readonly api: ApiCodec<Req, Resp>;
  /** Versions accepted; defaults to the codec's range. */
  readonly minVersion?: number;
  readonly maxVersion?: number;
  /** Advertised lower bound when it differs from what is accepted (Produce: 0, see KAFKA-18659). */
  readonly advertisedMinVersion?: number;
  handle(ctx: RequestContext, req: Req): HandlerResult<Resp> | Promise<HandlerResult<Resp>>;
  /**
   * The response that fails the whole request with one code (and, where the response has one, a
   * message): used by fault-injecting interceptors and the authorization wrappers.
   */
  errorResponse?(ctx: RequestContext, req: Req, code: number, message?: string | null): Resp;
}

/** Keeps the request and response types of a handler tied to its codec: they are inferred from `api`. */
export function defineHandler<Req, Resp>(api: ApiCodec<Req, Resp>, h: Omit<Handler<NoInfer<Req>, NoInfer<Resp>>, 'api'>): Handler<Req, Resp> {
  return { ...h, api } as Handler<Req, Resp>;
}

/** A handler with its types erased, as the registry holds them. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyHandler = Handler<any, any>;
