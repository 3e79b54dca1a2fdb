"""Reset between tests, faults and the clock, over the broker's control API (confluent-kafka)."""
import pytest
from confluent_kafka import Consumer, Producer, TopicPartition
from confluent_kafka.admin import AdminClient, NewTopic

from pytest_minikafka import ControlError

LEFT_BEHIND = "left-behind"


def test_reset_1_a_test_leaves_a_topic_and_a_fault(minikafka):
    admin = AdminClient({"bootstrap.servers": minikafka.bootstrap_servers})
    admin.create_topics([NewTopic(LEFT_BEHIND, num_partitions=2)])[LEFT_BEHIND].result(timeout=10)
    producer = Producer({"bootstrap.servers": minikafka.bootstrap_servers})
    producer.produce(LEFT_BEHIND, value=b"x")
    assert producer.flush(10) == 0
    minikafka.faults.add(api="Metadata", action="latency", ms=1)
    assert LEFT_BEHIND in admin.list_topics(timeout=10).topics


def test_reset_2_the_next_test_sees_none_of_it(minikafka):
    # Runs after test_reset_1 (file order): the plugin's reset hook emptied the shared broker.
    topics = AdminClient({"bootstrap.servers": minikafka.bootstrap_servers}).list_topics(timeout=10).topics
    assert LEFT_BEHIND not in topics
    assert minikafka.faults.list() == []


def test_produce_survives_three_not_leader_faults(minikafka):
    rule = minikafka.faults.add(api="Produce", action="error", error="NOT_LEADER_OR_FOLLOWER", count=3)
    assert rule["remaining"] == 3
    producer = Producer({"bootstrap.servers": minikafka.bootstrap_servers, "enable.idempotence": True, "retry.backoff.ms": 10})
    delivered = []
    producer.produce("faulty", value=b"once", on_delivery=lambda err, msg: delivered.append((err, msg.offset())))
    assert producer.flush(30) == 0
    assert delivered == [(None, 0)], "retried past the faults and written once"
    assert minikafka.faults.get(rule["id"]) is None, "the rule was used up by the three failures"
    assert minikafka.wait_for.offset("faulty", 0, 1, timeout_ms=5000)["highWatermark"] >= 1


def test_clock_freeze_and_advance(minikafka):
    frozen = minikafka.clock.freeze()
    assert frozen["frozen"] is True
    moved = minikafka.clock.advance(duration="1h")
    assert moved["now"] - frozen["now"] == 3_600_000
    assert minikafka.clock.resume()["frozen"] is False


def test_control_errors_name_the_problem(minikafka):
    with pytest.raises(ControlError) as e:
        minikafka.faults.add(api="Produce", action="explode")
    assert e.value.status == 400 and e.value.code == "BAD_REQUEST"
    with pytest.raises(ControlError) as e:
        minikafka.wait_for.group("nobody", members=1, timeout_ms=200)
    assert e.value.status == 408


def test_snapshot_and_restore(minikafka):
    admin = AdminClient({"bootstrap.servers": minikafka.bootstrap_servers})
    admin.create_topics([NewTopic("prepared", num_partitions=1)])["prepared"].result(timeout=10)
    producer = Producer({"bootstrap.servers": minikafka.bootstrap_servers})
    producer.produce("prepared", value=b"seed")
    assert producer.flush(10) == 0
    saved = minikafka.snapshot("seeded")
    assert saved["name"] == "seeded"
    producer.produce("prepared", value=b"later")
    admin.create_topics([NewTopic("after-the-snapshot", num_partitions=1)])["after-the-snapshot"].result(timeout=10)
    assert producer.flush(10) == 0
    minikafka.restore("seeded")
    consumer = Consumer({"bootstrap.servers": minikafka.bootstrap_servers, "group.id": "snapshot-check"})
    try:
        low, high = consumer.get_watermark_offsets(TopicPartition("prepared", 0), timeout=10)
        assert (low, high) == (0, 1), "the record produced after the snapshot is gone"
    finally:
        consumer.close()
    assert "after-the-snapshot" not in admin.list_topics(timeout=10).topics
    assert [s["name"] for s in minikafka.control.snapshots()] == ["seeded"]
    minikafka.control.delete_snapshot("seeded")
    with pytest.raises(ControlError) as e:
        minikafka.restore("seeded")
    assert e.value.status == 404 and e.value.code == "NOT_FOUND"
