"""confluent-kafka (librdkafka) against the `minikafka` fixture: a topic, records in, records out."""
import time
import uuid

from confluent_kafka import Consumer, Producer
from confluent_kafka.admin import AdminClient, NewTopic


def consume(bootstrap, topic, count, timeout=30.0):
    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": f"group-{uuid.uuid4()}", "auto.offset.reset": "earliest"})
    try:
        consumer.subscribe([topic])
        got = []
        deadline = time.monotonic() + timeout
        while len(got) < count and time.monotonic() < deadline:
            msg = consumer.poll(0.5)
            if msg is None:
                continue
            assert msg.error() is None, msg.error()
            got.append((msg.key().decode(), msg.value().decode(), msg.partition()))
        return got
    finally:
        consumer.close()


def test_produce_and_consume(minikafka):
    topic = f"orders-{uuid.uuid4()}"
    admin = AdminClient({"bootstrap.servers": minikafka.bootstrap_servers})
    admin.create_topics([NewTopic(topic, num_partitions=3)])[topic].result(timeout=10)

    producer = Producer({"bootstrap.servers": minikafka.bootstrap_servers, "enable.idempotence": True})
    sent = [(f"key-{i}", f"value-{i}") for i in range(6)]
    for key, value in sent:
        producer.produce(topic, key=key, value=value)
    assert producer.flush(10) == 0

    got = consume(minikafka.bootstrap_servers, topic, len(sent))
    assert sorted((k, v) for k, v, _ in got) == sorted(sent)
    assert {p for _, _, p in got} <= {0, 1, 2}


def test_topics_from_start_arguments(minikafka_factory):
    broker = minikafka_factory("--topic", "payments:4")
    metadata = AdminClient({"bootstrap.servers": broker.bootstrap_servers}).list_topics(timeout=10)
    assert len(metadata.topics["payments"].partitions) == 4
