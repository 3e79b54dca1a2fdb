"""The interop scenario (../SCENARIO.md) with confluent-kafka (librdkafka): AdminClient for topics and
offsets, a Producer per codec, a Consumer with assigned partitions (no subscribe, no commits)."""
import sys
import time

from confluent_kafka import Consumer, OFFSET_BEGINNING, Producer, TopicPartition
from confluent_kafka.admin import OffsetSpec

import scenario
from confluent_base import CLIENT, ConfluentDriver


class Driver(ConfluentDriver):
    def __init__(self, args):
        super().__init__(args, "interop-confluent-admin")
        self.unsupported_codecs = {}

    def produce(self, codec, records):
        acks, errors = {}, []

        def delivered(index):
            def cb(err, msg):
                if err is not None:
                    errors.append(err)
                else:
                    acks[index] = (msg.partition(), msg.offset())
            return cb

        p = Producer(dict(self.conf, **{"client.id": "interop-confluent-producer-" + codec,
                                        "compression.type": codec, "acks": "all", "linger.ms": 5}))
        for r in records:
            while True:
                try:
                    p.produce(self.args.topic, key=r.key.encode(), value=r.value.encode(),
                              headers=[(k, v.encode()) for k, v in r.headers], timestamp=r.timestamp,
                              on_delivery=delivered(r.index))
                    break
                except BufferError:
                    p.poll(0.1)
            p.poll(0)
        left = p.flush(30)
        if left or errors:
            raise RuntimeError("produce %s: %d undelivered, %d errors, first %r" % (codec, left, len(errors), errors[:1]))
        return acks

    def consume(self, n, deadline):
        c = Consumer(dict(self.conf, **{"client.id": "interop-confluent-consumer", "group.id": "interop-unused",  # required by the Python binding; assign() never joins it
                                        "enable.auto.commit": False, "enable.auto.offset.store": False}))
        reads = []
        try:
            c.assign([TopicPartition(self.args.topic, p, OFFSET_BEGINNING) for p in range(scenario.PARTITIONS)])
            while len(reads) < n and time.monotonic() < deadline:
                for m in c.consume(num_messages=1000, timeout=0.5):
                    if m.error():
                        raise RuntimeError("consume: %s" % m.error())
                    reads.append(scenario.Read(m.partition(), m.offset(), scenario.s(m.key()), scenario.s(m.value()),
                                               [(k, scenario.s(v)) for k, v in (m.headers() or [])], m.timestamp()[1]))
        finally:
            c.close()
        return "consume_assigned", None, reads

    def list_offsets(self, spec):
        if spec == "earliest":
            s = OffsetSpec.earliest()
        elif spec == "latest":
            s = OffsetSpec.latest()
        else:
            s = OffsetSpec.for_timestamp(spec)
        req = {TopicPartition(self.args.topic, p): s for p in range(scenario.PARTITIONS)}
        return {tp.partition: f.result(30).offset for tp, f in self.admin.list_offsets(req).items()}


if __name__ == "__main__":
    args = scenario.parse_args(CLIENT)
    sys.exit(scenario.run(CLIENT, Driver(args), args))
