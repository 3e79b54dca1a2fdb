// kafka.intercept(fn), the README's fault-injection hook: an interceptor sees each request first
// and may delay it (on the broker's clock), answer it itself, drop it (no answer) or close the
// connection; failing it with an error code is covered in create-topics.test.ts.
import t from 'tap';
import { ManualClock, MiniKafka } from '../../src/index.js';
import type { InterceptedRequest } from '../../src/index.js';
import { WireClient } from '../helpers/wire-client.js';
import { until } from '../helpers/until.js';
import { MetadataApi } from '../../src/protocol/messages/index.js';
import type { MetadataResponse } from '../../src/protocol/messages/index.js';

const metadata = (c: WireClient) => c.request(MetadataApi, 12, { topics: null, allowAutoTopicCreation: false, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false });

t.test('delay holds a request until the broker clock has moved on', async (t) => {
  const clock = new ManualClock(Date.now());
  await using kafka = await MiniKafka.start({ clock });
  const c = await WireClient.connect(kafka.bootstrapServers);
  t.teardown(() => c.close());
  const seen: string[] = [];
  kafka.intercept((r: InterceptedRequest) => {
    seen.push(r.apiName);
    return r.apiName === 'Metadata' ? { action: 'delay', ms: 1000 } : undefined;
  });
  let answered = false;
  const pending = metadata(c).then((r) => ((answered = true), r));
  await until('the interceptor to see the Metadata request', () => seen.includes('Metadata'));
  clock.advance(999);
  t.notOk(answered, 'not answered before the delay is over');
  clock.advance(1);
  const r = await pending;
  t.equal(r.brokers.length, 1, 'then handled as usual');
});

t.test('respond answers instead of the broker; drop leaves the request unanswered; close drops the connection', async (t) => {
  await using kafka = await MiniKafka.start();
  const c = await WireClient.connect(kafka.bootstrapServers);
  t.teardown(() => c.close());
  const real = await metadata(c);
  const canned: MetadataResponse = { ...real, brokers: [], clusterId: 'canned' };
  let mode: 'respond' | 'drop' | 'close' = 'respond';
  let dropped = 0;
  kafka.intercept((r: InterceptedRequest) => {
    if (r.apiName !== 'Metadata') return undefined;
    if (mode === 'drop') dropped++;
    return mode === 'respond' ? { action: 'respond', response: canned } : { action: mode };
  });
  const answered = await metadata(c);
  t.strictSame([answered.clusterId, answered.brokers], ['canned', []], 'the interceptor\'s answer');

  mode = 'drop';
  const d = await WireClient.connect(kafka.bootstrapServers);
  t.teardown(() => d.close());
  let gotAnswer = false;
  void metadata(d).then(() => (gotAnswer = true), () => undefined);
  await until('the dropped request to reach the interceptor', () => dropped === 1);
  mode = 'close';
  await t.rejects(metadata(d), /connection closed/, 'the next request closes the connection');
  t.notOk(gotAnswer, 'the dropped request was never answered');
});
