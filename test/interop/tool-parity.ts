/** The test of one tool scenario (tool-scenarios.ts) against minikafka, for the *-tools.test.ts files. */
import t from 'tap';
import { MiniKafka } from '../../src/index.js';
import { AUTHORIZER, SUPER_USER, readRecording, recordingPath, runToolScenario, setupTools } from './tool-scenarios.js';
import type { ToolScenario } from './tool-scenarios.js';

/**
 * The test of one scenario: minikafka in process, configured as the recording's Kafka, must make
 * the tools print exactly what they printed against Apache Kafka 4.4.
 */
export function toolParityTest(scenario: ToolScenario, title: string): void {
  t.setTimeout(6 * 60_000);
  const setupError = setupTools();
  if (setupError !== null) {
    t.fail(setupError);
    return;
  }
  t.test(title, async (t) => {
    await using kafka = await MiniKafka.start({ superUsers: [SUPER_USER], config: { 'authorizer.class.name': AUTHORIZER } });
    const got = await runToolScenario(scenario, kafka.bootstrapServers);
    t.equal(got, readRecording(scenario), `the same output as Apache Kafka 4.4 (${recordingPath(scenario)}; re-record: npm run record-kafka-tools -- ${scenario})`);
  });
}
