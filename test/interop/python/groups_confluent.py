"""One consumer group member with confluent-kafka (librdkafka) for test/interop/groups.test.ts:
reports its assignment after every change and each record once committed, as JSON lines; leaves
the group on "stop" or EOF on stdin.

  groups_confluent.py --bootstrap B --topic T --group G [--protocol classic|consumer]
                      [--instance-id I] [--session-timeout-ms N]
"""
import argparse
import json
import sys
import threading

from confluent_kafka import Consumer

p = argparse.ArgumentParser()
p.add_argument("--bootstrap")
p.add_argument("--topic")
p.add_argument("--group")
p.add_argument("--protocol", default="classic")
p.add_argument("--instance-id")
p.add_argument("--session-timeout-ms", default="6000")
a = p.parse_args()
lock = threading.Lock()


def emit(o):
    with lock:
        sys.stdout.write(json.dumps(o) + "\n")
        sys.stdout.flush()


conf = {
    "bootstrap.servers": a.bootstrap,
    "group.id": a.group,
    "group.protocol": a.protocol,
    "enable.auto.commit": False,
    "auto.offset.reset": "earliest",
    "client.id": "confluent-" + a.protocol,
}
if a.protocol == "classic":
    conf["session.timeout.ms"] = int(a.session_timeout_ms)
    conf["heartbeat.interval.ms"] = 500
if a.instance_id:
    conf["group.instance.id"] = a.instance_id
owned = set()


def on_assign(c, ps):
    owned.update(tp.partition for tp in ps)
    emit({"event": "assigned", "partitions": sorted(owned)})


def on_revoke(c, ps):
    owned.difference_update(tp.partition for tp in ps)
    emit({"event": "assigned", "partitions": sorted(owned)})


stop = threading.Event()


def read_stdin():
    for line in sys.stdin:
        if line.strip() == "stop":
            break
    stop.set()


threading.Thread(target=read_stdin, daemon=True).start()
c = Consumer(conf)
c.subscribe([a.topic], on_assign=on_assign, on_revoke=on_revoke, on_lost=on_revoke)
emit({"event": "started"})
while not stop.is_set():
    m = c.poll(0.2)
    if m is None or m.error():
        continue
    c.commit(message=m, asynchronous=False)
    emit({"event": "records", "records": [[m.partition(), m.offset()]]})
c.close()
emit({"event": "closed"})
