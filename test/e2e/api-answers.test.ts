// Answers of the APIs issue 11 added (DeleteGroups v3, ApiVersions v5, UnregisterBroker,
// UnregisterController, AddRaftVoter, RemoveRaftVoter, StreamsGroupTopologyDescriptionUpdate),
// step by step, against what Apache Kafka 4.4 answered to the very same steps
// (api-answers.kafka-4.4.json, recorded by scripts/record-kafka-answers.mjs from
// test/e2e/api-answers-steps.ts): error codes and messages must be equal. Then the raft and
// registration APIs under the StandardAuthorizer, sent by a principal without any ACL: Kafka's
// CLUSTER_AUTHORIZATION_FAILED answers (deniedWithoutClusterAcl, recorded from Kafka 4.4 with the
// authorizer on and the user on a SASL_PLAINTEXT listener).
import t from 'tap';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MiniKafka } from '../../src/index.js';
import { DENIED_USER, runAnswerSteps, runDeniedClusterSteps } from './api-answers-steps.js';
import type { AnswerStep } from './api-answers-steps.js';

const here = dirname(fileURLToPath(import.meta.url));
// Compiled to dist/test/e2e; the recording stays next to the source.
const recorded = JSON.parse(readFileSync(join(here, '../../../test/e2e/api-answers.kafka-4.4.json'), 'utf8')) as { readonly answers: readonly AnswerStep[]; readonly deniedWithoutClusterAcl: readonly AnswerStep[] };

t.test('minikafka answers every step as Kafka 4.4 did', async (t) => {
  await using kafka = await MiniKafka.start({ port: 0 });
  const ours = await runAnswerSteps(kafka.bootstrapServers);
  t.strictSame(ours.map((s) => s.step), recorded.answers.map((s) => s.step), 'the same steps');
  for (const [i, step] of recorded.answers.entries()) t.strictSame(ours[i]?.answer, step.answer, step.step);
});

t.test('under the StandardAuthorizer, a principal without a CLUSTER ACL is refused as Kafka 4.4 refused it', async (t) => {
  await using kafka = await MiniKafka.start({
    port: 0,
    listener: 'SASL_PLAINTEXT://127.0.0.1:0',
    users: { [DENIED_USER.name]: DENIED_USER.password },
    superUsers: ['User:admin'],
  });
  const ours = await runDeniedClusterSteps(kafka.bootstrapServers);
  t.strictSame(ours.map((s) => s.step), recorded.deniedWithoutClusterAcl.map((s) => s.step), 'the same steps');
  for (const [i, step] of recorded.deniedWithoutClusterAcl.entries()) t.strictSame(ours[i]?.answer, step.answer, step.step);
});
