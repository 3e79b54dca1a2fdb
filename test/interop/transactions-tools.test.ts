/**
 * kafka-transactions (Kafka 4.4's TransactionsCommand) describe and describe-producers against
 * the Java 4.4 producer's transactions on minikafka (transactions V2): after init, in an open
 * transaction, after a commit and an abort (each bumping the epoch), after a second producer's
 * init, and for an unknown id: epochs, states, partitions and sequences as against Apache Kafka
 * 4.4 (test/interop/tools.kafka-4.4/txn.txt; the scenario: TxnToolScenario.java; producer ids and
 * times masked). One JVM for every command.
 */
import { toolParityTest } from './tool-parity.js';

toolParityTest('txn', 'kafka-transactions describe: the same output as against Apache Kafka 4.4');
