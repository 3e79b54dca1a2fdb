"""A real client under seeded chaos: turns chaos on through the control API (retriable errors and
disconnects on a share of requests), produces N records with an idempotent confluent-kafka
(librdkafka) producer, reads them back with a group consumer and commits, then reports one JSON
line: what was delivered and read (per partition, in order), and what chaos injected. Chaos is
off again before the report, so the test reads the broker's own state undisturbed.

usage: chaos_client.py --bootstrap HOST:PORT --control-url URL --topic TOPIC --records N
                       --rate R --seed S
"""

import argparse
import json
import sys
import time

from confluent_kafka import Consumer, KafkaException, Producer, TopicPartition

from control_api import control


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--bootstrap", required=True)
    p.add_argument("--control-url", required=True)
    p.add_argument("--topic", required=True)
    p.add_argument("--records", type=int, required=True)
    p.add_argument("--rate", type=float, required=True)
    p.add_argument("--seed", type=int, required=True)
    a = p.parse_args()

    status, body = control(a.control_url, "PUT", "/chaos", {"rate": a.rate, "seed": a.seed})
    if status != 200:
        print(json.dumps({"error": f"turning chaos on: HTTP {status} {body}"}))
        return 1

    delivered = []  # (partition, offset, value), in delivery order
    failed = []

    def on_delivery(err, msg):
        if err is not None:
            failed.append(err.name())
        else:
            delivered.append((msg.partition(), msg.offset(), msg.value().decode()))

    producer = Producer({
        "bootstrap.servers": a.bootstrap,
        "enable.idempotence": True,
        "acks": "all",
        # Small batches, so that the run is many Produce requests for chaos to fall on.
        "linger.ms": 0,
        "batch.num.messages": 20,
        "retry.backoff.ms": 20,
        "message.timeout.ms": 120000,
    })
    started = time.monotonic()
    for i in range(a.records):
        while True:
            try:
                producer.produce(a.topic, key=str(i % 97).encode(), value=f"r{i}".encode(), on_delivery=on_delivery)
                break
            except BufferError:
                producer.poll(0.05)
        producer.poll(0)
    left = producer.flush(180)
    produce_ms = round((time.monotonic() - started) * 1000)

    consumer = Consumer({
        "bootstrap.servers": a.bootstrap,
        "group.id": f"chaos-{a.seed}",
        "auto.offset.reset": "earliest",
        "enable.auto.commit": False,
        "enable.partition.eof": False,
        # Small fetches, for the same reason.
        "max.partition.fetch.bytes": 2048,
        "fetch.max.bytes": 4096,
        "message.max.bytes": 4096,
    })
    consumer.subscribe([a.topic])
    read = []  # (partition, offset, value)
    deadline = time.monotonic() + 180
    while len(read) < len(delivered) and time.monotonic() < deadline:
        msg = consumer.poll(0.5)
        if msg is None:
            continue
        if msg.error():
            # Chaos errors are retriable: librdkafka reports some and goes on.
            continue
        read.append((msg.partition(), msg.offset(), msg.value().decode()))
    commits = 0
    while commits < 20:
        try:
            consumer.commit(asynchronous=False)
            break
        except KafkaException:
            commits += 1
            time.sleep(0.1)
    _, chaos = control(a.control_url, "GET", "/chaos")
    control(a.control_url, "DELETE", "/chaos")
    assignment = [tp.partition for tp in consumer.assignment()]
    committed = {tp.partition: tp.offset for tp in consumer.committed([TopicPartition(a.topic, q) for q in assignment], timeout=30)} if assignment else {}
    consumer.close()
    print(json.dumps({
        "produceMs": produce_ms,
        "undelivered": left,
        "failed": failed,
        "delivered": delivered,
        "read": read,
        "committed": committed,
        "commitRetries": commits,
        "chaos": {"requests": chaos["requests"], "injected": chaos["injected"], "faults": sorted({e["api"] + " " + e["fault"] for e in chaos["events"]})},
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main())
