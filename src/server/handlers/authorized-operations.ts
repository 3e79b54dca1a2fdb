/**
 * The "authorized operations" bitfields of Metadata, DescribeCluster, DescribeTopicPartitions and
 * DescribeGroups. Without an authorizer Kafka answers every operation the resource type supports
 * (AuthHelper.authorizedOperations -> AclEntry.supportedOperations), one bit per AclOperation code.
 * When the client did not ask, the field keeps the schema default, Integer.MIN_VALUE.
 */

import { AclOperation } from '../security/authorizer/acl-types.js';

/** The schema default meaning "not requested". */
export const AUTHORIZED_OPERATIONS_OMITTED = -2147483648;

function bits(...ops: number[]): number {
  return ops.reduce((acc, op) => acc | (1 << op), 0);
}

const A = AclOperation;

/** READ, WRITE, CREATE, DESCRIBE, DELETE, ALTER, DESCRIBE_CONFIGS, ALTER_CONFIGS: 3576. */
export const TOPIC_AUTHORIZED_OPERATIONS = bits(A.READ, A.WRITE, A.CREATE, A.DESCRIBE, A.DELETE, A.ALTER, A.DESCRIBE_CONFIGS, A.ALTER_CONFIGS);

/** CREATE, CLUSTER_ACTION, DESCRIBE_CONFIGS, ALTER_CONFIGS, IDEMPOTENT_WRITE, ALTER, DESCRIBE: 8096. */
export const CLUSTER_AUTHORIZED_OPERATIONS = bits(A.CREATE, A.CLUSTER_ACTION, A.DESCRIBE_CONFIGS, A.ALTER_CONFIGS, A.IDEMPOTENT_WRITE, A.ALTER, A.DESCRIBE);

/** READ, DESCRIBE, DELETE, DESCRIBE_CONFIGS, ALTER_CONFIGS: 3400. */
export const GROUP_AUTHORIZED_OPERATIONS = bits(A.READ, A.DESCRIBE, A.DELETE, A.DESCRIBE_CONFIGS, A.ALTER_CONFIGS);
