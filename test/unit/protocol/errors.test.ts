import t from 'tap';
import {
  ErrorCode,
  KafkaError,
  allErrors,
  errorCodeOf,
  errorInfo,
  isKafkaError,
  isKnownErrorCode,
  kafkaError,
} from '../../../src/protocol/errors.js';

t.test('known codes match Kafka', async (t) => {
  const cases: [number, string, boolean][] = [
    [-1, 'UNKNOWN_SERVER_ERROR', false],
    [0, 'NONE', false],
    [1, 'OFFSET_OUT_OF_RANGE', false],
    [2, 'CORRUPT_MESSAGE', true],
    [3, 'UNKNOWN_TOPIC_OR_PARTITION', true],
    [6, 'NOT_LEADER_OR_FOLLOWER', true],
    [16, 'NOT_COORDINATOR', true],
    [27, 'REBALANCE_IN_PROGRESS', false],
    [35, 'UNSUPPORTED_VERSION', false],
    [51, 'CONCURRENT_TRANSACTIONS', true],
    [87, 'INVALID_RECORD', false],
    [90, 'PRODUCER_FENCED', false],
    [133, 'SHARE_SESSION_LIMIT_REACHED', true],
  ];
  // One comparison for the whole sample: [code, name, retriable, code looked up by name].
  t.strictSame(
    cases.map(([code]) => [errorInfo(code).code, errorInfo(code).name, errorInfo(code).retriable, ErrorCode[errorInfo(code).name]]),
    cases.map(([code, name, retriable]) => [code, name, retriable, code]),
    'codes, names and retriability of a sample across the table',
  );
  t.equal(errorInfo(0).message, null, 'NONE has no message');
  t.equal(errorInfo(35).message, 'The version of API is not supported.');
});

t.test('table is consistent', async (t) => {
  const all = allErrors();
  t.equal(all.length, Object.keys(ErrorCode).length);
  t.equal(new Set(all.map((e) => e.code)).size, all.length, 'no duplicate codes');
  t.equal(new Set(all.map((e) => e.name)).size, all.length, 'no duplicate names');
  // Every entry's shape, checked at once: the offenders are listed (none expected).
  t.strictSame(
    all.filter((e) => !/^[A-Z_0-9]+$/.test(e.name) || !Number.isInteger(e.code) || e.code < -32768 || e.code > 32767 || (e.code !== 0 && !(e.message !== null && e.message.length > 0))).map((e) => e.name),
    [],
    'every name is UPPER_SNAKE, every code fits int16, every error but NONE has a message',
  );
  // Kafka's codes are contiguous from -1; a gap would mean a missed entry.
  t.strictSame(
    all.map((e) => e.code),
    Array.from({ length: all.length }, (_, i) => i - 1),
  );
});

t.test('unknown codes read as UNKNOWN_SERVER_ERROR', async (t) => {
  t.equal(isKnownErrorCode(9999), false);
  t.equal(errorInfo(9999).name, 'UNKNOWN_SERVER_ERROR');
  t.equal(isKnownErrorCode(3), true);
});

t.test('KafkaError', async (t) => {
  const e = kafkaError('OFFSET_OUT_OF_RANGE', 'offset 7 is past the end');
  t.ok(e instanceof KafkaError);
  t.ok(e instanceof Error);
  t.ok(isKafkaError(e));
  t.equal(e.code, 1);
  t.equal(e.errorName, 'OFFSET_OUT_OF_RANGE');
  t.equal(e.message, 'offset 7 is past the end');
  t.equal(e.retriable, false);
  t.equal(errorCodeOf(e), 1);

  const d = kafkaError('NOT_COORDINATOR');
  t.equal(d.message, 'This is not the correct coordinator.', 'default message');
  t.equal(d.retriable, true);

  t.equal(errorCodeOf(new TypeError('bug')), ErrorCode.UNKNOWN_SERVER_ERROR);
  t.equal(errorCodeOf('not even an error'), ErrorCode.UNKNOWN_SERVER_ERROR);
  t.equal(isKafkaError(new Error('x')), false);
});
