/**
 * Share groups (KIP-932) with librdkafka's share consumer (confluent-kafka 2.16.1 on librdkafka
 * 2.16.0: ShareConsumer), the program test/interop/python/share_consumers.py, through the
 * scenarios of share-scenarios.ts (those Kafka's KafkaShareConsumer runs in share-groups.test.ts).
 */
import t from 'tap';
import { setupClients } from './harness.js';
import { shareConsumerScenarios } from './share-scenarios.js';

t.setTimeout(6 * 60_000);

const setupError = setupClients('python');
if (setupError !== null) t.fail(setupError);
else shareConsumerScenarios('librdkafka ShareConsumer', ['test/interop/python/.venv/bin/python', 'test/interop/python/share_consumers.py'], ['INVALID_RECORD_STATE']);
