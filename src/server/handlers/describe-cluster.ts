/**
 * DescribeCluster (key 60), v0-2: the cluster id, the controller and the live brokers.
 *
 * Behaviour (KafkaApis.handleDescribeCluster, AuthHelper.computeDescribeClusterResponse):
 * - a broker describes brokers: EndpointType 1 (the only value before v1). Asking for controllers
 *   (2) is MISMATCHED_ENDPOINT_TYPE, any other value UNSUPPORTED_ENDPOINT_TYPE; both are
 *   INVALID_REQUEST at v0 (where the field cannot be sent anyway), with Kafka's messages;
 * - clusterAuthorizedOperations: the schema default unless asked for, then every cluster
 *   operation, as Kafka without an authorizer;
 * - v2 IncludeFencedBrokers: stopped brokers too (isFenced true); otherwise the live ones only.
 *
 * Deviation: the controller id is the lowest live node id, where Kafka's brokers answer a random
 * live broker; clients only use it as "some broker".
 */
import { DescribeClusterApi } from '../../protocol/messages/describe-cluster.js';
import type { DescribeClusterResponse } from '../../protocol/messages/describe-cluster.js';
import { ErrorCode } from '../../protocol/errors.js';
import { defineHandler } from './handler.js';
import { AclOperation, CLUSTER_NAME, ResourceType, authorizeCluster, authorizedOperations } from './authorize.js';
import { AUTHORIZED_OPERATIONS_OMITTED, CLUSTER_AUTHORIZED_OPERATIONS } from './authorized-operations.js';
import { nodeOnListener } from '../cluster/cluster.js';

const ENDPOINT_BROKER = 1;
const ENDPOINT_CONTROLLER = 2;

export const describeClusterHandler = defineHandler(DescribeClusterApi, {
  handle(ctx, req) {
    const v = ctx.apiVersion;
    if (req.endpointType !== ENDPOINT_BROKER) {
      if (req.endpointType === ENDPOINT_CONTROLLER) {
        return failed(v === 0 ? ErrorCode.INVALID_REQUEST : ErrorCode.MISMATCHED_ENDPOINT_TYPE, 'The request was sent to an endpoint of type BROKER, but we wanted an endpoint of type CONTROLLER');
      }
      return failed(v === 0 ? ErrorCode.INVALID_REQUEST : ErrorCode.UNSUPPORTED_ENDPOINT_TYPE, `Unsupported endpoint type ${req.endpointType}`);
    }
    const cluster = ctx.cluster;
    const listed = v >= 2 && req.includeFencedBrokers ? cluster.registry.known : cluster.brokers;
    // As Kafka: each broker at its endpoint on the listener the request came in on.
    const onListener = listed.flatMap((b) => nodeOnListener(b, ctx.connection.listenerName) ?? []);
    const brokers = onListener.map((b) => ({ brokerId: b.nodeId, host: b.host, port: b.port, rack: b.rack, isFenced: !cluster.registry.isLive(b.nodeId) }));
    const controllerId = cluster.controllerId;
    return {
      throttleTimeMs: 0,
      errorCode: ErrorCode.NONE,
      errorMessage: null,
      endpointType: ENDPOINT_BROKER,
      clusterId: cluster.clusterId,
      // As Kafka: an id not among the listed brokers would confuse clients, so -1 instead.
      controllerId: brokers.some((b) => b.brokerId === controllerId) ? controllerId : -1,
      brokers,
      // KafkaApis: the principal's operations, only for one that may DESCRIBE the cluster.
      clusterAuthorizedOperations: authorizedOperations(ctx, req.includeClusterAuthorizedOperations && authorizeCluster(ctx, AclOperation.DESCRIBE), CLUSTER_AUTHORIZED_OPERATIONS, ResourceType.CLUSTER, CLUSTER_NAME),
    };
  },
  errorResponse(_ctx, _req, code) {
    return failed(code, null);
  },
});

function failed(errorCode: number, errorMessage: string | null): DescribeClusterResponse {
  return {
    throttleTimeMs: 0,
    errorCode,
    errorMessage,
    endpointType: ENDPOINT_BROKER,
    clusterId: '',
    controllerId: -1,
    brokers: [],
    clusterAuthorizedOperations: AUTHORIZED_OPERATIONS_OMITTED,
  };
}
