/**
 * DescribeConfigs (key 32), v1-4 (Kafka 4.x dropped v0, KIP-896).
 *
 * Behaviour (ConfigHelper.describeConfigs), per resource:
 * - TOPIC: every topic config with its effective value (the override, else the broker's log.*
 *   synonym, else Kafka's default), its source, readOnly false, isSensitive false, the configType
 *   (v3+) and, when asked, synonyms (the override, then the broker synonyms layer by layer, as
 *   ConfigHelper lists them) and documentation (v3+). A bad name is INVALID_TOPIC_EXCEPTION with
 *   Kafka's message; an unknown topic UNKNOWN_TOPIC_OR_PARTITION.
 * - BROKER with this broker's id: Kafka 4.4's broker configs (broker-config-defs.ts) plus any
 *   other name this broker was given, each with value and source (DEFAULT_CONFIG,
 *   STATIC_BROKER_CONFIG for --config settings and the dev settings minikafka starts with,
 *   DYNAMIC_DEFAULT_BROKER_CONFIG, DYNAMIC_BROKER_CONFIG), readOnly for configs Kafka cannot
 *   change at run time, sensitive (value null) for passwords and unknown names. "" is the
 *   cluster-wide default resource: only its dynamic configs. Another id: INVALID_REQUEST
 *   "Unexpected broker id, expected 1 or empty string, but received 2"; not a number:
 *   INVALID_REQUEST "Broker id must be an integer, but it is: x".
 * - CLIENT_METRICS: a subscription's metrics, interval.ms and match (cluster/client-metrics.ts),
 *   source CLIENT_METRICS_CONFIG where set, else DEFAULT_CONFIG with the default (also for a name
 *   that does not exist, as Kafka answers); "" is INVALID_REQUEST.
 * - BROKER_LOGGER: the root logger at minikafka's level (as log4j names it), source
 *   DYNAMIC_BROKER_LOGGER_CONFIG; "" and other ids are INVALID_REQUEST with Kafka's messages.
 * - configurationKeys filters by name (unknown names are left out); null or empty means all.
 * - errorMessage is "" on success and for UNKNOWN_TOPIC_OR_PARTITION, as Kafka 4.4 sends it.
 * - A resource type Kafka does not know fails the whole request: every resource INVALID_REQUEST
 *   with the default message, as Kafka's request-level error.
 *
 * Deviations: configs are sorted by name (Kafka lists them in hash-map order); GROUP
 * resources are INVALID_REQUEST (not supported); only the root logger is listed;
 * documentation is minikafka's own short text, null for most broker configs.
 */
import { DescribeConfigsApi } from '../../protocol/messages/describe-configs.js';
import type { DescribeConfigsRequestDescribeConfigsResource, DescribeConfigsResponse, DescribeConfigsResponseDescribeConfigsResult } from '../../protocol/messages/describe-configs.js';
import { ErrorCode, KafkaError, errorInfo } from '../../protocol/errors.js';
import { defineHandler } from './handler.js';
import { AclOperation, configResourceAuthorization } from './authorize.js';
import type { RequestContext } from './handler.js';
import { topicNameProblem } from '../cluster/topics.js';
import { ConfigSource, ConfigType } from '../cluster/configs/topic-config-defs.js';
import type { DescribedConfig, DescribeOptions } from '../cluster/configs/config-store.js';
import { ResourceType } from '../cluster/configs/config-changes.js';

const KNOWN_TYPES: ReadonlySet<number> = new Set(Object.values(ResourceType).filter((t) => t !== ResourceType.UNKNOWN));

export const describeConfigsHandler = defineHandler(DescribeConfigsApi, {
  minVersion: 1,

  handle(ctx, req): DescribeConfigsResponse {
    if (req.resources.some((r) => !KNOWN_TYPES.has(r.resourceType))) return failAll(req.resources, ErrorCode.INVALID_REQUEST);
    const opts = { includeSynonyms: req.includeSynonyms, includeDocumentation: req.includeDocumentation && ctx.apiVersion >= 3 };
    return { throttleTimeMs: 0, results: req.resources.map((r) => describe(ctx, r, { ...opts, keys: r.configurationKeys })) };
  },

  errorResponse(_ctx, req, code) {
    return failAll(req.resources, code);
  },
});

function failAll(resources: readonly DescribeConfigsRequestDescribeConfigsResource[], code: number): DescribeConfigsResponse {
  return {
    throttleTimeMs: 0,
    results: resources.map((r) => ({ errorCode: code, errorMessage: errorInfo(code).message, resourceType: r.resourceType, resourceName: r.resourceName, configs: [] })),
  };
}

function describe(ctx: RequestContext, r: DescribeConfigsRequestDescribeConfigsResource, opts: DescribeOptions): DescribeConfigsResponseDescribeConfigsResult {
  const result = (configs: DescribedConfig[], errorCode: number = ErrorCode.NONE, errorMessage = '') => ({
    errorCode,
    errorMessage,
    resourceType: r.resourceType,
    resourceName: r.resourceName,
    configs,
  });
  // ConfigHelper: DESCRIBE_CONFIGS on the topic, the group, or the cluster; refused with the code's message.
  const refused = configResourceAuthorization(ctx, AclOperation.DESCRIBE_CONFIGS, r.resourceType, r.resourceName);
  if (refused !== ErrorCode.NONE) return result([], refused, errorInfo(refused).message ?? '');
  try {
    return result(configsOf(ctx, r, opts));
  } catch (e) {
    if (!(e instanceof KafkaError)) throw e;
    return result([], e.code, e.code === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION ? '' : e.message);
  }
}

function configsOf(ctx: RequestContext, r: DescribeConfigsRequestDescribeConfigsResource, opts: DescribeOptions): DescribedConfig[] {
  const broker = ctx.broker;
  const store = ctx.cluster.configs;
  const name = r.resourceName;
  switch (r.resourceType) {
    case ResourceType.TOPIC: {
      const problem = topicNameProblem(name);
      if (problem !== null) throw new KafkaError('INVALID_TOPIC_EXCEPTION', problem);
      const topic = ctx.cluster.topics.get(name);
      if (topic === undefined) throw new KafkaError('UNKNOWN_TOPIC_OR_PARTITION');
      return store.describeTopic(topic, opts);
    }
    case ResourceType.BROKER: {
      if (name === '') return store.describeBroker(broker, null, opts);
      if (brokerId(name) !== broker.nodeId) {
        throw new KafkaError('INVALID_REQUEST', `Unexpected broker id, expected ${broker.nodeId} or empty string, but received ${name}`);
      }
      return store.describeBroker(broker, broker.nodeId, opts);
    }
    case ResourceType.BROKER_LOGGER: {
      if (name === '') throw new KafkaError('INVALID_REQUEST', 'Broker id must not be empty');
      if (brokerId(name) !== broker.nodeId) throw new KafkaError('INVALID_REQUEST', `Unexpected broker id, expected ${broker.nodeId} but received ${name}`);
      const root: DescribedConfig = {
        name: 'root',
        value: ctx.logger.level.toUpperCase(),
        readOnly: false,
        configSource: ConfigSource.DYNAMIC_BROKER_LOGGER_CONFIG,
        isSensitive: false,
        synonyms: [],
        configType: ConfigType.UNKNOWN,
        documentation: null,
      };
      return opts.keys === null || opts.keys.length === 0 || opts.keys.includes('root') ? [root] : [];
    }
    case ResourceType.CLIENT_METRICS:
      return ctx.cluster.clientMetrics.describe(name, opts);
    case ResourceType.GROUP:
      return ctx.cluster.groupConfigs.describe(name, opts);
    default:
      throw new KafkaError('INVALID_REQUEST', `Unknown resource type ${r.resourceType}`);
  }
}

/** ConfigHelper.resourceNameToBrokerId. */
function brokerId(name: string): number {
  if (!/^[+-]?\d+$/.test(name) || Math.abs(Number(name)) > 2147483647) throw new KafkaError('INVALID_REQUEST', `Broker id must be an integer, but it is: ${name}`);
  return Number(name);
}
