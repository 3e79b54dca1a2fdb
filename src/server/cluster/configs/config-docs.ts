/**
 * Documentation DescribeConfigs returns when asked (includeDocumentation, v3+). Written for
 * minikafka, one or two sentences each, saying what the setting does here; Kafka's own texts are
 * longer. A broker config that supplies a topic config's default is documented through that topic
 * config. Configs without an entry are answered with null documentation.
 */
import { TOPIC_CONFIG_DEFS } from './topic-config-defs.js';

const TOPIC_DOCS: Readonly<Record<string, string>> = {
  'cleanup.policy': 'What happens to old log segments: "delete" removes them by retention.ms / retention.bytes, "compact" keeps the latest record of each key; both may be given.',
  'compression.type': 'Codec the topic stores batches with; "producer" keeps what the producer sent. Fetch before v10 is refused for zstd topics.',
  'compression.gzip.level': 'gzip level used when the topic recompresses with gzip (1-9, -1 for the codec default).',
  'compression.lz4.level': 'lz4 level used when the topic recompresses with lz4.',
  'compression.zstd.level': 'zstd level used when the topic recompresses with zstd.',
  'delete.retention.ms': 'How long a tombstone (a record with a null value) stays in a compacted topic after compaction first reaches it; consumers must read it within this time to see the delete.',
  'errors.deadletterqueue.group.enable': 'Whether share groups may use this topic as a dead-letter queue.',
  'file.delete.delay.ms': 'Delay before a deleted segment file is removed from disk. Segments held in memory are dropped at once.',
  'flush.messages': 'Records written between forced flushes of the log to disk.',
  'flush.ms': 'Time between forced flushes of the log to disk.',
  'follower.replication.throttled.replicas': 'Replicas ("partition:broker" or "*") whose follower replication is throttled.',
  'index.interval.bytes': 'Bytes between entries of the offset index.',
  'leader.replication.throttled.replicas': 'Replicas ("partition:broker" or "*") whose leader-side replication is throttled.',
  'local.retention.bytes': 'Local retention by size for tiered storage; -2 means retention.bytes.',
  'local.retention.ms': 'Local retention by time for tiered storage; -2 means retention.ms.',
  'max.compaction.lag.ms': 'The longest a record may stay uncompacted: a log whose oldest dirty record is older is compacted whatever its dirty ratio.',
  'max.decompressed.message.bytes': 'Largest decompressed size of one record batch.',
  'max.message.bytes': 'Largest record batch (after compression, with its 12-byte log overhead) a producer may append to the topic.',
  'message.timestamp.after.max.ms': 'How far in the future a record timestamp may be, relative to the broker clock, for CreateTime topics.',
  'message.timestamp.before.max.ms': 'How far in the past a record timestamp may be, relative to the broker clock, for CreateTime topics.',
  'message.timestamp.type': 'CreateTime keeps the producer timestamps; LogAppendTime stamps each batch with the broker clock on append.',
  'min.cleanable.dirty.ratio': 'Share of a compacted log that must be uncompacted (dirty) before the cleaner compacts it.',
  'min.compaction.lag.ms': 'The shortest time a record stays uncompacted: segments with newer records are not cleaned yet.',
  'min.insync.replicas': 'Replicas that must acknowledge an acks=all write. A single-replica broker always has one.',
  preallocate: 'Whether segment files are preallocated on disk.',
  'remote.copy.lag.bytes': 'Tiered storage: bytes a segment waits before upload (not supported by minikafka).',
  'remote.copy.lag.ms': 'Tiered storage: time a segment waits before upload (not supported by minikafka).',
  'remote.log.copy.disable': 'Tiered storage: stop uploading segments (not supported by minikafka).',
  'remote.log.delete.on.disable': 'Tiered storage: delete remote data when tiering is turned off (not supported by minikafka).',
  'remote.storage.enable': 'Tiered storage for the topic; minikafka has none, so true is refused.',
  'retention.bytes': 'Largest size a partition may grow to before its oldest segments are deleted (delete policy); -1 means no limit.',
  'retention.ms': 'How long a segment is kept after its newest record before it is deleted (delete policy); -1 means forever.',
  'segment.bytes': 'Size at which the active segment rolls; retention and compaction work on whole segments.',
  'segment.index.bytes': 'Size of a segment\'s offset index.',
  'segment.jitter.ms': 'Random jitter subtracted from segment.ms.',
  'segment.ms': 'Time after which the active segment rolls even if it is not full, so that retention and compaction can reach its records.',
  'unclean.leader.election.enable': 'Whether an out-of-sync replica may become leader.',
};

const BROKER_DOCS: Readonly<Record<string, string>> = {
  'advertised.listeners': 'The address clients are told to connect to.',
  'auto.create.topics.enable': 'Whether Metadata requests create the topics they name.',
  'broker.id': 'This broker\'s id; the same as node.id.',
  'default.replication.factor': 'Replication factor of topics created without one. minikafka keeps one replica.',
  'delete.topic.enable': 'Whether DeleteTopics may delete topics.',
  'group.initial.rebalance.delay.ms': 'How long a new classic group waits for more members before its first rebalance. minikafka sets 0.',
  listeners: 'The address minikafka listens on.',
  'log.cleaner.backoff.ms': 'How long the cleaner sleeps when no log needs compaction.',
  'log.cleaner.dedupe.buffer.size': 'Memory for the key map of one compaction pass; a pass maps at most this / 24 keys.',
  'log.cleaner.enable': 'Whether compacted topics are compacted.',
  'log.cleaner.io.buffer.load.factor': 'Share of the key map a compaction pass may fill.',
  'log.dirs': 'Where the log data lives. The in-memory minikafka keeps everything in memory.',
  'log.retention.check.interval.ms': 'How often the broker deletes segments past their retention.',
  'message.max.bytes': 'Default for the topic config max.message.bytes.',
  'node.id': 'This broker\'s id.',
  'num.partitions': 'Partition count of topics created without one.',
  'offsets.topic.num.partitions': 'Partitions of __consumer_offsets.',
  'offsets.topic.replication.factor': 'Replication factor of __consumer_offsets.',
  'offsets.topic.segment.bytes': 'segment.bytes of __consumer_offsets.',
  'process.roles': 'The roles of this node; minikafka acts as broker and controller.',
  'transaction.state.log.min.isr': 'min.insync.replicas of __transaction_state.',
  'transaction.state.log.num.partitions': 'Partitions of __transaction_state.',
  'transaction.state.log.replication.factor': 'Replication factor of __transaction_state.',
  'transaction.state.log.segment.bytes': 'segment.bytes of __transaction_state.',
};

// Broker configs that supply a topic config's default are documented through it.
const SYNONYM_OF = new Map<string, string>();
for (const d of TOPIC_CONFIG_DEFS.values()) for (const s of d.synonyms) if (!SYNONYM_OF.has(s.name)) SYNONYM_OF.set(s.name, d.name);

export function topicConfigDoc(name: string): string | null {
  return TOPIC_DOCS[name] ?? null;
}

export function brokerConfigDoc(name: string): string | null {
  const own = BROKER_DOCS[name];
  if (own !== undefined) return own;
  if (name.startsWith('ssl.') || name.startsWith('sasl.')) return 'A TLS or SASL setting. minikafka serves PLAINTEXT only: it is kept and described, and has no effect.';
  if (name.startsWith('remote.log.')) return 'A tiered storage setting. minikafka has no tiered storage: it is kept and described, and has no effect.';
  const topicName = SYNONYM_OF.get(name);
  if (topicName === undefined) return null;
  const doc = TOPIC_DOCS[topicName];
  return `The default of the topic config ${topicName}${doc === undefined ? '.' : `: ${doc}`}`;
}
