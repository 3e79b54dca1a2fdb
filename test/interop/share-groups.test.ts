/**
 * Share groups (KIP-932) with Kafka's own KafkaShareConsumer (kafka-clients 4.4.0), the program
 * test/interop/java/.../ShareConsumers.java, through the scenarios of share-scenarios.ts.
 */
import t from 'tap';
import { javaProgram, setupClients } from './harness.js';
import { shareConsumerScenarios } from './share-scenarios.js';

t.setTimeout(6 * 60_000);

const setupError = setupClients('java');
if (setupError !== null) t.fail(setupError);
else shareConsumerScenarios('KafkaShareConsumer', javaProgram('ShareConsumers'), ['InvalidRecordStateException']);
