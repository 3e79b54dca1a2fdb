/**
 * `minikafka txns list|describe`, printed as kafka-transactions.sh prints them.
 */
import { EXIT, helpDone, parser, subcommands, withClient, words } from '../command-kit.js';
import { UsageError } from '../args.js';
import { json, out, table } from '../output.js';
import { describeTransaction, listTransactions } from '../../client/admin.js';
import { CoordinatorType } from '../../client/client.js';

async function list(argv: string[]): Promise<number> {
  const a = await parser('txns list', argv, '$0 [--state S...]')
    .option('state', { type: 'string', array: true, describe: 'Only transactions in these states (Ongoing, PrepareCommit, CompleteCommit, ...)' })
    .example('$0 --state Ongoing', 'open transactions')
    .parseAsync()
    .then(helpDone);
  return withClient(a, async (client) => {
    const txns = await listTransactions(client, a.state ?? []);
    const rows = await Promise.all(txns.map(async (t) => ({ ...t, coordinator: await coordinatorId(client, t.transactionalId) })));
    if (a.json) json(rows);
    else out(table(['TransactionalId', 'Coordinator', 'ProducerId', 'TransactionState'], rows.map((t) => [t.transactionalId, t.coordinator, t.producerId, t.state])));
    return EXIT.OK;
  });
}

async function coordinatorId(client: Parameters<Parameters<typeof withClient>[1]>[0], id: string): Promise<number> {
  const conn = await client.coordinator(id, CoordinatorType.TRANSACTION);
  return client.nodeIdOf(conn);
}

async function describe(argv: string[]): Promise<number> {
  const a = await parser('txns describe', argv, '$0 TRANSACTIONAL_ID').example('$0 payments-tx', 'state, producer, partitions and timing of one transaction').parseAsync().then(helpDone);
  const [id, ...extra] = words(a);
  if (id === undefined || extra.length > 0) throw new UsageError('txns describe: give exactly one transactional id');
  return withClient(a, async (client) => {
    const t = await describeTransaction(client, id);
    const coordinator = await coordinatorId(client, id);
    const start = Number(t.transactionStartTimeMs);
    const partitions = t.topics.flatMap((x) => x.partitions.map((p) => `${x.topic}-${p}`));
    if (a.json) {
      json({ coordinatorId: coordinator, transactionalId: t.transactionalId, producerId: Number(t.producerId), producerEpoch: t.producerEpoch, state: t.transactionState, transactionTimeoutMs: t.transactionTimeoutMs, transactionStartTimeMs: start, topicPartitions: partitions });
      return EXIT.OK;
    }
    out(table(['CoordinatorId', 'TransactionalId', 'ProducerId', 'ProducerEpoch', 'TransactionState', 'TransactionTimeoutMs', 'CurrentTransactionStartTimeMs', 'TransactionDurationMs', 'TopicPartitions'], [[coordinator, t.transactionalId, Number(t.producerId), t.producerEpoch, t.transactionState, t.transactionTimeoutMs, start < 0 ? 'None' : start, start < 0 ? 'None' : Date.now() - start, partitions.join(',')]]));
    return EXIT.OK;
  });
}

export function run(argv: string[]): Promise<number> {
  return subcommands('txns', { list: { describe: 'List transactions and their states', run: list }, describe: { describe: 'One transaction in detail', run: describe } }, argv);
}
