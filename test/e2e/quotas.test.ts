// DescribeClientQuotas / AlterClientQuotas over the wire, and quota enforcement on Produce and
// Fetch. Expected messages are Kafka 4.4's (ClientQuotaControlManager, ClientQuotasImage).
import t from 'tap';
import { ManualClock, MiniKafka } from '../../src/index.js';
import { WireClient } from '../helpers/wire-client.js';
import { AlterClientQuotasApi, DescribeClientQuotasApi, FetchApi, ProduceApi } from '../../src/protocol/messages/index.js';
import type { AlterClientQuotasRequestEntryData, DescribeClientQuotasRequestComponentData } from '../../src/protocol/messages/index.js';
import { ErrorCode } from '../../src/protocol/errors.js';
import { buildBatchSync } from '../../src/protocol/records/batch-builder.js';
import { fetchRequest, produceRequest } from '../helpers/data-path.js';

const [EXACT, DEFAULT, SPECIFIED] = [0, 1, 2];
type Part = [string, string | null];

async function setup(t: { teardown(fn: () => void): void }, opts: Parameters<typeof MiniKafka.start>[0] = {}) {
  const kafka = await MiniKafka.start({ topics: ['q'], ...opts });
  const c = await WireClient.connect(kafka.bootstrapServers);
  t.teardown(() => {
    c.close();
    void kafka.stop();
  });
  const entry = (entity: Part[], ops: [string, number | null][]): AlterClientQuotasRequestEntryData => ({
    entity: entity.map(([entityType, entityName]) => ({ entityType, entityName })),
    ops: ops.map(([key, value]) => ({ key, value: value ?? 0, remove: value === null })),
  });
  const alter = async (entries: AlterClientQuotasRequestEntryData[], validateOnly = false) => {
    const r = await c.request(AlterClientQuotasApi, 1, { entries, validateOnly });
    return r.entries.map((e) => [e.errorCode, e.errorMessage]);
  };
  const alterOne = async (entity: Part[], ops: [string, number | null][], validateOnly = false) => (await alter([entry(entity, ops)], validateOnly))[0];
  const describe = async (components: [string, number, string | null][], strict = false) => {
    const comps: DescribeClientQuotasRequestComponentData[] = components.map(([entityType, matchType, match]) => ({ entityType, matchType, match }));
    const r = await c.request(DescribeClientQuotasApi, 1, { components: comps, strict });
    if (r.errorCode !== ErrorCode.NONE) return [r.errorCode, r.errorMessage, r.entries];
    return r.entries!.map((e) => [e.entity.map((p) => [p.entityType, p.entityName]), e.values.map((v) => [v.key, v.value])]);
  };
  return { kafka, c, alter, alterOne, entry, describe };
}

t.test('AlterClientQuotas sets, replaces and removes quotas; DescribeClientQuotas filters them', async (t) => {
  const { alterOne, describe } = await setup(t);
  t.same(await alterOne([['user', 'alice']], [['producer_byte_rate', 1024], ['request_percentage', 12.5]]), [0, null]);
  t.same(await alterOne([['user', 'alice'], ['client-id', 'app']], [['consumer_byte_rate', 2048]]), [0, null]);
  t.same(await alterOne([['client-id', null]], [['producer_byte_rate', 4096]]), [0, null]);
  t.same(await alterOne([['user', null]], [['controller_mutation_rate', 3]]), [0, null]);
  t.same(await alterOne([['ip', '127.0.0.1']], [['connection_creation_rate', 10]]), [0, null]);
  t.same(await alterOne([['ip', null]], [['connection_creation_rate', 20]]), [0, null]);

  t.same(await describe([['user', EXACT, 'alice']]), [
    [[['user', 'alice']], [['producer_byte_rate', 1024], ['request_percentage', 12.5]]],
    [[['user', 'alice'], ['client-id', 'app']], [['consumer_byte_rate', 2048]]],
  ]);
  t.same(await describe([['user', EXACT, 'alice']], true), [[[['user', 'alice']], [['producer_byte_rate', 1024], ['request_percentage', 12.5]]]]);
  t.same(await describe([['client-id', DEFAULT, null]]), [[[['client-id', null]], [['producer_byte_rate', 4096]]]]);
  t.same(await describe([['user', SPECIFIED, null], ['client-id', SPECIFIED, null]]), [[[['user', 'alice'], ['client-id', 'app']], [['consumer_byte_rate', 2048]]]]);
  t.same(await describe([['ip', SPECIFIED, null]]), [
    [[['ip', '127.0.0.1']], [['connection_creation_rate', 10]]],
    [[['ip', null]], [['connection_creation_rate', 20]]],
  ]);
  t.equal((await describe([])).length, 6, 'no component and not strict: everything');
  t.same(await describe([], true), [], 'no component and strict: nothing');

  // A changed value replaces, a removed key goes, an entity without keys is gone.
  t.same(await alterOne([['user', 'alice']], [['producer_byte_rate', 2000], ['request_percentage', null]]), [0, null]);
  t.same(await describe([['user', EXACT, 'alice']], true), [[[['user', 'alice']], [['producer_byte_rate', 2000]]]]);
  t.same(await alterOne([['user', 'alice']], [['producer_byte_rate', null], ['consumer_byte_rate', null]]), [0, null], 'removing a key never set is fine');
  t.same(await describe([['user', EXACT, 'alice']], true), []);

  // validateOnly checks and changes nothing.
  t.same(await alterOne([['user', 'bob']], [['producer_byte_rate', 1]], true), [0, null]);
  t.same(await describe([['user', EXACT, 'bob']]), []);
  t.same(await alterOne([['user', 'bob']], [['nope', 1]], true), [ErrorCode.INVALID_REQUEST, 'Invalid configuration key nope']);
});

t.test('AlterClientQuotas refuses what Kafka refuses, per entry, with its messages', async (t) => {
  const { alter, alterOne, entry, describe } = await setup(t);
  const bad = (message: string) => [ErrorCode.INVALID_REQUEST, message];
  t.same(await alterOne([], [['producer_byte_rate', 1]]), bad('Invalid empty client quota entity'));
  t.same(await alterOne([['group', 'g']], [['producer_byte_rate', 1]]), bad('Unhandled client quota entity type: group'));
  t.same(await alterOne([['user', '']], [['producer_byte_rate', 1]]), bad('Empty user not supported'));
  t.same(await alterOne([['user', 'u']], [['connection_creation_rate', 1]]), bad('Invalid configuration key connection_creation_rate'));
  t.same(await alterOne([['ip', '10.0.0.1']], [['producer_byte_rate', 1]]), bad('Invalid configuration key producer_byte_rate'), 'ip takes only connection_creation_rate');
  t.same(await alterOne([['ip', '10.0.0.1'], ['user', 'u']], [['connection_creation_rate', 1]]), bad('Invalid quota entity combination, IP entity shouldnot be combined with User or ClientId'));
  t.same(await alterOne([['ip', 'no-such-host.invalid']], [['connection_creation_rate', 1]]), bad('no-such-host.invalid is not a valid IP or resolvable host.'));
  t.same(await alterOne([['user', 'u']], [['producer_byte_rate', 0]]), bad('Quota producer_byte_rate must be greater than 0'));
  t.same(await alterOne([['user', 'u']], [['producer_byte_rate', 1.5]]), bad('producer_byte_rate cannot be a fractional value.'));
  t.same(await alterOne([['ip', null]], [['connection_creation_rate', 3e9]]), bad('Proposed value for connection_creation_rate is too large for an INT.'));
  t.same(await alterOne([['user', 'u']], [['request_percentage', 0.5]]), [0, null], 'a double key takes fractions');
  t.same(await alterOne([['user', 'v']], [['producer_byte_rate', 1], ['producer_byte_rate', 2]]), bad('Ignoring duplicate entity ClientQuotaEntity(entries={user=v})'));
  // One bad entry leaves the others applied.
  t.same(await alter([entry([['user', 'w']], [['producer_byte_rate', 5]]), entry([['user', 'x']], [['bad', 1]])]), [[0, null], bad('Invalid configuration key bad')]);
  t.same(await describe([['user', EXACT, 'w']]), [[[['user', 'w']], [['producer_byte_rate', 5]]]]);
  t.same(await describe([['user', EXACT, 'x']]), []);
});

t.test('DescribeClientQuotas fails a bad filter whole, as Kafka', async (t) => {
  const { describe } = await setup(t);
  t.same(await describe([['', SPECIFIED, null]]), [ErrorCode.INVALID_REQUEST, 'Invalid empty entity type.', null]);
  t.same(await describe([['user', SPECIFIED, null], ['user', DEFAULT, null]]), [ErrorCode.INVALID_REQUEST, 'Entity type user cannot appear more than once in the filter.', null]);
  t.same(await describe([['group', SPECIFIED, null]]), [ErrorCode.UNSUPPORTED_VERSION, 'Unsupported entity type group', null]);
  t.same(await describe([['user', EXACT, null]]), [ErrorCode.INVALID_REQUEST, 'Request specified MATCH_TYPE_EXACT, but set match string to null.', null]);
  t.same(await describe([['user', DEFAULT, 'x']]), [ErrorCode.INVALID_REQUEST, 'Request specified MATCH_TYPE_DEFAULT, but also specified a match string.', null]);
  t.same(await describe([['user', SPECIFIED, 'x']]), [ErrorCode.INVALID_REQUEST, 'Request specified MATCH_TYPE_SPECIFIED, but also specified a match string.', null]);
  t.same(await describe([['user', 7, null]]), [ErrorCode.INVALID_REQUEST, 'Unknown match type 7', null]);
  t.same(await describe([['ip', SPECIFIED, null], ['client-id', SPECIFIED, null]]), [
    ErrorCode.INVALID_REQUEST,
    'Invalid entity filter component combination. IP filter component should not be used with user or clientId filter component.',
    null,
  ]);
});
