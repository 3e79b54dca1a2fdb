// The __consumer_offsets record format and partitioning, which must match Kafka's byte for byte.
import t from 'tap';
import { ZERO_UUID } from '../../../src/protocol/uuid.js';
import { offsetCommitRecord, groupMetadataRecord, decodeCoordinatorRecord } from '../../../src/server/coordinators/group/offsets-topic.js';
import { javaStringHashCode, partitionForKey } from '../../../src/server/coordinators/partition-for-key.js';

t.test("Java's String.hashCode, in int32 arithmetic over UTF-16 code units", async (t) => {
  t.equal(javaStringHashCode(''), 0);
  t.equal(javaStringHashCode('a'), 97);
  t.equal(javaStringHashCode('hello'), 99162322);
  t.equal(javaStringHashCode('test'), 3556498);
  t.equal(javaStringHashCode('Aa'), javaStringHashCode('BB'), 'the classic collision');
  t.equal(javaStringHashCode('polygenelubricants'), -2147483648, 'Integer.MIN_VALUE');
  t.equal(javaStringHashCode('\u{1F600}'), 0xd83d * 31 + 0xde00, 'a surrogate pair hashes as two code units');
});

t.test("the partition of a key: Kafka's Utils.abs(hashCode) % partitions", async (t) => {
  t.equal(partitionForKey('polygenelubricants', 50), 0, 'MIN_VALUE maps to 0, not to a negative partition');
  t.equal(partitionForKey('hello', 50), 99162322 % 50);
  // "Aa" + "Aa"... families collide; a negative hash: "console-consumer-1" style ids
  const negative = 'zzzzzzzzzz';
  t.ok(javaStringHashCode(negative) < 0);
  t.equal(partitionForKey(negative, 50), Math.abs(javaStringHashCode(negative)) % 50);
});

t.test('offset commit records: key version 1, value version 3 (1 with an expire timestamp), tombstones', async (t) => {
  const rec = offsetCommitRecord({ group: 'g', topic: 't', partition: 2 }, { offset: 10n, leaderEpoch: 4, metadata: 'm', commitTimestamp: 1000n, expireTimestamp: -1n, topicId: ZERO_UUID });
  // int16 version 1 | string "g" | string "t" | int32 2
  t.same([...rec.key], [0, 1, 0, 1, 0x67, 0, 1, 0x74, 0, 0, 0, 2]);
  t.equal(rec.value!.readInt16BE(0), 3);
  // int16 3 | int64 10 | int32 4 | string "m" | int64 1000
  t.equal(rec.value!.length, 2 + 8 + 4 + 3 + 8);
  t.same(decodeCoordinatorRecord(rec.key, rec.value), { type: 'offset-commit', key: { group: 'g', topic: 't', partition: 2, _unknownTaggedFields: undefined }, value: { offset: 10n, leaderEpoch: 4, metadata: 'm', commitTimestamp: 1000n, expireTimestamp: -1n, topicId: ZERO_UUID, _unknownTaggedFields: undefined } });
  const expiring = offsetCommitRecord({ group: 'g', topic: 't', partition: 2 }, { offset: 10n, leaderEpoch: 4, metadata: 'm', commitTimestamp: 1000n, expireTimestamp: 5000n, topicId: ZERO_UUID });
  t.equal(expiring.value!.readInt16BE(0), 1);
  t.match(decodeCoordinatorRecord(expiring.key, expiring.value).value, { expireTimestamp: 5000n, leaderEpoch: -1 }, 'v1 has no leader epoch');
  const tomb = offsetCommitRecord({ group: 'g', topic: 't', partition: 2 }, null);
  t.equal(tomb.value, null);
  t.same(tomb.key, rec.key);
});

t.test('group metadata records: key version 2, value version 3', async (t) => {
  const rec = groupMetadataRecord('g', { protocolType: 'consumer', generation: 7, protocol: 'range', leader: 'm1', currentStateTimestamp: 123n, members: [{ memberId: 'm1', groupInstanceId: null, clientId: 'c', clientHost: '/127.0.0.1', rebalanceTimeout: 1, sessionTimeout: 2, subscription: Buffer.from([1]), assignment: Buffer.from([2]) }] });
  t.same([...rec.key], [0, 2, 0, 1, 0x67]);
  t.equal(rec.value!.readInt16BE(0), 3);
  const d = decodeCoordinatorRecord(rec.key, rec.value);
  t.equal(d.type, 'group-metadata');
  t.match(d.value, { protocolType: 'consumer', generation: 7, protocol: 'range', leader: 'm1', currentStateTimestamp: 123n });
  t.equal(groupMetadataRecord('g', null).value, null);
});
