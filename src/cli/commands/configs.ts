/**
 * `minikafka configs describe|alter` for a topic (--topic) or a broker (--broker ID, or
 * --broker-defaults for the cluster-wide defaults), like kafka-configs.sh. `describe` lists the
 * overrides (source and sensitivity as Kafka names them), or every config with --all.
 */
import { EXIT, helpDone, keyValues, parser, subcommands, withClient } from '../command-kit.js';
import type { CommonArgs } from '../command-kit.js';
import { UsageError, intFlag } from '../args.js';
import { json, out } from '../output.js';
import { AlterOp, ResourceType, alterConfigs, describeConfigs } from '../../client/admin.js';
import type { Argv } from 'yargs';

/** DescribeConfigs' configSource codes, named as Kafka's ConfigEntry.ConfigSource. */
const SOURCES = ['UNKNOWN', 'DYNAMIC_TOPIC_CONFIG', 'DYNAMIC_BROKER_CONFIG', 'DYNAMIC_DEFAULT_BROKER_CONFIG', 'STATIC_BROKER_CONFIG', 'DEFAULT_CONFIG', 'DYNAMIC_BROKER_LOGGER_CONFIG', 'CLIENT_METRICS_CONFIG', 'GROUP_CONFIG'];

interface Target {
  topic?: string;
  broker?: string;
  brokerDefaults: boolean;
}

function target<T>(y: Argv<T>): Argv<T & Target> {
  return y
    .option('topic', { alias: 't', type: 'string', describe: 'A topic' })
    .option('broker', { type: 'string', describe: 'A broker, by node id' })
    .option('broker-defaults', { type: 'boolean', default: false, describe: 'The cluster-wide broker defaults' }) as unknown as Argv<T & Target>;
}

function resource(a: Target): { type: number; name: string; label: string } {
  const given = [a.topic !== undefined, a.broker !== undefined, a.brokerDefaults].filter(Boolean).length;
  if (given !== 1) throw new UsageError('give exactly one of --topic, --broker and --broker-defaults');
  if (a.topic !== undefined) return { type: ResourceType.TOPIC, name: a.topic, label: `topic ${a.topic}` };
  if (a.broker !== undefined) return { type: ResourceType.BROKER, name: String(intFlag('broker', a.broker, 0, 2147483647)), label: `broker ${a.broker}` };
  return { type: ResourceType.BROKER, name: '', label: 'the broker defaults' };
}

async function describe(argv: string[]): Promise<number> {
  const a = await target(parser('configs describe', argv, '$0 (--topic T | --broker ID | --broker-defaults) [--all]'))
    .option('all', { type: 'boolean', default: false, describe: 'Every config, defaults included' })
    .example('$0 --topic orders', 'the topic\'s overrides')
    .example('$0 --broker 1 --all', 'every config of broker 1')
    .parseAsync()
    .then(helpDone);
  const r = resource(a);
  return withClient(a as CommonArgs, async (client) => {
    // Without --all: what was set rather than defaulted (Kafka's --describe lists dynamic ones;
    // a minikafka broker's static configs are its --config flags, so they are listed too).
    const shown = new Set(r.type === ResourceType.TOPIC ? [1] : [2, 3, 4]);
    const configs = (await describeConfigs(client, r.type, r.name)).filter((c) => a.all || shown.has(c.configSource));
    const rows = configs.map((c) => ({ name: c.name, value: c.isSensitive ? null : c.value, source: SOURCES[c.configSource] ?? String(c.configSource), sensitive: c.isSensitive, readOnly: c.readOnly }));
    if (a.json) json(rows);
    else {
      out(`${a.all ? 'All' : 'Dynamic'} configs for ${r.label} are:\n`);
      for (const c of rows) out(`  ${c.name}=${c.value ?? ''} sensitive=${c.sensitive} source=${c.source}\n`);
    }
    return EXIT.OK;
  });
}

async function alter(argv: string[]): Promise<number> {
  const a = await target(parser('configs alter', argv, '$0 (--topic T | --broker ID | --broker-defaults) [--set K=V]... [--delete K]...'))
    .option('set', { type: 'string', array: true, describe: 'Set KEY=VALUE (repeatable)' })
    .option('delete', { type: 'string', array: true, describe: 'Remove an override (repeatable)' })
    .option('validate-only', { type: 'boolean', default: false, describe: 'Check, change nothing' })
    .example('$0 --topic orders --set retention.ms=60000', 'change a topic config')
    .example('$0 --topic orders --delete retention.ms', 'back to the default')
    .parseAsync()
    .then(helpDone);
  const r = resource(a);
  const changes = [...Object.entries(keyValues('set', a.set)).map(([name, value]) => ({ name, op: AlterOp.SET, value: value as string | null })), ...(a.delete ?? []).map((name) => ({ name, op: AlterOp.DELETE, value: null }))];
  if (changes.length === 0) throw new UsageError('configs alter: give --set or --delete');
  return withClient(a as CommonArgs, async (client) => {
    await alterConfigs(client, r.type, r.name, changes, a.validateOnly);
    if (a.json) json({ resource: r.label, changes });
    else out(`Completed updating config for ${r.label}.\n`);
    return EXIT.OK;
  });
}

export function run(argv: string[]): Promise<number> {
  return subcommands('configs', { describe: { describe: 'Show configs of a topic or broker', run: describe }, alter: { describe: 'Set or remove configs', run: alter } }, argv);
}
