/**
 * kafka-acls (Kafka 4.4's AclCommand) against minikafka with the StandardAuthorizer: --add
 * (literal and prefixed patterns, deny, several hosts and operations, topic, group, cluster and
 * transactional-id resources, the --producer and --consumer shortcuts), --list (all, by resource,
 * with --resource-pattern-type match, by principal) and --remove print what they print against
 * Apache Kafka 4.4 with the StandardAuthorizer (test/interop/tools.kafka-4.4/acls.txt; the
 * scenario: ToolScenarios.acls). One JVM for every command.
 */
import { toolParityTest } from './tool-parity.js';

toolParityTest('acls', 'kafka-acls: the same output as against Apache Kafka 4.4 (StandardAuthorizer)');
