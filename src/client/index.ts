/** A small Kafka client built on the project's codecs; used by the CLI, usable by tests. */
export { KafkaClient, CoordinatorType, parseHostPort } from './client.js';
export type { ClientOptions, ClusterMetadata, TopicInfo, PartitionInfo, BrokerInfo } from './client.js';
export { Connection } from './connection.js';
export { KafkaResponseError, ConnectionError } from './errors.js';
export { produce, murmur2, partitionForKey, COMPRESSION } from './producer.js';
export type { ProducerRecord, ProduceOptions, PartitionResult } from './producer.js';
export { fetchPartition, listOffsets, IsolationLevel, OffsetSpec } from './fetcher.js';
export type { ConsumedRecord, FetchResult, FetchOptions } from './fetcher.js';
export * from './admin.js';
