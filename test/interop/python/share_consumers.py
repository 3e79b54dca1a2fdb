"""librdkafka's share consumer (confluent-kafka ShareConsumer, KIP-932) for
test/interop/share-librdkafka.test.ts; prints one JSON line per scenario.

  share_consumers.py exactly-once --bootstrap B --topic T --group G --consumers N --expect R
                     --mode implicit|explicit
    N consumers (threads, one ShareConsumer each) read until R distinct records arrived, accepting
    each (explicit: acknowledge() then commit_sync(); implicit: the next poll accepts), then close.

  share_consumers.py redelivery --bootstrap B --topic T --group G --records R --control URL
    (one partition holding R records; the group's share.delivery.count.limit set to 2) Explicit
    mode. Consumer A reads the R records: offset%3==0 RELEASE, %3==1 REJECT, else ACCEPT; reads the
    released ones again (delivery count 2) and releases them again (the limit archives them); then
    sees nothing for 3 s. Then 5 new records are produced; A acquires them and holds them while the
    broker clock is advanced past the lock duration (the control API at URL); consumer B then gets
    them with a higher delivery count and accepts them.
"""
import argparse
import json
import sys
import threading
import time
import urllib.request

from confluent_kafka import AcknowledgeType, Producer, ShareConsumer

p = argparse.ArgumentParser()
p.add_argument("scenario", choices=["exactly-once", "redelivery"])
p.add_argument("--bootstrap", required=True)
p.add_argument("--topic", required=True)
p.add_argument("--group", required=True)
p.add_argument("--consumers", type=int, default=3)
p.add_argument("--expect", type=int, default=0)
p.add_argument("--mode", default="implicit")
p.add_argument("--records", type=int, default=0)
p.add_argument("--control")
p.add_argument("--timeout-s", type=float, default=90)
a = p.parse_args()
deadline = time.monotonic() + a.timeout_s


def emit(o):
    sys.stdout.write(json.dumps(o) + "\n")
    sys.stdout.flush()


def consumer(mode, client_id):
    return ShareConsumer({"bootstrap.servers": a.bootstrap, "group.id": a.group, "client.id": client_id, "share.acknowledgement.mode": mode})


def records(c, timeout=0.2):
    """The records of one poll; an error event fails the scenario."""
    out = []
    for m in c.poll(timeout):
        if m.error() is not None:
            raise RuntimeError(f"poll: {m.error()}")
        out.append(m)
    return out


def exactly_once():
    lock = threading.Lock()
    seen = {}
    deliveries = [0]
    per = [0] * a.consumers
    errors = []
    done = threading.Event()

    def run(me):
        try:
            c = consumer(a.mode, f"share-{me}")
            c.subscribe([a.topic])
            while not done.is_set() and time.monotonic() < deadline:
                ms = records(c)
                with lock:
                    for m in ms:
                        deliveries[0] += 1
                        per[me] += 1
                        k = f"{m.partition()}:{m.offset()}"
                        seen[k] = seen.get(k, 0) + 1
                    if len(seen) >= a.expect:
                        done.set()
                if a.mode == "explicit" and ms:
                    for m in ms:
                        c.acknowledge(m, AcknowledgeType.ACCEPT)
                    c.commit_sync()
            # Implicit mode: this commit accepts the last poll's records.
            c.commit_sync()
            c.close()
        except Exception as e:  # reported in the line, failing the test
            errors.append(repr(e))

    threads = [threading.Thread(target=run, args=(i,)) for i in range(a.consumers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    emit({"event": "exactly-once", "mode": a.mode, "distinct": len(seen), "deliveries": deliveries[0], "duplicates": sum(1 for n in seen.values() if n > 1), "perConsumer": per, "errors": errors})


def advance_clock(ms):
    req = urllib.request.Request(a.control + "/clock/advance", data=json.dumps({"ms": ms}).encode(), method="POST")
    with urllib.request.urlopen(req) as r:
        if r.status != 200:
            raise RuntimeError(f"clock advance: {r.status}")


def redelivery():
    out = {"event": "redelivery"}
    ca = consumer("explicit", "share-a")
    ca.subscribe([a.topic])
    # 1. every record once: release, reject or accept by offset.
    first = {}
    while len(first) < a.records and time.monotonic() < deadline:
        for m in records(ca):
            first[m.offset()] = m.delivery_count()
            o = m.offset()
            ca.acknowledge(m, AcknowledgeType.RELEASE if o % 3 == 0 else AcknowledgeType.REJECT if o % 3 == 1 else AcknowledgeType.ACCEPT)
        ca.commit_sync()
    out["firstCount"] = len(first)
    out["firstDeliveryCounts"] = sorted(set(first.values()))
    # 2. the released ones come back with delivery count 2; released again, the limit archives them.
    released = sum(1 for o in first if o % 3 == 0)
    second = {}
    unexpected = []
    while len(second) < released and time.monotonic() < deadline:
        for m in records(ca):
            if m.offset() % 3 == 0:
                second[m.offset()] = m.delivery_count()
            else:
                unexpected.append(m.offset())
            ca.acknowledge(m, AcknowledgeType.RELEASE)
        ca.commit_sync()
    out["secondCount"] = len(second)
    out["secondDeliveryCounts"] = sorted(set(second.values()))
    # 3. nothing more: rejected and over-limit records are archived.
    quiet_until = time.monotonic() + 3
    while time.monotonic() < quiet_until:
        for m in records(ca):
            unexpected.append(m.offset())
            ca.acknowledge(m, AcknowledgeType.ACCEPT)
        ca.commit_sync()
    out["unexpected"] = unexpected
    # 4. lock expiry: A holds 5 new records (one batch) while the broker clock passes the lock duration.
    pr = Producer({"bootstrap.servers": a.bootstrap, "linger.ms": 200})
    for i in range(5):
        pr.produce(a.topic, value=f"late-{i}".encode(), partition=0)
    if pr.flush(30) != 0:
        raise RuntimeError("produce of the late records did not complete")
    held = []
    while not held and time.monotonic() < deadline:
        held = records(ca)
    out["held"] = len(held)
    advance_clock(31_000)
    cb = consumer("explicit", "share-b")
    cb.subscribe([a.topic])
    taken = {}
    while len(taken) < len(held) and time.monotonic() < deadline:
        for m in records(cb):
            taken[m.offset()] = m.delivery_count()
            cb.acknowledge(m, AcknowledgeType.ACCEPT)
        cb.commit_sync()
    cb.close()
    out["takenByB"] = len(taken)
    out["takenDeliveryCounts"] = sorted(set(taken.values()))
    # A's lock is gone: its ACCEPT is refused (reported through the acknowledgement callback).
    late = []
    def on_commit(offsets, e):
        # A KafkaException carries the KafkaError; its name is the broker's error code.
        late.append(None if e is None else e.args[0].name() if e.args and hasattr(e.args[0], "name") else repr(e))

    ca.set_acknowledgement_commit_callback(on_commit)
    for m in held:
        ca.acknowledge(m, AcknowledgeType.ACCEPT)
    ca.commit_sync()
    ca.close()
    out["lateAckErrors"] = [e for e in late if e is not None]
    emit(out)


exactly_once() if a.scenario == "exactly-once" else redelivery()
