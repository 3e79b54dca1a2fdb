/**
 * `minikafka topics create|list|describe|delete|alter`. The human output follows
 * kafka-topics.sh: `list` prints one name a line, `describe` the Topic:/Partition: lines.
 */
import { EXIT, helpDone, keyValues, parser, subcommands, withClient, words } from '../command-kit.js';
import { UsageError, intFlag } from '../args.js';
import { json, out } from '../output.js';
import { AlterOp, ResourceType, alterConfigs, createPartitions, createTopics, deleteTopics, describeConfigs } from '../../client/admin.js';
import type { KafkaClient, TopicInfo } from '../../client/client.js';
import { KafkaResponseError } from '../../client/errors.js';

/** DescribeConfigs' configSource for a topic override (DYNAMIC_TOPIC_CONFIG). */
const DYNAMIC_TOPIC_CONFIG = 1;

async function create(argv: string[]): Promise<number> {
  const a = await parser('topics create', argv, '$0 NAME... [--partitions N] [--replication-factor N] [--config K=V]')
    .option('partitions', { alias: 'p', type: 'string', describe: "Partitions (default: the broker's num.partitions)" })
    .option('replication-factor', { alias: 'r', type: 'string', describe: "Replicas (default: the broker's default.replication.factor)" })
    .option('config', { alias: 'c', type: 'string', array: true, describe: 'Topic config KEY=VALUE (repeatable)' })
    .option('if-not-exists', { type: 'boolean', default: false, describe: 'No error when the topic exists' })
    .option('validate-only', { type: 'boolean', default: false, describe: 'Check, create nothing' })
    .example('$0 orders --partitions 3', 'a topic of three partitions')
    .example('$0 events --config cleanup.policy=compact --config retention.ms=60000', 'with topic configs')
    .parseAsync().then(helpDone);
  const names = words(a);
  if (names.length === 0) throw new UsageError('topics create: give at least one topic name');
  const partitions = a.partitions === undefined ? -1 : intFlag('partitions', a.partitions, 1, 2147483647);
  const replicationFactor = a.replicationFactor === undefined ? -1 : intFlag('replication-factor', a.replicationFactor, 1, 32767);
  const configs = keyValues('config', a.config);
  return withClient(a, async (client) => {
    const done: { name: string; partitions: number; replicationFactor: number }[] = [];
    for (const name of names) {
      try {
        done.push(...(await createTopics(client, [{ name, partitions, replicationFactor, configs }], a.validateOnly)));
      } catch (e) {
        if (a.ifNotExists && e instanceof KafkaResponseError && e.errorName === 'TOPIC_ALREADY_EXISTS') continue;
        throw e;
      }
    }
    if (a.json) json(done);
    else for (const t of done) out(`${a.validateOnly ? 'Would create' : 'Created'} topic ${t.name}.\n`);
    return EXIT.OK;
  });
}

async function list(argv: string[]): Promise<number> {
  const a = await parser('topics list', argv, '$0 [--internal]').option('internal', { type: 'boolean', default: false, describe: 'Include internal topics (__consumer_offsets, ...)' }).example('$0 --json', 'names and partition counts as JSON').parseAsync().then(helpDone);
  return withClient(a, async (client) => {
    const md = await client.metadata(null);
    const topics = md.topics.filter((t) => a.internal || !t.internal).sort((x, y) => x.name.localeCompare(y.name));
    if (a.json) json(topics.map((t) => ({ name: t.name, topicId: t.topicId, partitions: t.partitions.length, internal: t.internal })));
    else out(topics.map((t) => `${t.name}\n`).join(''));
    return EXIT.OK;
  });
}

async function describeOne(client: KafkaClient, t: TopicInfo): Promise<{ topic: TopicInfo; configs: Record<string, string> }> {
  const configs: Record<string, string> = {};
  for (const c of await describeConfigs(client, ResourceType.TOPIC, t.name)) if (c.configSource === DYNAMIC_TOPIC_CONFIG && c.value !== null) configs[c.name] = c.value;
  return { topic: t, configs };
}

async function describe(argv: string[]): Promise<number> {
  const a = await parser('topics describe', argv, '$0 [NAME...]').example('$0 orders', 'partitions, leaders, replicas and overridden configs').parseAsync().then(helpDone);
  const names = words(a);
  return withClient(a, async (client) => {
    const md = await client.metadata(names.length === 0 ? null : names);
    for (const t of md.topics) if (t.errorCode !== 0) throw new KafkaResponseError(t.errorCode, `topic ${t.name}`);
    const described = await Promise.all(md.topics.filter((t) => names.length > 0 || !t.internal).sort((x, y) => x.name.localeCompare(y.name)).map((t) => describeOne(client, t)));
    if (a.json) {
      json(described.map(({ topic: t, configs }) => ({ name: t.name, topicId: t.topicId, partitions: t.partitions.map((p) => ({ partition: p.partition, leader: p.leader, replicas: p.replicas, isr: p.isr })), configs })));
      return EXIT.OK;
    }
    // kafka-topics.sh --describe (TopicCommand.describeTopic), field by field.
    for (const { topic: t, configs } of described) {
      const rf = t.partitions[0]?.replicas.length ?? 0;
      out(`Topic: ${t.name}\tTopicId: ${t.topicId}\tPartitionCount: ${t.partitions.length}\tReplicationFactor: ${rf}\tConfigs: ${Object.entries(configs).map(([k, v]) => `${k}=${v}`).join(',')}\n`);
      for (const p of t.partitions) out(`\tTopic: ${t.name}\tPartition: ${p.partition}\tLeader: ${p.leader < 0 ? 'none' : p.leader}\tReplicas: ${p.replicas.join(',')}\tIsr: ${p.isr.join(',')}\tElr: \tLastKnownElr: \n`);
    }
    return EXIT.OK;
  });
}

async function remove(argv: string[]): Promise<number> {
  const a = await parser('topics delete', argv, '$0 NAME...').option('if-exists', { type: 'boolean', default: false, describe: 'No error when a topic does not exist' }).example('$0 orders audit', 'delete two topics').parseAsync().then(helpDone);
  const names = words(a);
  if (names.length === 0) throw new UsageError('topics delete: give at least one topic name');
  return withClient(a, async (client) => {
    const deleted: string[] = [];
    for (const name of names) {
      try {
        await deleteTopics(client, [name]);
        deleted.push(name);
      } catch (e) {
        if (a.ifExists && e instanceof KafkaResponseError && e.errorName === 'UNKNOWN_TOPIC_OR_PARTITION') continue;
        throw e;
      }
    }
    if (a.json) json({ deleted });
    else for (const n of deleted) out(`Deleted topic ${n}.\n`);
    return EXIT.OK;
  });
}

async function alter(argv: string[]): Promise<number> {
  const a = await parser('topics alter', argv, '$0 NAME [--partitions N] [--config K=V] [--delete-config K]')
    .option('partitions', { alias: 'p', type: 'string', describe: 'Raise the partition count to N' })
    .option('config', { alias: 'c', type: 'string', array: true, describe: 'Set a topic config KEY=VALUE (repeatable)' })
    .option('delete-config', { type: 'string', array: true, describe: 'Remove a topic config override (repeatable)' })
    .example('$0 orders --partitions 6', 'grow to six partitions')
    .example('$0 orders --config retention.ms=3600000', 'change a config')
    .parseAsync().then(helpDone);
  const [name, ...extra] = words(a);
  if (name === undefined || extra.length > 0) throw new UsageError('topics alter: give exactly one topic name');
  const changes = [...Object.entries(keyValues('config', a.config)).map(([k, v]) => ({ name: k, op: AlterOp.SET, value: v as string | null })), ...(a.deleteConfig ?? []).map((k) => ({ name: k, op: AlterOp.DELETE, value: null }))];
  if (a.partitions === undefined && changes.length === 0) throw new UsageError('topics alter: give --partitions, --config or --delete-config');
  return withClient(a, async (client) => {
    if (a.partitions !== undefined) await createPartitions(client, name, intFlag('partitions', a.partitions, 1, 2147483647));
    if (changes.length > 0) await alterConfigs(client, ResourceType.TOPIC, name, changes);
    if (a.json) json({ topic: name, partitions: a.partitions === undefined ? undefined : Number(a.partitions), configs: changes });
    else out(`Altered topic ${name}.\n`);
    return EXIT.OK;
  });
}

export function run(argv: string[]): Promise<number> {
  return subcommands(
    'topics',
    {
      create: { describe: 'Create topics', run: create },
      list: { describe: 'List topic names', run: list },
      describe: { describe: 'Partitions, leaders, replicas and config overrides', run: describe },
      delete: { describe: 'Delete topics', run: remove },
      alter: { describe: 'Add partitions or change configs', run: alter },
    },
    argv,
  );
}
