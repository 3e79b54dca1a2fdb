"""SASL with confluent-kafka (librdkafka), the Python side of test/interop/sasl-clients.test.ts.

Against a broker with a SASL_SSL and a SASL_PLAINTEXT listener and StandardAuthorizer ACLs:
- SCRAM-SHA-512 over SASL_SSL (ssl.ca.location = the broker's throwaway CA), PLAIN over
  SASL_PLAINTEXT and, with --oauth-principal, OAUTHBEARER with librdkafka's built-in unsecured JWT
  over SASL_SSL: each produces --records records to its own topic and consumes them back in a
  group, committing them (steps <mechanism>_produce, <mechanism>_consume_group);
- a wrong password, with SCRAM-SHA-512 and with PLAIN: the authentication error librdkafka reports
  (steps wrong_password_scram, wrong_password_plain; detail.error is the KafkaError name);
- a user without ACLs producing to a topic: the delivery error (step denied_produce);
- with --describe-user, a user who may DESCRIBE the topic but not READ it, fetching from it
  (assigned partition 0 at offset 0): the consumer error (step denied_consume);
- with --reauth-bootstrap (a SASL_PLAINTEXT listener with a short connections.max.reauth.ms):
  one SCRAM-SHA-512 producer sends a record every 100 ms until librdkafka has re-authenticated
  its connections (KIP-368) at least twice (step reauth_produce; detail.reauthentications counts
  librdkafka's "Auth in state REAUTH" debug lines).

One JSON line per step on stdout, as the failover programs print them. Exit status 0 when every
step ran (the test judges each step's detail).

usage: sasl_client.py --ssl-bootstrap B --plain-bootstrap B --ca CA.pem --prefix P --user U
       --password PW --denied-user U --denied-password PW [--oauth-principal NAME] [--records N]
       [--reauth-bootstrap B] [--describe-user U --describe-password PW]
"""

import argparse
import json
import logging
import sys
import time

from confluent_kafka import Consumer, KafkaError, Producer, TopicPartition

CLIENT = "confluent-kafka-python"
# Each wait is bounded so that a broker that never answers fails the step instead of hanging the
# test; the bound is far above what a loaded 2-core machine needs (well under a second each).
WAIT_S = 25


def step(name, ok, detail):
    print(json.dumps({"client": CLIENT, "step": name, "ok": ok, "detail": detail}), flush=True)
    return ok


def produce_consume(label, common, topic, group, n):
    """Produces n records (values v0..v<n-1>) and reads them back in a group, committing them."""
    errors = []
    acked = []

    def delivered(err, msg):
        if err is not None:
            errors.append(err.name())
        else:
            acked.append(msg.value().decode())

    producer = Producer({**common, "client.id": f"sasl-{label}-producer", "acks": "all"})
    for i in range(n):
        producer.produce(topic, value=f"v{i}".encode(), on_delivery=delivered)
    left = producer.flush(WAIT_S)
    step(f"{label}_produce", not errors and left == 0 and len(acked) == n,
         {"records": n, "acked": len(acked), "errors": errors[:5], "unsent": left})

    consumer = Consumer({**common, "client.id": f"sasl-{label}-consumer", "group.id": group,
                         "auto.offset.reset": "earliest", "enable.auto.commit": False})
    values = []
    problems = []
    committed = None
    try:
        consumer.subscribe([topic])
        deadline = time.time() + WAIT_S
        while len(values) < n and time.time() < deadline:
            for m in consumer.consume(num_messages=n, timeout=0.5):
                if m.error():
                    problems.append(m.error().name())
                else:
                    values.append(m.value().decode())
        if values:
            consumer.commit(asynchronous=False)
            committed = consumer.committed([TopicPartition(topic, 0)], timeout=WAIT_S)[0].offset
    except Exception as e:  # the step reports what went wrong instead of a traceback
        problems.append(repr(e))
    finally:
        consumer.close()
    step(f"{label}_consume_group", values == [f"v{i}" for i in range(n)] and not problems,
         {"records": len(values), "values": values, "committed": committed, "problems": problems[:5]})


def auth_error(label, conf):
    """The first error librdkafka reports for a client whose login the broker refuses."""
    seen = []
    producer = Producer({**conf, "client.id": f"sasl-{label}", "error_cb": seen.append})
    deadline = time.time() + WAIT_S
    while not seen and time.time() < deadline:
        producer.poll(0.1)
    err = seen[0] if seen else None
    step(label, err is not None and err.code() == KafkaError._AUTHENTICATION,
         {"error": err.name() if err else None, "message": err.str() if err else None})


def denied_produce(conf, topic):
    """One record from a principal without WRITE (or DESCRIBE) on the topic: its delivery error."""
    errors = []
    producer = Producer({**conf, "client.id": "sasl-denied-producer", "acks": "all",
                         "message.timeout.ms": WAIT_S * 1000})
    producer.produce(topic, value=b"denied", on_delivery=lambda err, msg: errors.append(err))
    left = producer.flush(WAIT_S + 5)
    err = errors[0] if errors else None
    step("denied_produce", err is not None and err.code() == KafkaError.TOPIC_AUTHORIZATION_FAILED,
         {"error": err.name() if err else None, "message": err.str() if err else None, "unsent": left})


def denied_consume(conf, topic):
    """Fetches as a principal with DESCRIBE but not READ on the topic: the Fetch's refusal."""
    seen = []
    refused = None
    # confluent-kafka-python wants a group.id even for a consumer that only assigns; librdkafka then
    # looks up the coordinator, which dave may not use (GROUP_AUTHORIZATION_FAILED, noted in "seen").
    consumer = Consumer({**conf, "client.id": "sasl-denied-consumer", "group.id": f"{topic}-denied",
                         "enable.auto.commit": False})
    try:
        consumer.assign([TopicPartition(topic, 0, 0)])
        deadline = time.time() + WAIT_S
        while refused is None and time.time() < deadline:
            for m in consumer.consume(num_messages=10, timeout=0.5):
                err = m.error()
                if err is not None and err.code() == KafkaError.TOPIC_AUTHORIZATION_FAILED:
                    refused = err
                elif err is not None and err.name() not in seen:
                    seen.append(err.name())
    finally:
        consumer.close()
    step("denied_consume", refused is not None,
         {"error": refused.name() if refused else None, "message": refused.str() if refused else None, "seen": seen})


def reauth_produce(conf, topic):
    """Produces over connections whose SASL sessions expire, until two re-authentications are seen."""
    reauths = []

    class CountReauth(logging.Handler):
        def emit(self, record):
            if "Auth in state REAUTH" in record.getMessage():
                reauths.append(record.getMessage())

    log = logging.getLogger("sasl-reauth")
    log.setLevel(logging.DEBUG)
    log.propagate = False
    log.addHandler(CountReauth())
    errors = []
    acked = [0]

    def delivered(err, msg):
        if err is not None:
            errors.append(err.name())
        else:
            acked[0] += 1

    producer = Producer({**conf, "client.id": "sasl-reauth-producer", "acks": "all", "debug": "security", "logger": log})
    sent = 0
    deadline = time.time() + WAIT_S
    while len(reauths) < 2 and time.time() < deadline:
        producer.produce(topic, value=f"r{sent}".encode(), on_delivery=delivered)
        sent += 1
        # poll returns at the first event (debug logs come often), so the pace is the sleep's.
        producer.poll(0)
        time.sleep(0.1)
    left = producer.flush(WAIT_S)
    step("reauth_produce", len(reauths) >= 2 and acked[0] == sent and not errors,
         {"records": sent, "acked": acked[0], "errors": errors[:5], "unsent": left, "reauthentications": len(reauths)})


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--ssl-bootstrap", required=True)
    p.add_argument("--plain-bootstrap", required=True)
    p.add_argument("--ca", required=True)
    p.add_argument("--prefix", required=True)
    p.add_argument("--user", required=True)
    p.add_argument("--password", required=True)
    p.add_argument("--denied-user", required=True)
    p.add_argument("--denied-password", required=True)
    p.add_argument("--oauth-principal")
    p.add_argument("--records", type=int, default=20)
    p.add_argument("--reauth-bootstrap")
    p.add_argument("--describe-user")
    p.add_argument("--describe-password")
    a = p.parse_args()

    ssl = {"bootstrap.servers": a.ssl_bootstrap, "security.protocol": "SASL_SSL", "ssl.ca.location": a.ca}
    plain = {"bootstrap.servers": a.plain_bootstrap, "security.protocol": "SASL_PLAINTEXT"}
    scram = {**ssl, "sasl.mechanism": "SCRAM-SHA-512", "sasl.username": a.user, "sasl.password": a.password}
    plain_login = {**plain, "sasl.mechanism": "PLAIN", "sasl.username": a.user, "sasl.password": a.password}

    produce_consume("scram", scram, f"{a.prefix}-scram", f"{a.prefix}-scram-g", a.records)
    produce_consume("plain", plain_login, f"{a.prefix}-plain", f"{a.prefix}-plain-g", a.records)
    if a.oauth_principal:
        oauth = {**ssl, "sasl.mechanism": "OAUTHBEARER", "enable.sasl.oauthbearer.unsecure.jwt": True,
                 "sasl.oauthbearer.config": f"principal={a.oauth_principal}"}
        produce_consume("oauth", oauth, f"{a.prefix}-oauth", f"{a.prefix}-oauth-g", a.records)
    auth_error("wrong_password_scram", {**scram, "sasl.password": a.password + "-wrong"})
    auth_error("wrong_password_plain", {**plain_login, "sasl.password": a.password + "-wrong"})
    denied_produce({**scram, "sasl.username": a.denied_user, "sasl.password": a.denied_password}, f"{a.prefix}-scram")
    if a.describe_user:
        denied_consume({**scram, "sasl.username": a.describe_user, "sasl.password": a.describe_password}, f"{a.prefix}-scram")
    if a.reauth_bootstrap:
        reauth_produce({**plain, "bootstrap.servers": a.reauth_bootstrap, "sasl.mechanism": "SCRAM-SHA-512",
                        "sasl.username": a.user, "sasl.password": a.password}, f"{a.prefix}-reauth")
    sys.exit(0)


if __name__ == "__main__":
    main()
