"""Fault injection from Python with nothing but an HTTP client: asks the broker's control API to
answer the next 3 Produce requests with NOT_LEADER_OR_FOLLOWER, produces one record with
confluent-kafka (librdkafka), and reports what happened as one JSON line: the delivery, and how
many Produce requests the broker saw (a second, no-op rule counts them), so the test sees the
client retry 3 times and then succeed.

usage: control_faults.py --bootstrap HOST:PORT --control-url URL --topic TOPIC
"""

import argparse
import json
import sys
import time

from confluent_kafka import Producer

from control_api import control


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--bootstrap", required=True)
    p.add_argument("--control-url", required=True)
    p.add_argument("--topic", required=True)
    a = p.parse_args()

    status, rules = control(a.control_url, "POST", "/faults", [
        {"api": "Produce", "topic": a.topic, "action": "error", "error": "NOT_LEADER_OR_FOLLOWER", "count": 3},
        # Matches every Produce and does nothing: its hit count is the number of attempts.
        {"api": "Produce", "topic": a.topic, "action": "latency", "ms": 0},
    ])
    if status != 201:
        print(json.dumps({"error": f"adding faults: HTTP {status} {rules}"}))
        return 1
    failing, counter = rules[0]["id"], rules[1]["id"]

    result = {}

    def on_delivery(err, msg):
        result["error"] = None if err is None else err.name()
        result["partition"] = msg.partition()
        result["offset"] = msg.offset()

    producer = Producer({"bootstrap.servers": a.bootstrap, "retry.backoff.ms": 50, "linger.ms": 0})
    started = time.monotonic()
    producer.produce(a.topic, value=b"survives three NOT_LEADER_OR_FOLLOWER", on_delivery=on_delivery)
    left = producer.flush(30)
    result["ms"] = round((time.monotonic() - started) * 1000)
    result["undelivered"] = left
    result["failingRuleStatus"] = control(a.control_url, "GET", f"/faults/{failing}")[0]
    result["produceRequests"] = control(a.control_url, "GET", f"/faults/{counter}")[1]["hits"]
    control(a.control_url, "DELETE", "/faults")
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
