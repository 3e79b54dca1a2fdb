/**
 * What AddRaftVoter and RemoveRaftVoter share: Kafka's texts for the quorum's voters, as
 * KafkaRaftClient writes them (ReplicaKey's toString, the cluster id check), so that the messages
 * are Kafka 4.4's byte for byte (test/e2e/api-answers.kafka-4.4.json).
 */
import { ErrorCode } from '../../protocol/errors.js';
import type { RequestContext } from './handler.js';

export interface RaftAnswer {
  readonly errorCode: number;
  readonly errorMessage: string | null;
}

/** Kafka's ReplicaKey.toString. */
export function replicaKey(id: number, directoryId: string): string {
  return `ReplicaKey(id=${id}, directoryId=${directoryId})`;
}

/** The voter set as Kafka prints it: minikafka's quorum is the controller alone. */
export function voterSet(ctx: RequestContext): string {
  return `[${replicaKey(ctx.cluster.controllerId, ctx.cluster.quorum.directoryId)}]`;
}

/** A request naming another cluster: INCONSISTENT_CLUSTER_ID; a null cluster id is not checked. */
export function clusterIdMismatch(ctx: RequestContext, clusterId: string | null): RaftAnswer | null {
  if (clusterId === null || clusterId === ctx.cluster.clusterId) return null;
  return { errorCode: ErrorCode.INCONSISTENT_CLUSTER_ID, errorMessage: `The given id "${clusterId}" doesn't match the cluster id "${ctx.cluster.clusterId}"` };
}
