/**
 * Topic and broker configs through the official Java Admin client (kafka-clients 4.4.0): the
 * program test/interop/java/.../Configs.java describes a topic, a broker and the cluster default
 * with synonyms and documentation, incrementally alters them (SET, DELETE, APPEND, SUBTRACT,
 * validateOnly) and provokes Admin's errors. Its output must equal, line for line, what the same
 * program printed against Apache Kafka 4.4.0 (KAFKA_4_4_0 below: bench/kafka/start-kafka.sh, then
 * `java -cp test/interop/java/target/interop.jar dev.minikafka.interop.Configs --bootstrap
 * 127.0.0.1:19092 --topic T --settle-ms 1500`, the topic name replaced by TOPIC). Documentation is
 * compared as present or not (minikafka writes its own).
 *
 * Env: INTEROP_BOOTSTRAP=host:port runs it against that broker instead (with --settle-ms 1500,
 * since Kafka applies config changes asynchronously).
 */
import { randomBytes } from 'node:crypto';
import t from 'tap';
import { brokerUnderTest, javaProgram, runProgram, setupClients } from './harness.js';


const KAFKA_4_4_0 = `
{"step":"create_topic","ok":true}
{"step":"describe_topic","ok":true,"entries":[["cleanup.policy","delete","DEFAULT_CONFIG",false,false,"LIST",[["log.cleanup.policy","delete","DEFAULT_CONFIG"]],true],["compression.gzip.level","-1","DEFAULT_CONFIG",false,false,"INT",[["compression.gzip.level","-1","DEFAULT_CONFIG"]],true],["compression.lz4.level","9","DEFAULT_CONFIG",false,false,"INT",[["compression.lz4.level","9","DEFAULT_CONFIG"]],true],["compression.type","producer","DEFAULT_CONFIG",false,false,"STRING",[["compression.type","producer","DEFAULT_CONFIG"]],true],["compression.zstd.level","3","DEFAULT_CONFIG",false,false,"INT",[["compression.zstd.level","3","DEFAULT_CONFIG"]],true],["delete.retention.ms","86400000","DEFAULT_CONFIG",false,false,"LONG",[["log.cleaner.delete.retention.ms","86400000","DEFAULT_CONFIG"]],true],["errors.deadletterqueue.group.enable","false","DEFAULT_CONFIG",false,false,"BOOLEAN",[],true],["file.delete.delay.ms","60000","DEFAULT_CONFIG",false,false,"LONG",[["log.segment.delete.delay.ms","60000","DEFAULT_CONFIG"]],true],["flush.messages","9223372036854775807","DEFAULT_CONFIG",false,false,"LONG",[["log.flush.interval.messages","9223372036854775807","DEFAULT_CONFIG"]],true],["flush.ms","9223372036854775807","DEFAULT_CONFIG",false,false,"LONG",[],true],["follower.replication.throttled.replicas","","DEFAULT_CONFIG",false,false,"LIST",[],true],["index.interval.bytes","4096","DEFAULT_CONFIG",false,false,"INT",[["log.index.interval.bytes","4096","DEFAULT_CONFIG"]],true],["leader.replication.throttled.replicas","","DEFAULT_CONFIG",false,false,"LIST",[],true],["local.retention.bytes","-2","DEFAULT_CONFIG",false,false,"LONG",[["log.local.retention.bytes","-2","DEFAULT_CONFIG"]],true],["local.retention.ms","-2","DEFAULT_CONFIG",false,false,"LONG",[["log.local.retention.ms","-2","DEFAULT_CONFIG"]],true],["max.compaction.lag.ms","9223372036854775807","DEFAULT_CONFIG",false,false,"LONG",[["log.cleaner.max.compaction.lag.ms","9223372036854775807","DEFAULT_CONFIG"]],true],["max.decompressed.message.bytes","2147483639","DEFAULT_CONFIG",false,false,"INT",[["max.decompressed.message.bytes","2147483639","DEFAULT_CONFIG"]],true],["max.message.bytes","1048588","DEFAULT_CONFIG",false,false,"INT",[["message.max.bytes","1048588","DEFAULT_CONFIG"]],true],["message.timestamp.after.max.ms","3600000","DEFAULT_CONFIG",false,false,"LONG",[["log.message.timestamp.after.max.ms","3600000","DEFAULT_CONFIG"]],true],["message.timestamp.before.max.ms","9223372036854775807","DEFAULT_CONFIG",false,false,"LONG",[["log.message.timestamp.before.max.ms","9223372036854775807","DEFAULT_CONFIG"]],true],["message.timestamp.type","CreateTime","DEFAULT_CONFIG",false,false,"STRING",[["log.message.timestamp.type","CreateTime","DEFAULT_CONFIG"]],true],["min.cleanable.dirty.ratio","0.5","DEFAULT_CONFIG",false,false,"DOUBLE",[["log.cleaner.min.cleanable.ratio","0.5","DEFAULT_CONFIG"]],true],["min.compaction.lag.ms","0","DEFAULT_CONFIG",false,false,"LONG",[["log.cleaner.min.compaction.lag.ms","0","DEFAULT_CONFIG"]],true],["min.insync.replicas","1","DYNAMIC_DEFAULT_BROKER_CONFIG",false,false,"INT",[["min.insync.replicas","1","DYNAMIC_DEFAULT_BROKER_CONFIG"],["min.insync.replicas","1","STATIC_BROKER_CONFIG"],["min.insync.replicas","1","DEFAULT_CONFIG"]],true],["preallocate","false","DEFAULT_CONFIG",false,false,"BOOLEAN",[["log.preallocate","false","DEFAULT_CONFIG"]],true],["remote.copy.lag.bytes","-1","DEFAULT_CONFIG",false,false,"LONG",[["log.remote.copy.lag.bytes","-1","DEFAULT_CONFIG"]],true],["remote.copy.lag.ms","0","DEFAULT_CONFIG",false,false,"LONG",[["log.remote.copy.lag.ms","0","DEFAULT_CONFIG"]],true],["remote.log.copy.disable","false","DEFAULT_CONFIG",false,false,"BOOLEAN",[],true],["remote.log.delete.on.disable","false","DEFAULT_CONFIG",false,false,"BOOLEAN",[],true],["remote.storage.enable","false","DEFAULT_CONFIG",false,false,"BOOLEAN",[],true],["retention.bytes","-1","DEFAULT_CONFIG",false,false,"LONG",[["log.retention.bytes","-1","DEFAULT_CONFIG"]],true],["retention.ms","1000","DYNAMIC_TOPIC_CONFIG",false,false,"LONG",[["retention.ms","1000","DYNAMIC_TOPIC_CONFIG"]],true],["segment.bytes","1073741824","DEFAULT_CONFIG",false,false,"INT",[["log.segment.bytes","1073741824","DEFAULT_CONFIG"]],true],["segment.index.bytes","10485760","DEFAULT_CONFIG",false,false,"INT",[["log.index.size.max.bytes","10485760","DEFAULT_CONFIG"]],true],["segment.jitter.ms","0","DEFAULT_CONFIG",false,false,"LONG",[],true],["segment.ms","604800000","DEFAULT_CONFIG",false,false,"LONG",[],true],["unclean.leader.election.enable","false","DEFAULT_CONFIG",false,false,"BOOLEAN",[["unclean.leader.election.enable","false","DEFAULT_CONFIG"]],true]]}
{"step":"describe_broker","ok":true,"entries":[["auto.create.topics.enable","true","DEFAULT_CONFIG",true,false,"BOOLEAN",[["auto.create.topics.enable","true","DEFAULT_CONFIG"]],true],["broker.id","1","STATIC_BROKER_CONFIG",true,false,"INT",[["broker.id","1","STATIC_BROKER_CONFIG"],["broker.id","-1","DEFAULT_CONFIG"]],true],["default.replication.factor","1","STATIC_BROKER_CONFIG",true,false,"INT",[["default.replication.factor","1","STATIC_BROKER_CONFIG"],["default.replication.factor","1","DEFAULT_CONFIG"]],true],["group.initial.rebalance.delay.ms","0","STATIC_BROKER_CONFIG",true,false,"INT",[["group.initial.rebalance.delay.ms","0","STATIC_BROKER_CONFIG"],["group.initial.rebalance.delay.ms","3000","DEFAULT_CONFIG"]],true],["log.cleaner.enable","true","DEFAULT_CONFIG",true,false,"BOOLEAN",[["log.cleaner.enable","true","DEFAULT_CONFIG"]],true],["log.cleanup.policy","delete","DEFAULT_CONFIG",false,false,"LIST",[["log.cleanup.policy","delete","DEFAULT_CONFIG"]],true],["log.retention.bytes","-1","DEFAULT_CONFIG",false,false,"LONG",[["log.retention.bytes","-1","DEFAULT_CONFIG"]],true],["log.retention.hours","168","DEFAULT_CONFIG",true,false,"INT",[["log.retention.hours","168","DEFAULT_CONFIG"]],true],["log.retention.ms",null,"DEFAULT_CONFIG",false,false,"LONG",[],true],["log.segment.bytes","1073741824","DEFAULT_CONFIG",false,false,"INT",[["log.segment.bytes","1073741824","DEFAULT_CONFIG"]],true],["message.max.bytes","1048588","DEFAULT_CONFIG",false,false,"INT",[["message.max.bytes","1048588","DEFAULT_CONFIG"]],true],["min.insync.replicas","1","DYNAMIC_DEFAULT_BROKER_CONFIG",false,false,"INT",[["min.insync.replicas","1","DYNAMIC_DEFAULT_BROKER_CONFIG"],["min.insync.replicas","1","STATIC_BROKER_CONFIG"],["min.insync.replicas","1","DEFAULT_CONFIG"]],true],["node.id","1","STATIC_BROKER_CONFIG",true,false,"INT",[["node.id","1","STATIC_BROKER_CONFIG"]],true],["num.partitions","1","STATIC_BROKER_CONFIG",true,false,"INT",[["num.partitions","1","STATIC_BROKER_CONFIG"],["num.partitions","1","DEFAULT_CONFIG"]],true],["offsets.topic.replication.factor","1","STATIC_BROKER_CONFIG",true,false,"SHORT",[["offsets.topic.replication.factor","1","STATIC_BROKER_CONFIG"],["offsets.topic.replication.factor","3","DEFAULT_CONFIG"]],true],["ssl.keystore.password",null,"DEFAULT_CONFIG",false,true,"PASSWORD",[],true],["transaction.state.log.replication.factor","1","STATIC_BROKER_CONFIG",true,false,"SHORT",[["transaction.state.log.replication.factor","1","STATIC_BROKER_CONFIG"],["transaction.state.log.replication.factor","3","DEFAULT_CONFIG"]],true]]}
{"step":"describe_cluster_default","ok":true,"entries":[["min.insync.replicas","1","DYNAMIC_DEFAULT_BROKER_CONFIG",false,false,"INT",[["min.insync.replicas","1","DYNAMIC_DEFAULT_BROKER_CONFIG"]],true]]}
{"step":"describe_unknown_topic","ok":false,"error":"UnknownTopicOrPartitionException","message":""}
{"step":"topic_set","ok":true}
{"step":"topic_after_set","ok":true,"entries":[["cleanup.policy","compact","DYNAMIC_TOPIC_CONFIG",false,false,"LIST",[["cleanup.policy","compact","DYNAMIC_TOPIC_CONFIG"],["log.cleanup.policy","delete","DEFAULT_CONFIG"]],true],["max.message.bytes","1048588","DEFAULT_CONFIG",false,false,"INT",[["message.max.bytes","1048588","DEFAULT_CONFIG"]],true],["min.insync.replicas","1","DYNAMIC_DEFAULT_BROKER_CONFIG",false,false,"INT",[["min.insync.replicas","1","DYNAMIC_DEFAULT_BROKER_CONFIG"],["min.insync.replicas","1","STATIC_BROKER_CONFIG"],["min.insync.replicas","1","DEFAULT_CONFIG"]],true],["retention.ms","2000","DYNAMIC_TOPIC_CONFIG",false,false,"LONG",[["retention.ms","2000","DYNAMIC_TOPIC_CONFIG"]],true],["segment.bytes","1073741824","DEFAULT_CONFIG",false,false,"INT",[["log.segment.bytes","1073741824","DEFAULT_CONFIG"]],true]]}
{"step":"topic_append","ok":true}
{"step":"topic_after_append","ok":true,"entries":[["cleanup.policy","compact,delete","DYNAMIC_TOPIC_CONFIG",false,false,"LIST",[["cleanup.policy","compact,delete","DYNAMIC_TOPIC_CONFIG"],["log.cleanup.policy","delete","DEFAULT_CONFIG"]],true]]}
{"step":"topic_subtract","ok":true}
{"step":"topic_after_subtract","ok":true,"entries":[["cleanup.policy","delete","DYNAMIC_TOPIC_CONFIG",false,false,"LIST",[["cleanup.policy","delete","DYNAMIC_TOPIC_CONFIG"],["log.cleanup.policy","delete","DEFAULT_CONFIG"]],true]]}
{"step":"topic_delete","ok":true}
{"step":"topic_after_delete","ok":true,"entries":[["cleanup.policy","delete","DYNAMIC_TOPIC_CONFIG",false,false,"LIST",[["cleanup.policy","delete","DYNAMIC_TOPIC_CONFIG"],["log.cleanup.policy","delete","DEFAULT_CONFIG"]],true],["max.message.bytes","1048588","DEFAULT_CONFIG",false,false,"INT",[["message.max.bytes","1048588","DEFAULT_CONFIG"]],true],["min.insync.replicas","1","DYNAMIC_DEFAULT_BROKER_CONFIG",false,false,"INT",[["min.insync.replicas","1","DYNAMIC_DEFAULT_BROKER_CONFIG"],["min.insync.replicas","1","STATIC_BROKER_CONFIG"],["min.insync.replicas","1","DEFAULT_CONFIG"]],true],["retention.ms","604800000","DEFAULT_CONFIG",false,false,"LONG",[],true],["segment.bytes","1073741824","DEFAULT_CONFIG",false,false,"INT",[["log.segment.bytes","1073741824","DEFAULT_CONFIG"]],true]]}
{"step":"topic_validate_only","ok":true}
{"step":"topic_after_validate_only","ok":true,"entries":[["retention.ms","604800000","DEFAULT_CONFIG",false,false,"LONG",[],true]]}
{"step":"topic_unknown_config","ok":false,"error":"InvalidConfigurationException","message":"Unknown topic config name: foo.bar"}
{"step":"topic_bad_value","ok":false,"error":"InvalidConfigurationException","message":"Invalid value abc for configuration retention.ms: Not a number of type LONG"}
{"step":"topic_append_not_list","ok":false,"error":"InvalidConfigurationException","message":"Can't APPEND to key retention.ms because its type is not LIST."}
{"step":"topic_unknown","ok":false,"error":"UnknownTopicOrPartitionException","message":"The topic 'TOPIC-nope' does not exist."}
{"step":"broker_set","ok":true}
{"step":"broker_after_set","ok":true,"entries":[["log.retention.hours","168","DEFAULT_CONFIG",true,false,"INT",[["log.retention.hours","168","DEFAULT_CONFIG"]],true],["log.retention.ms","5000","DYNAMIC_BROKER_CONFIG",false,false,"LONG",[["log.retention.ms","5000","DYNAMIC_BROKER_CONFIG"],["log.retention.hours","168","DEFAULT_CONFIG"]],true]]}
{"step":"topic_after_broker_set","ok":true,"entries":[["retention.ms","5000","DYNAMIC_BROKER_CONFIG",false,false,"LONG",[["log.retention.ms","5000","DYNAMIC_BROKER_CONFIG"],["log.retention.hours","168","DEFAULT_CONFIG"]],true]]}
{"step":"cluster_set","ok":true}
{"step":"broker_after_cluster_set","ok":true,"entries":[["log.segment.bytes","2000000","DYNAMIC_DEFAULT_BROKER_CONFIG",false,false,"INT",[["log.segment.bytes","2000000","DYNAMIC_DEFAULT_BROKER_CONFIG"],["log.segment.bytes","1073741824","DEFAULT_CONFIG"]],true]]}
{"step":"cluster_after_set","ok":true,"entries":[["log.segment.bytes","2000000","DYNAMIC_DEFAULT_BROKER_CONFIG",false,false,"INT",[["log.segment.bytes","2000000","DYNAMIC_DEFAULT_BROKER_CONFIG"]],true],["min.insync.replicas","1","DYNAMIC_DEFAULT_BROKER_CONFIG",false,false,"INT",[["min.insync.replicas","1","DYNAMIC_DEFAULT_BROKER_CONFIG"]],true]]}
{"step":"topic_after_cluster_set","ok":true,"entries":[["segment.bytes","2000000","DYNAMIC_DEFAULT_BROKER_CONFIG",false,false,"INT",[["log.segment.bytes","2000000","DYNAMIC_DEFAULT_BROKER_CONFIG"],["log.segment.bytes","1073741824","DEFAULT_CONFIG"]],true]]}
{"step":"broker_read_only","ok":false,"error":"InvalidRequestException","message":"Cannot update these configs dynamically: [num.partitions]"}
{"step":"broker_bad_value","ok":false,"error":"InvalidRequestException","message":"Invalid value 5 for configuration log.segment.bytes: Value must be at least 1048576"}
{"step":"cluster_per_broker_config","ok":false,"error":"InvalidRequestException","message":"Cannot update these configs at default cluster level, broker id must be specified: [listeners]"}
{"step":"broker_append","ok":true}
{"step":"broker_after_append","ok":true,"entries":[["log.cleanup.policy","delete,compact","DYNAMIC_BROKER_CONFIG",false,false,"LIST",[["log.cleanup.policy","delete,compact","DYNAMIC_BROKER_CONFIG"],["log.cleanup.policy","delete","DEFAULT_CONFIG"]],true]]}
{"step":"broker_reset","ok":true}
{"step":"cluster_reset","ok":true}
{"step":"broker_after_reset","ok":true,"entries":[["log.cleanup.policy","delete","DEFAULT_CONFIG",false,false,"LIST",[["log.cleanup.policy","delete","DEFAULT_CONFIG"]],true],["log.retention.ms",null,"DEFAULT_CONFIG",false,false,"LONG",[],true],["log.segment.bytes","1073741824","DEFAULT_CONFIG",false,false,"INT",[["log.segment.bytes","1073741824","DEFAULT_CONFIG"]],true]]}
{"step":"delete_topic","ok":true}
`;

interface Line {
  readonly step: string;
  readonly ok: boolean;
}

function parse(text: string, topic: string): Line[] {
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l.replaceAll(topic, 'TOPIC')) as Line);
}

t.setTimeout(10 * 60_000);

const setupError = setupClients('java');
if (setupError !== null) {
  t.fail(setupError);
} else {
  t.test('Java Admin: describe, incrementally alter, errors — as Apache Kafka 4.4.0 answers', async (t) => {
    const bootstrap = await brokerUnderTest(t);
    const topic = `configs-${randomBytes(4).toString('hex')}`;
    const args = ['--bootstrap', bootstrap, '--topic', topic];
    // Apache Kafka applies config changes asynchronously.
    if (process.env['INTEROP_BOOTSTRAP'] !== undefined) args.push('--settle-ms', '1500');
    const out = await runProgram(javaProgram('Configs'), args, 180_000);
    t.equal(out.code, 0, 'the program ran', { stderr: out.stderr.slice(-4000) });
    const got = parse(out.stdout, topic);
    const expected = parse(KAFKA_4_4_0, 'TOPIC');
    t.strictSame(got.map((l) => l.step), expected.map((l) => l.step), 'every step reported');
    for (const e of expected) t.strictSame(got.find((g) => g.step === e.step), e, e.step);
  });
}
