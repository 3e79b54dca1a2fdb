/**
 * The ACLs of locked-down.test.ts: for each workload, what Kafka's documentation prescribes for
 * its principal, and nothing more.
 */
import { AclOperation, AclPermissionType, PatternType, ResourceType } from '../../src/index.js';
import type { AclBinding } from '../../src/index.js';

const A = AclOperation;

function allow(principal: string, resourceType: number, name: string, operations: readonly number[], patternType: number = PatternType.LITERAL): AclBinding[] {
  return operations.map((operation) => ({
    pattern: { resourceType: resourceType as 2, name, patternType: patternType as 3 },
    entry: { principal, host: '*', operation: operation as 3, permissionType: AclPermissionType.ALLOW },
  }));
}

/**
 * A distributed Connect worker with exactly.once.source.support=enabled (docs/connect.html, "ACL
 * requirements", and the worker's own clients): READ on its group; READ, WRITE, DESCRIBE and
 * CREATE on its config, offset and status topics (it creates them); WRITE and DESCRIBE on the
 * leader's transactional id connect-cluster-<group>; for the source connector, WRITE and DESCRIBE
 * on its tasks' transactional ids <group>-<connector>-<task> (the documented prefix
 * <group>-<connector>) and WRITE on the topic it writes. No IdempotentWrite (only pre-2.8
 * brokers needed it).
 */
export function connectWorkerAcls(principal: string, group: string, connector: string, output: string): AclBinding[] {
  return [
    ...allow(principal, ResourceType.GROUP, group, [A.READ]),
    ...['configs', 'offsets', 'status'].flatMap((t) => allow(principal, ResourceType.TOPIC, `${group}-${t}`, [A.READ, A.WRITE, A.DESCRIBE, A.CREATE])),
    ...allow(principal, ResourceType.TRANSACTIONAL_ID, `connect-cluster-${group}`, [A.WRITE, A.DESCRIBE]),
    ...allow(principal, ResourceType.TRANSACTIONAL_ID, `${group}-${connector}`, [A.WRITE, A.DESCRIBE], PatternType.PREFIXED),
    ...allow(principal, ResourceType.TOPIC, output, [A.WRITE]),
  ];
}

/**
 * A Kafka Streams application (docs/streams/developer-guide/security.html): ALL on topics and
 * groups prefixed with its application id (its internal topics and its group), READ on its input,
 * WRITE on its output; with exactly-once, WRITE and DESCRIBE on the transactional ids prefixed with
 * the application id (<application.id>-<process id>-<thread>, as kafka-acls.sh --producer
 * --transactional-id <application.id> --resource-pattern-type prefixed grants).
 */
export function streamsAcls(principal: string, appId: string, input: string, output: string, o: { transactionalIds: boolean }): AclBinding[] {
  return [
    ...allow(principal, ResourceType.TOPIC, appId, [A.ALL], PatternType.PREFIXED),
    ...allow(principal, ResourceType.GROUP, appId, [A.ALL], PatternType.PREFIXED),
    ...(o.transactionalIds ? allow(principal, ResourceType.TRANSACTIONAL_ID, appId, [A.WRITE, A.DESCRIBE], PatternType.PREFIXED) : []),
    ...allow(principal, ResourceType.TOPIC, input, [A.READ]),
    ...allow(principal, ResourceType.TOPIC, output, [A.WRITE]),
  ];
}

/**
 * MirrorMaker 2 in dedicated mode, exactly-once, on its target cluster (docs/ops.html: "the same
 * security settings as Kafka Connect"): the Connect worker of the flow <source>->target (group
 * <source>-mm2, topics mm2-{configs,offsets,status}.<source>.internal) as connectWorkerAcls, with
 * the MirrorSourceConnector's transactional ids; on the remote topics "<source>.*": CREATE (it
 * creates them), WRITE, and ALTER, DESCRIBE_CONFIGS, ALTER_CONFIGS (it keeps their partitions and
 * configs in step with the source's).
 */
export function mirrorMakerAcls(principal: string, sourceAlias: string): AclBinding[] {
  const group = `${sourceAlias}-mm2`;
  return [
    ...allow(principal, ResourceType.GROUP, group, [A.READ]),
    ...['configs', 'offsets', 'status'].flatMap((t) => allow(principal, ResourceType.TOPIC, `mm2-${t}.${sourceAlias}.internal`, [A.READ, A.WRITE, A.DESCRIBE, A.CREATE])),
    ...allow(principal, ResourceType.TRANSACTIONAL_ID, `connect-cluster-${group}`, [A.WRITE, A.DESCRIBE]),
    ...allow(principal, ResourceType.TRANSACTIONAL_ID, `${group}-MirrorSourceConnector`, [A.WRITE, A.DESCRIBE], PatternType.PREFIXED),
    ...allow(principal, ResourceType.TOPIC, `${sourceAlias}.`, [A.CREATE, A.WRITE, A.ALTER, A.DESCRIBE_CONFIGS, A.ALTER_CONFIGS], PatternType.PREFIXED),
  ];
}

/** A reader of finished topics (the tests' read_committed consumers, no group): READ on each. */
export function readerAcls(principal: string, topics: readonly string[]): AclBinding[] {
  return topics.flatMap((t) => allow(principal, ResourceType.TOPIC, t, [A.READ]));
}
