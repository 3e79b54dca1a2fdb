"""The transaction scenario (../SCENARIO.md, "The transaction scenario"): of N records, [0, N/2) are
committed in a first transaction, [N/2, 3N/4) aborted in a second, [3N/4, N) committed in a third;
read_committed consumers must see exactly the committed ones, read_uncommitted ones all, and neither
a control record. Record i has key k<i % 16> and value "t<i>|c" or "t<i>|a".

Driver interface:
    info: dict(library=..., version=...)
    create_topic(topic, partitions)
    produce_transaction(records [(index, key, value)], commit: bool)   (the driver's transactional producer)
    consume(isolation, n, deadline) -> [value strings]   ("read_committed" / "read_uncommitted")
    delete_topic(topic)
    close()
"""
import argparse
import re
import time

from scenario import PARTITIONS, Runner, _detail, clean_up, key, report_error

VALUE = re.compile(r"^t(\d+)\|[ca]$")


def parse_args(client):
    p = argparse.ArgumentParser(prog=client, description="minikafka interop transaction scenario")
    p.add_argument("--bootstrap", required=True)
    p.add_argument("--topic", required=True)
    p.add_argument("--records", type=int, default=1000)
    return p.parse_args()


def parts(n):
    return [("txn_commit", 0, n // 2, True), ("txn_abort", n // 2, 3 * n // 4, False), ("txn_commit_after_abort", 3 * n // 4, n, True)]


def value(i, commit):
    return "t%d|%s" % (i, "c" if commit else "a")


def index_of(v):
    m = VALUE.match(v) if isinstance(v, str) else None
    return int(m.group(1)) if m else -1


def compare(values, expected):
    problems, seen, want = [], {}, set(expected)
    for v in values:
        i = index_of(v)
        if i < 0:
            problems.append("not a record of the scenario: %r" % (v,))
            continue
        seen[i] = seen.get(i, 0) + 1
        if seen[i] == 2:
            problems.append("record %d read twice" % i)
        if i not in want:
            problems.append("record %d (%s) should not be visible" % (i, v))
    for i in expected:
        if i not in seen and len(problems) < 50:
            problems.append("record %d missing" % i)
    return problems


def run(client, driver, args):
    n = args.records
    out = Runner(client)
    out.step("client_info", True, driver.info)
    created = False
    try:
        driver.create_topic(args.topic, PARTITIONS)
        created = True
        out.step("create_topic", True, {"topic": args.topic, "partitions": PARTITIONS})
        committed = []
        for step, lo, hi, commit in parts(n):
            start = time.monotonic()
            try:
                driver.produce_transaction([(i, key(i), value(i, commit)) for i in range(lo, hi)], commit)
            except Exception as e:
                out.step(step, False, {"error": repr(e)})
                raise
            if commit:
                committed.extend(range(lo, hi))
            out.step(step, True, {"records": hi - lo, "ms": int((time.monotonic() - start) * 1000)})
        rc = driver.consume("read_committed", len(committed), time.monotonic() + 60)
        out.step("consume_read_committed", True, {"records": len(rc)})
        ru = driver.consume("read_uncommitted", n, time.monotonic() + 60)
        out.step("consume_read_uncommitted", True, {"records": len(ru)})
        for name, reads, expected in (("check_read_committed", rc, committed), ("check_read_uncommitted", ru, list(range(n)))):
            problems = compare(reads, expected)
            out.step(name, not problems, _detail(problems, {"read": len(reads), "expected": len(expected)}))
        leaked = [v for v in rc + ru if index_of(v) < 0]
        out.step("check_no_control_records", not leaked, _detail([repr(v) for v in leaked], {}))
    except Exception as e:
        report_error(out, e)
    finally:
        clean_up(out, driver, args.topic, created)
    return 1 if out.failed else 0
