"""The transaction scenario (../SCENARIO.md) with confluent-kafka (librdkafka): a transactional
Producer commits, aborts and commits again; Consumers with assigned partitions read with
isolation.level read_committed and read_uncommitted."""
import sys
import time

import confluent_kafka
from confluent_kafka import Consumer, OFFSET_BEGINNING, Producer, TopicPartition

import scenario
import txn_scenario
from confluent_base import CLIENT, ConfluentDriver


class Driver(ConfluentDriver):
    def __init__(self, args):
        super().__init__(args, "interop-confluent-txn-admin")
        self.producer = None

    def produce_transaction(self, records, commit):
        if self.producer is None:
            self.producer = Producer(dict(self.conf, **{"client.id": "interop-confluent-txn-producer",
                                                        "transactional.id": self.args.topic + "-confluent",
                                                        "linger.ms": 5}))
            self.producer.init_transactions(30)
        p = self.producer
        errors = []

        def delivered(err, _msg):
            if err is not None:
                errors.append(err)

        p.begin_transaction()
        for _i, k, v in records:
            while True:
                try:
                    p.produce(self.args.topic, key=k.encode(), value=v.encode(), on_delivery=delivered)
                    break
                except BufferError:
                    p.poll(0.1)
            p.poll(0)
        left = p.flush(30)
        if left or errors:
            raise RuntimeError("transaction: %d undelivered, %d errors, first %r" % (left, len(errors), errors[:1]))
        if commit:
            p.commit_transaction(30)
        else:
            p.abort_transaction(30)

    def consume(self, isolation, n, deadline):
        c = Consumer(dict(self.conf, **{"client.id": "interop-confluent-txn-" + isolation,
                                        "group.id": "interop-unused",  # required by the Python binding; assign() never joins it
                                        "isolation.level": isolation,
                                        "enable.auto.commit": False, "enable.auto.offset.store": False}))
        values = []
        try:
            c.assign([TopicPartition(self.args.topic, p, OFFSET_BEGINNING) for p in range(scenario.PARTITIONS)])
            extra = None
            while time.monotonic() < deadline:
                if len(values) >= n:
                    # One more short read: anything beyond n is a duplicate, aborted data or a leaked marker.
                    extra = extra or time.monotonic() + 0.5
                    if time.monotonic() > extra:
                        break
                for m in c.consume(num_messages=1000, timeout=0.2):
                    if m.error():
                        if m.error().code() == confluent_kafka.KafkaError._PARTITION_EOF:
                            continue
                        raise RuntimeError("consume: %s" % m.error())
                    values.append(scenario.s(m.value()))
        finally:
            c.close()
        return values


if __name__ == "__main__":
    args = txn_scenario.parse_args(CLIENT)
    sys.exit(txn_scenario.run(CLIENT, Driver(args), args))
