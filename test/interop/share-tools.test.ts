/**
 * kafka-share-groups (Kafka 4.4's ShareGroupCommand) against a share group of two
 * KafkaShareConsumers on minikafka: --list, --describe (offsets, --members, --state, --verbose),
 * the errors for an unknown and for a non-empty group, --reset-offsets (dry run, earliest, an
 * offset, latest), --delete-offsets and --delete print what they print against Apache Kafka 4.4
 * (test/interop/tools.kafka-4.4/share.txt; the scenario: ShareToolScenario.java, the masks:
 * tool-scenarios.ts). One JVM for every command.
 */
import { toolParityTest } from './tool-parity.js';

toolParityTest('share', 'kafka-share-groups: the same output as against Apache Kafka 4.4');
