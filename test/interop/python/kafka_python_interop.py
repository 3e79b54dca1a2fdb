"""The interop scenario (../SCENARIO.md) with kafka-python: KafkaAdminClient for topics, a KafkaProducer
per codec, a KafkaConsumer with assigned partitions and no group, whose beginning_offsets / end_offsets /
offsets_for_times list the offsets (kafka-python's admin has no ListOffsets call)."""
import logging
import sys
import time

import kafka
from kafka import KafkaConsumer, KafkaProducer, TopicPartition
from kafka.admin import KafkaAdminClient, NewTopic

import scenario

CLIENT = "kafka-python"


class Driver:
    def __init__(self, args):
        self.args = args
        self.admin = KafkaAdminClient(bootstrap_servers=args.bootstrap, client_id="interop-kafka-python-admin")
        self.info = {"library": "kafka-python", "version": kafka.__version__}
        self.unsupported_codecs = {}
        self.consumer = None
        self.tps = [TopicPartition(args.topic, p) for p in range(scenario.PARTITIONS)]

    def create_topic(self, topic, partitions):
        self.admin.create_topics([NewTopic(topic, num_partitions=partitions, replication_factor=1)])

    def produce(self, codec, records):
        p = KafkaProducer(bootstrap_servers=self.args.bootstrap, client_id="interop-kafka-python-producer-" + codec,
                          compression_type=None if codec == "none" else codec, acks="all", linger_ms=5)
        try:
            futures = [(r.index, p.send(self.args.topic, key=r.key.encode(), value=r.value.encode(),
                                        headers=[(k, v.encode()) for k, v in r.headers], timestamp_ms=r.timestamp))
                       for r in records]
            p.flush(30)
            acks = {}
            for i, f in futures:
                md = f.get(30)
                acks[i] = (md.partition, md.offset)
            return acks
        finally:
            p.close(10)

    def _consumer(self):
        if self.consumer is None:
            self.consumer = KafkaConsumer(bootstrap_servers=self.args.bootstrap, client_id="interop-kafka-python-consumer",
                                          group_id=None, enable_auto_commit=False, auto_offset_reset="earliest")
        return self.consumer

    def consume(self, n, deadline):
        c = self._consumer()
        c.assign(self.tps)
        c.seek_to_beginning(*self.tps)
        reads = []
        while len(reads) < n and time.monotonic() < deadline:
            for tp, msgs in c.poll(timeout_ms=500, max_records=2000).items():
                for m in msgs:
                    reads.append(scenario.Read(m.partition, m.offset, scenario.s(m.key), scenario.s(m.value),
                                               [(k, scenario.s(v)) for k, v in (m.headers or [])], m.timestamp))
        return "consume_assigned", None, reads

    def list_offsets(self, spec):
        c = self._consumer()
        if spec == "earliest":
            res = c.beginning_offsets(self.tps)
        elif spec == "latest":
            res = c.end_offsets(self.tps)
        else:
            res = {tp: (-1 if ot is None else ot.offset)
                   for tp, ot in c.offsets_for_times({tp: spec for tp in self.tps}).items()}
        return {tp.partition: o for tp, o in res.items()}

    def delete_topic(self, topic):
        self.admin.delete_topics([topic])

    def close(self):
        if self.consumer is not None:
            self.consumer.close()
        self.admin.close()


if __name__ == "__main__":
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    args = scenario.parse_args(CLIENT)
    sys.exit(scenario.run(CLIENT, Driver(args), args))
