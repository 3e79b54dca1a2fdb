"""The interop scenario (../SCENARIO.md), shared by confluent_interop.py and kafka_python_interop.py.

A program supplies a driver; this module makes the records, runs the steps in order, checks what was
read back and prints one JSON line per step.

Driver interface:
    info: dict(library=..., version=...)
    unsupported_codecs: dict codec -> reason
    create_topic(topic, partitions)
    produce(codec, records) -> dict index -> (partition, offset)   (may be empty)
    consume(n, deadline) -> (step_name, unsupported_or_None, reads)
    list_offsets(spec) -> dict partition -> offset; spec is "earliest", "latest" or an int timestamp
    delete_topic(topic)
    close()
A read is a Read(partition, offset, key, value, headers [(k, v)], timestamp).
"""
import argparse
import json
import sys
import time
import traceback
from collections import namedtuple

PARTITIONS = 3
KEYS = 16
PAD = "abcdefghijklmnopqrstuvwxyz0123456789" * 2
ALL_CODECS = ["none", "gzip", "snappy", "lz4", "zstd"]

Read = namedtuple("Read", "partition offset key value headers timestamp")
Record = namedtuple("Record", "index key value headers timestamp")


def parse_args(client):
    p = argparse.ArgumentParser(prog=client, description="minikafka interop scenario")
    p.add_argument("--bootstrap", required=True)
    p.add_argument("--topic", required=True)
    p.add_argument("--records", type=int, default=10000)
    p.add_argument("--codecs", default=",".join(ALL_CODECS))
    a = p.parse_args()
    a.codecs = a.codecs.split(",")
    return a


def key(i):
    return "k%d" % (i % KEYS)


def value(i, codec):
    return "v%d|%s|%s" % (i, codec, PAD)


def make_records(n, codecs, t0):
    slices = []
    for c, codec in enumerate(codecs):
        lo, hi = n * c // len(codecs), n * (c + 1) // len(codecs)
        slices.append((codec, [Record(i, key(i), value(i, codec), [("idx", str(i)), ("codec", codec)], t0 + i)
                               for i in range(lo, hi)]))
    return slices


def s(b):
    return None if b is None else (b.decode() if isinstance(b, (bytes, bytearray)) else str(b))


class Runner:
    def __init__(self, client):
        self.client = client
        self.failed = False

    def step(self, name, ok, detail):
        if not ok:
            self.failed = True
        print(json.dumps({"client": self.client, "step": name, "ok": ok, "detail": detail}), flush=True)

    def unsupported(self, name, reason):
        print(json.dumps({"client": self.client, "step": name, "ok": False, "unsupported": True, "reason": reason}),
              flush=True)


def _detail(problems, extra):
    if problems:
        extra = dict(extra, problems=len(problems), first=problems[:10])
    return extra


def _index(r):
    for k, v in r.headers:
        if k == "idx":
            return int(v) if v is not None and v.isdigit() else None
    return None


def run(client, driver, args):
    n = args.records
    t0 = (int(time.time()) * 1000) - 600_000
    out = Runner(client)
    out.step("client_info", True, driver.info)
    created = False
    try:
        driver.create_topic(args.topic, PARTITIONS)
        created = True
        out.step("create_topic", True, {"topic": args.topic, "partitions": PARTITIONS})

        acks, produced = {}, {}
        for codec, records in make_records(n, args.codecs, t0):
            reason = driver.unsupported_codecs.get(codec)
            if reason:
                out.unsupported("produce_" + codec, reason)
                continue
            start = time.monotonic()
            acks.update(driver.produce(codec, records))
            for r in records:
                produced[r.index] = codec
            out.step("produce_" + codec, True, {"records": len(records), "ms": int((time.monotonic() - start) * 1000)})

        start = time.monotonic()
        step_name, unsupported, reads = driver.consume(len(produced), time.monotonic() + 60)
        if unsupported:
            out.unsupported(*unsupported)
        out.step(step_name, len(reads) == len(produced),
                 {"records": len(reads), "expected": len(produced), "ms": int((time.monotonic() - start) * 1000)})

        by_partition = _checks(out, reads, produced, t0, acks)
        _offset_checks(out, driver, by_partition, n, t0)
    except Exception as e:  # report, clean up, fail
        report_error(out, e)
    finally:
        clean_up(out, driver, args.topic, created)
    return 1 if out.failed else 0



def report_error(out, e):
    """Reports an exception as the "error" step, with its trace on stderr."""
    out.step("error", False, {"error": "".join(traceback.format_exception_only(type(e), e)).strip()})
    traceback.print_exc(file=sys.stderr)


def clean_up(out, driver, topic, created):
    """Deletes the scenario's topic when it was created (a step of its own), then closes the driver."""
    if created:
        try:
            driver.delete_topic(topic)
            out.step("delete_topic", True, {"topic": topic})
        except Exception as e:
            out.step("delete_topic", False, {"error": repr(e)})
    try:
        driver.close()
    except Exception as e:
        print("close: %r" % (e,), file=sys.stderr)

def _checks(out, reads, produced, t0, acks):
    problems, seen = [], set()
    for r in reads:
        i = _index(r)
        if i is None or i not in produced:
            problems.append("bad idx header at p%d@%d" % (r.partition, r.offset))
            continue
        if i in seen:
            problems.append("record %d read twice" % i)
            continue
        seen.add(i)
        codec = produced[i]
        if r.key != key(i):
            problems.append("record %d: key %r" % (i, r.key))
        if r.value != value(i, codec):
            problems.append("record %d: value %r" % (i, r.value))
        if [h[0] for h in r.headers] != ["idx", "codec"] or r.headers[1][1] != codec:
            problems.append("record %d: headers %r" % (i, r.headers))
        if r.timestamp != t0 + i:
            problems.append("record %d: timestamp %r != %d" % (i, r.timestamp, t0 + i))
    for i in produced:
        if len(problems) >= 20:
            break
        if i not in seen:
            problems.append("record %d missing" % i)
    out.step("check_content", not problems, _detail(problems, {"records": len(reads)}))

    problems = []
    by_partition = {p: [] for p in range(PARTITIONS)}
    for r in reads:
        by_partition.setdefault(r.partition, []).append(r)
    for p, lst in by_partition.items():
        lst.sort(key=lambda r: r.offset)
        expect, last = 0, -1
        for r in lst:
            if r.offset != expect:
                problems.append("p%d: offset %d where %d expected" % (p, r.offset, expect))
            expect = r.offset + 1
            i = _index(r)
            if i is not None and i <= last:
                problems.append("p%d: record %d after %d" % (p, i, last))
            if i is not None:
                last = i
    out.step("check_order", not problems,
             _detail(problems, {"perPartition": {str(p): len(l) for p, l in sorted(by_partition.items())}}))

    problems, key_partition = [], {}
    for r in reads:
        prev = key_partition.setdefault(r.key, r.partition)
        if prev != r.partition:
            problems.append("key %s on p%d and p%d" % (r.key, prev, r.partition))
        a = acks.get(_index(r))
        if a is not None and tuple(a) != (r.partition, r.offset):
            problems.append("record %s acked at p%d@%d, read at p%d@%d" % (_index(r), a[0], a[1], r.partition, r.offset))
    out.step("check_key_partition", not problems, _detail(problems, {"keys": len(key_partition), "acks": len(acks)}))
    return by_partition


def _offset_checks(out, driver, by_partition, n, t0):
    earliest = driver.list_offsets("earliest")
    problems = ["p%d: earliest %r" % (p, earliest.get(p)) for p in range(PARTITIONS) if earliest.get(p) != 0]
    out.step("list_offsets_earliest", not problems, _detail(problems, {"offsets": _j(earliest)}))

    latest = driver.list_offsets("latest")
    problems = ["p%d: latest %r, expected %d" % (p, latest.get(p), len(by_partition[p]))
                for p in range(PARTITIONS) if latest.get(p) != len(by_partition[p])]
    out.step("list_offsets_latest", not problems, _detail(problems, {"offsets": _j(latest)}))

    problems, seen = [], {}
    for target in (t0, t0 + n // 2, t0 + n + 1000):
        got = driver.list_offsets(target)
        seen[str(target - t0)] = _j(got)
        for p in range(PARTITIONS):
            hit = next((r for r in by_partition[p] if r.timestamp >= target), None)
            expected = hit.offset if hit else -1
            actual = got.get(p)
            if not (actual == expected or (expected == -1 and actual == latest.get(p))):
                problems.append("T0+%d p%d: %r, expected %d" % (target - t0, p, actual, expected))
    out.step("list_offsets_timestamp", not problems, _detail(problems, {"offsets": seen}))


def _j(m):
    return {str(k): v for k, v in sorted(m.items())}
