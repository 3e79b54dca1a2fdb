/**
 * kafka-streams-groups (Kafka 4.4's StreamsGroupCommand) against a Kafka Streams 4.4 word count on
 * the Streams rebalance protocol (KIP-1071) on minikafka: --list, --describe (offsets, --members,
 * --state, --topology, --verbose: epochs included), the errors for an unknown and for a running
 * group, --reset-offsets, --delete-offsets and --delete with its internal topics print what they
 * print against Apache Kafka 4.4 (test/interop/tools.kafka-4.4/streams.txt; the scenario:
 * StreamsToolScenario.java, the masks: tool-scenarios.ts). One JVM for every command.
 */
import { toolParityTest } from './tool-parity.js';

toolParityTest('streams', 'kafka-streams-groups: the same output as against Apache Kafka 4.4');
