/**
 * kafka-consumer-groups (Kafka 4.4's ConsumerGroupCommand) against a consumer group of two
 * KafkaConsumers on the consumer protocol (KIP-848) on minikafka: --list and --describe (offsets,
 * --members, --state, --verbose with the group, target assignment and member epochs) while they
 * run and once they closed print what they print against Apache Kafka 4.4
 * (test/interop/tools.kafka-4.4/consumer.txt; the scenario: ConsumerToolScenario.java, the masks:
 * tool-scenarios.ts). One JVM for every command.
 */
import { toolParityTest } from './tool-parity.js';

toolParityTest('consumer', 'kafka-consumer-groups: the same output, epochs included, as against Apache Kafka 4.4');
