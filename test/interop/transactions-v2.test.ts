/**
 * The Java 4.4 producer on transactions V2 (KIP-890 part 2): TxnInterop (commit, abort, commit)
 * runs, then Kafka 4.4's own `kafka-transactions.sh describe` reads its transactional id. With
 * transaction.version 2 finalized the producer bumps its epoch on every EndTxn (v5) and adds
 * partitions through Produce v12, so the describe shows epoch 3; on a broker started with
 * `transaction.version=1` it stays on transactions V1 (epoch 0). The outputs, masked (producer id,
 * start time, duration; cells trimmed), must equal Apache Kafka 4.4.0's for the same runs (recorded with
 * bench/kafka/start-kafka.sh, then `kafka-features.sh downgrade --feature transaction.version=1`
 * for the second). The in-process broker also shows which requests the producer sent.
 * About 30 s: two producer runs and two tool JVMs.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import t from 'tap';
import { MiniKafka } from '../../src/index.js';
import { javaProgram, kafkaTool, root, runProgram, setupClients } from './harness.js';

/** Apache Kafka 4.4.0's describe, cells trimmed and joined with '|', at transaction.version 2 (its default) and 1. */
const HEADER = 'CoordinatorId|TransactionalId|ProducerId|ProducerEpoch|TransactionState|TransactionTimeoutMs|CurrentTransactionStartTimeMs|TransactionDurationMs|TopicPartitions|';
const KAFKA_4_4_0: Record<number, string> = {
  2: `${HEADER}\n1|ID|PID|3|CompleteCommit|60000|START|DURATION||\nrc=0`,
  1: `${HEADER}\n1|ID|PID|0|CompleteCommit|60000|START|DURATION||\nrc=0`,
};

/** The tool's table, cells trimmed; what differs from run to run masked (id, producer id, start, duration). */
function normalize(out: string): string {
  return out
    .trim()
    .split('\n')
    .map((line, i) => {
      const cells = line.split('\t').map((c) => c.trim());
      if (i === 1 && cells.length >= 8) [cells[1], cells[2], cells[6], cells[7]] = ['ID', 'PID', 'START', 'DURATION'];
      return line.includes('\t') ? cells.join('|') : line;
    })
    .join('\n');
}

t.setTimeout(5 * 60_000);

const setupError = setupClients('java');
const kafkaSetup = spawnSync('bash', [join(root, 'bench/kafka/setup.sh')], { cwd: root, encoding: 'utf8' });
if (setupError !== null) t.fail(setupError);
else if (kafkaSetup.status !== 0) t.fail(`bench/kafka/setup.sh failed: the Kafka tools are not available\n${kafkaSetup.stderr}`);
else {
  const classpath = readFileSync(join(root, 'bench/kafka/target/classpath.txt'), 'utf8').trim();
  for (const version of [2, 1]) {
    t.test(`transaction.version ${version}: the Java producer's transactions as kafka-transactions.sh describes them`, async (t) => {
      await using kafka = await MiniKafka.start({ config: version === 2 ? {} : { 'transaction.version': version } });
      const seen = new Map<string, Set<number>>();
      kafka.intercept((req) => {
        let s = seen.get(req.apiName);
        if (s === undefined) seen.set(req.apiName, (s = new Set()));
        s.add(req.apiVersion);
        return undefined;
      });
      const topic = `tv2-${randomBytes(4).toString('hex')}`;
      const res = await runProgram<{ step: string; ok: boolean }>(javaProgram('TxnInterop'), ['--bootstrap', kafka.bootstrapServers, '--topic', topic, '--records', '10'], 120_000);
      t.equal(res.code, 0, 'TxnInterop: commit, abort, commit, read back', { stderr: res.code === 0 ? undefined : res.stderr.slice(-3000) });
      t.ok(res.lines.every((l) => l.ok), 'every step ok');
      const endTxn = [...(seen.get('EndTxn') ?? [])];
      if (version === 2) {
        t.strictSame(endTxn, [5], 'EndTxn v5 only');
        t.notOk(seen.has('AddPartitionsToTxn'), 'no AddPartitionsToTxn: Produce adds the partitions');
      } else {
        t.ok(endTxn.length > 0 && endTxn.every((v) => v < 5), `EndTxn below v5 (${endTxn.join(',')})`);
        t.ok(seen.has('AddPartitionsToTxn'), 'AddPartitionsToTxn sent');
      }
      const out = await kafkaTool(classpath, ['org.apache.kafka.tools.TransactionsCommand', '--bootstrap-server', kafka.bootstrapServers, 'describe', '--transactional-id', `${topic}-java`]);
      t.equal(normalize(out), KAFKA_4_4_0[version], "kafka-transactions.sh describe: as on Apache Kafka 4.4", { out });
    });
  }
}
