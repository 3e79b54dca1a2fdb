"""Failover with confluent-kafka (librdkafka), the client side of test/interop/failover.test.ts: an
idempotent acks=all producer sends --records records (key k<i % 16>, value "i<i>") at --rate
records/s while a group consumer (offsets committed after every batch) reads them in a thread, and
the test stops and restarts brokers under both. Then it checks that every acknowledged record was
consumed exactly once, in the order sent within each partition. JSON step lines as the Java
Failover program: "producing", "produce", "check_exactly_once_in_order".

usage: failover.py --bootstrap HOSTS --topic TOPIC --group GROUP [--records N] [--rate R]
"""

import argparse
import json
import sys
import threading
import time

from confluent_kafka import Consumer, KafkaException, Producer

CLIENT = "confluent-kafka-python"


def step(name, ok, detail):
    print(json.dumps({"client": CLIENT, "step": name, "ok": ok, "detail": detail}), flush=True)
    return ok


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--bootstrap", required=True)
    p.add_argument("--topic", required=True)
    p.add_argument("--group", required=True)
    p.add_argument("--records", type=int, default=20000)
    p.add_argument("--rate", type=int, default=2000)
    a = p.parse_args()
    n = a.records

    acked = bytearray(n)
    seen = bytearray(n)
    problems = []
    stats = {"consumed": 0, "assignments": 0, "commitErrors": 0}
    producing = threading.Event()
    producing.set()

    def all_seen():
        return all(seen[i] for i in range(n) if acked[i])

    def consume():
        c = Consumer({
            "bootstrap.servers": a.bootstrap, "group.id": a.group, "client.id": "interop-confluent-failover-consumer",
            "auto.offset.reset": "earliest", "enable.auto.commit": False,
            "reconnect.backoff.ms": 10, "reconnect.backoff.max.ms": 200, "retry.backoff.ms": 10,
        })

        def on_assign(consumer, parts):
            stats["assignments"] += 1

        def on_revoke(consumer, parts):
            try:
                consumer.commit(asynchronous=False)
            except KafkaException:
                stats["commitErrors"] += 1

        c.subscribe([a.topic], on_assign=on_assign, on_revoke=on_revoke)
        last = {}
        deadline = None
        try:
            while True:
                if not producing.is_set() and deadline is None:
                    deadline = time.time() + 90
                if deadline is not None and time.time() > deadline:
                    return
                msgs = c.consume(num_messages=500, timeout=0.2)
                got = 0
                for m in msgs:
                    if m.error():
                        continue
                    got += 1
                    stats["consumed"] += 1
                    i = int(m.value()[1:])
                    seen[i] = min(seen[i] + 1, 255)
                    if seen[i] > 1 and len(problems) < 50:
                        problems.append(f"record {i} consumed twice")
                    prev = last.get(m.partition())
                    if prev is not None and i <= prev and len(problems) < 50:
                        problems.append(f"partition {m.partition()}: {i} after {prev}")
                    last[m.partition()] = i
                if got:
                    try:
                        c.commit(asynchronous=False)
                    except KafkaException:
                        stats["commitErrors"] += 1
                if not producing.is_set() and all_seen():
                    return
        finally:
            c.close()

    consumer = threading.Thread(target=consume, name="failover-consumer")
    consumer.start()

    errors = []

    def delivered(i):
        def cb(err, msg):
            if err is not None:
                errors.append(str(err))
            else:
                acked[i] = 1
        return cb

    producer = Producer({
        "bootstrap.servers": a.bootstrap, "client.id": "interop-confluent-failover-producer",
        "enable.idempotence": True, "acks": "all", "linger.ms": 2,
        "reconnect.backoff.ms": 10, "reconnect.backoff.max.ms": 200, "retry.backoff.ms": 10,
    })
    producer.list_topics(a.topic, timeout=30)
    step("producing", True, {"records": n, "rate": a.rate})
    start = time.time()
    for i in range(n):
        wait = start + i / a.rate - time.time()
        if wait > 0:
            time.sleep(wait)
        while True:
            try:
                producer.produce(a.topic, key=f"k{i % 16}".encode(), value=f"i{i}".encode(), on_delivery=delivered(i))
                break
            except BufferError:
                producer.poll(0.05)
        producer.poll(0)
    left = producer.flush(120)
    producing.clear()
    ok = step("produce", not errors and left == 0, {"records": n, "acked": sum(acked), "errors": len(errors) + left,
                                                     "ms": int((time.time() - start) * 1000), "first": errors[0] if errors else ""})
    consumer.join()
    missing = [i for i in range(n) if acked[i] and not seen[i]]
    for i in missing[:20]:
        if len(problems) < 50:
            problems.append(f"acknowledged record {i} never consumed")
    detail = {"acked": sum(acked), "consumed": stats["consumed"], "missing": len(missing), "assignments": stats["assignments"],
              "commitErrors": stats["commitErrors"], "problems": problems}
    ok = step("check_exactly_once_in_order", not problems and sum(acked) > 0, detail) and ok
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
