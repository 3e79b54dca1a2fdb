"""librdkafka's admin API (confluent-kafka-python) on the APIs issue 11 added, step by step.

Each step prints one JSON line {"step": ..., ...}: what librdkafka handed back (results, error
names, the broker's messages as librdkafka passes them on), normalized so that two brokers can be
compared strictly: the cluster id, topic ids and the bootstrap address are masked, configs are
reduced to the few entries a step is about. test/interop/admin-librdkafka.test.ts compares the
lines with what this program printed against Apache Kafka 4.4 (admin-librdkafka.kafka-4.4.jsonl,
re-recorded by scripts/record-kafka-answers.mjs).

Also the group calls (ListGroups by type and state, ConsumerGroupDescribe of a KIP-848 group, offsets)
and DeleteRecords.

What librdkafka does not expose at all (no call in rd_kafka_admin / confluent-kafka 2.16): client
quotas, partition reassignments, DescribeQuorum and the raft voter APIs, features
(Describe/UpdateFeatures), client-metrics config resources (ResourceType stops at
TRANSACTIONAL_ID) and delegation tokens.

Usage: admin_apis.py --bootstrap HOST:PORT --topic NAME [--settle-ms N]
  --settle-ms: Kafka applies config changes and topic creation through its metadata log; the
  program waits that long after a change before it describes again (minikafka: 0).
"""

import argparse
import json
import re
import sys
import time

from confluent_kafka import (
    Consumer, ConsumerGroupState, ConsumerGroupTopicPartitions, ConsumerGroupType, ElectionType, IsolationLevel, KafkaError,
    KafkaException, Producer, TopicCollection, TopicPartition)
from confluent_kafka.admin import (
    AclBinding, AclBindingFilter, AclOperation, AclPermissionType, AdminClient, AlterConfigOpType, ConfigEntry,
    ConfigResource, ConfigSource, NewTopic, OffsetSpec, ResourcePatternType, ResourceType, ScramCredentialInfo, ScramMechanism,
    UserScramCredentialDeletion, UserScramCredentialUpsertion)

TIMEOUT = 30
# Fixed record timestamps, so that ListOffsets' answers do not depend on the clock.
TIMESTAMPS = [1700000000000, 1700000005000, 1700000002000]

args = None
masks = []


def mask(text):
    for real, name in masks:
        if real:
            text = text.replace(real, name)
    return text


def emit(step, **fields):
    print(mask(json.dumps(dict(step=step, **fields), sort_keys=False)), flush=True)


def error_of(e):
    """A KafkaError (or an exception carrying one) as [name, message, retriable]."""
    if isinstance(e, KafkaException) and e.args and isinstance(e.args[0], KafkaError):
        e = e.args[0]
    if isinstance(e, KafkaError):
        return [e.name(), e.str()]
    return [type(e).__name__, str(e)]


def outcome(fn):
    """{"ok": result} or {"error": [name, message]}: a call's result or what it raised."""
    try:
        return {"ok": fn()}
    except (KafkaException, ValueError, TypeError) as e:
        return {"error": error_of(e)}


def futures(fs, key, value):
    """A dict of futures as sorted [key, {"ok"|"error"}] pairs."""
    return sorted(([key(k), outcome(lambda f=f: value(f.result(TIMEOUT)))] for k, f in fs.items()), key=lambda kv: mask(str(kv[0])))


def submit(step, call):
    """The futures `call` returns, or None after printing the step as refused by the client itself."""
    try:
        return call()
    except (KafkaException, ValueError, TypeError) as e:
        emit(step, refused=error_of(e))
        return None


def settle():
    if args.settle_ms > 0:
        time.sleep(args.settle_ms / 1000)


# ---- SCRAM credentials (DescribeUserScramCredentials, AlterUserScramCredentials) ----

def scram_description(d):
    return sorted([i.mechanism.name, i.iterations] for i in d.scram_credential_infos)


def describe_scram(admin, step, users):
    if users is None:
        emit(step, result=outcome(lambda: sorted(
            [u, scram_description(d)] for u, d in admin.describe_user_scram_credentials().result(TIMEOUT).items())))
    else:
        fs = submit(step, lambda: admin.describe_user_scram_credentials(users))
        if fs is not None:
            emit(step, results=futures(fs, str, scram_description))


def alter_scram(admin, step, alterations):
    fs = submit(step, lambda: admin.alter_user_scram_credentials(alterations))
    if fs is not None:
        emit(step, results=futures(fs, str, lambda r: r))


def scram_steps(admin):
    describe_scram(admin, "scram describe all, none yet", None)
    describe_scram(admin, "scram describe an unknown user", ["nobody"])
    alter_scram(admin, "scram upsert SHA-256 and SHA-512 of one user in one request", [
        UserScramCredentialUpsertion("alice", ScramCredentialInfo(ScramMechanism.SCRAM_SHA_256, 8192), b"alice-secret", b"salt-256"),
        UserScramCredentialUpsertion("alice", ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 4096), b"alice-secret"),
    ])
    alter_scram(admin, "scram upsert SHA-256 with a salt", [
        UserScramCredentialUpsertion("alice", ScramCredentialInfo(ScramMechanism.SCRAM_SHA_256, 8192), b"alice-secret", b"salt-256")])
    alter_scram(admin, "scram upsert SHA-512, minimum iterations", [
        UserScramCredentialUpsertion("alice", ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 4096), b"alice-secret")])
    alter_scram(admin, "scram upsert, too few iterations", [
        UserScramCredentialUpsertion("bob", ScramCredentialInfo(ScramMechanism.SCRAM_SHA_256, 1000), b"bob-secret")])
    alter_scram(admin, "scram upsert, too many iterations", [
        UserScramCredentialUpsertion("bob", ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 20000), b"bob-secret")])
    alter_scram(admin, "scram upsert, unknown mechanism", [
        UserScramCredentialUpsertion("bob", ScramCredentialInfo(ScramMechanism.UNKNOWN, 8192), b"bob-secret")])
    alter_scram(admin, "scram upsert, empty user name", [
        UserScramCredentialUpsertion("", ScramCredentialInfo(ScramMechanism.SCRAM_SHA_256, 8192), b"x")])
    alter_scram(admin, "scram delete, unknown user", [UserScramCredentialDeletion("nobody", ScramMechanism.SCRAM_SHA_256)])
    alter_scram(admin, "scram delete, unknown mechanism", [UserScramCredentialDeletion("alice", ScramMechanism.UNKNOWN)])
    alter_scram(admin, "scram upsert and delete a new user at once", [
        UserScramCredentialUpsertion("carol", ScramCredentialInfo(ScramMechanism.SCRAM_SHA_256, 4096), b"c"),
        UserScramCredentialDeletion("carol", ScramMechanism.SCRAM_SHA_512)])
    alter_scram(admin, "scram upsert and delete an existing user at once", [
        UserScramCredentialUpsertion("alice", ScramCredentialInfo(ScramMechanism.SCRAM_SHA_256, 4096), b"c"),
        UserScramCredentialDeletion("alice", ScramMechanism.SCRAM_SHA_512)])
    alter_scram(admin, "scram good and bad users in one request", [
        UserScramCredentialUpsertion("dave", ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 16384), b"d"),
        UserScramCredentialDeletion("erin", ScramMechanism.SCRAM_SHA_256)])
    settle()
    describe_scram(admin, "scram describe all", None)
    describe_scram(admin, "scram describe alice and an unknown user", ["alice", "nobody"])
    describe_scram(admin, "scram describe an empty name", [""])
    alter_scram(admin, "scram delete alice SHA-256", [UserScramCredentialDeletion("alice", ScramMechanism.SCRAM_SHA_256)])
    settle()
    describe_scram(admin, "scram describe alice after the delete", ["alice"])


# ---- ElectLeaders ----

def elect(admin, step, election_type, partitions):
    def run():
        r = admin.elect_leaders(election_type, partitions).result(TIMEOUT)
        return sorted(([f"{tp.topic}-{tp.partition}", error_of(e) if e is not None else None] for tp, e in r.items()), key=lambda kv: mask(kv[0]))
    emit(step, result=outcome(run))


def election_steps(admin, topic):
    elect(admin, "elect preferred, both partitions", ElectionType.PREFERRED, [TopicPartition(topic, 0), TopicPartition(topic, 1)])
    elect(admin, "elect unclean, partition 0", ElectionType.UNCLEAN, [TopicPartition(topic, 0)])
    elect(admin, "elect preferred, an unknown partition and topic", ElectionType.PREFERRED,
          [TopicPartition(topic, 7), TopicPartition("no-such-topic", 0)])
    elect(admin, "elect preferred, the same partition twice", ElectionType.PREFERRED, [TopicPartition(topic, 0), TopicPartition(topic, 0)])
    elect(admin, "elect preferred, an empty list", ElectionType.PREFERRED, [])


# ---- configs: BROKER, TOPIC, GROUP (librdkafka has no client-metrics resource type) ----

def entry(e):
    return [e.name, e.value, ConfigSource(e.source).name, e.is_read_only, e.is_sensitive,
            [[s.name, s.value, ConfigSource(s.source).name] for s in e.synonyms.values()]]


def describe_configs(admin, step, restype, name, names):
    fs = submit(step, lambda: admin.describe_configs([ConfigResource(restype, name)]))
    if fs is not None:
        emit(step, results=futures(fs, lambda r: [r.restype.name, r.name],
                                   lambda cfg: [entry(cfg[n]) if n in cfg else ["MISSING", n] for n in names]))


def alter_configs(admin, step, restype, name, entries):
    fs = submit(step, lambda: admin.incremental_alter_configs([ConfigResource(restype, name, incremental_configs=entries)]))
    if fs is not None:
        emit(step, results=futures(fs, lambda r: [r.restype.name, r.name], lambda r: None))


def config_steps(admin, topic):
    topic_names = ["retention.ms", "cleanup.policy", "max.message.bytes"]
    broker_names = ["log.retention.ms", "num.partitions", "log.cleaner.threads"]
    group_names = ["consumer.session.timeout.ms", "consumer.heartbeat.interval.ms", "share.auto.offset.reset"]
    describe_configs(admin, "configs describe the topic", ResourceType.TOPIC, topic, topic_names)
    describe_configs(admin, "configs describe broker 1", ResourceType.BROKER, "1", broker_names)
    describe_configs(admin, "configs describe the cluster default", ResourceType.BROKER, "", broker_names)
    describe_configs(admin, "configs describe a group", ResourceType.GROUP, "cfg-group", group_names)
    describe_configs(admin, "configs describe an unknown topic", ResourceType.TOPIC, "no-such-topic", topic_names)
    # (A BROKER resource goes to that broker: librdkafka waits for an unknown one until its timeout.)
    describe_configs(admin, "configs describe a transactional id", ResourceType.TRANSACTIONAL_ID, "tx", [])
    set_ = AlterConfigOpType.SET
    alter_configs(admin, "configs set retention.ms, append cleanup.policy", ResourceType.TOPIC, topic, [
        ConfigEntry("retention.ms", "123456", incremental_operation=set_),
        ConfigEntry("cleanup.policy", "compact", incremental_operation=AlterConfigOpType.APPEND)])
    single_sets = [
        ("configs set an unknown topic config", ResourceType.TOPIC, topic, "retention.msx", "1"),
        ("configs set a bad value", ResourceType.TOPIC, topic, "retention.ms", "abc"),
        ("configs set on an unknown topic", ResourceType.TOPIC, "no-such-topic", "retention.ms", "1"),
        ("configs set log.cleaner.threads on broker 1", ResourceType.BROKER, "1", "log.cleaner.threads", "2"),
        ("configs set a read-only broker config", ResourceType.BROKER, "1", "num.partitions", "3"),
        ("configs set a group's session timeout", ResourceType.GROUP, "cfg-group", "consumer.session.timeout.ms", "50000"),
        ("configs set a group session timeout out of range", ResourceType.GROUP, "cfg-group", "consumer.session.timeout.ms", "5"),
        ("configs set an unknown group config", ResourceType.GROUP, "cfg-group", "consumer.nope", "5"),
    ]
    for step, restype, name, key, value in single_sets:
        alter_configs(admin, step, restype, name, [ConfigEntry(key, value, incremental_operation=set_)])
    settle()
    describe_configs(admin, "configs describe the topic after the changes", ResourceType.TOPIC, topic, topic_names)
    describe_configs(admin, "configs describe broker 1 after the change", ResourceType.BROKER, "1", broker_names)
    describe_configs(admin, "configs describe the group after the change", ResourceType.GROUP, "cfg-group", group_names)
    alter_configs(admin, "configs delete the topic's retention.ms", ResourceType.TOPIC, topic, [
        ConfigEntry("retention.ms", None, incremental_operation=AlterConfigOpType.DELETE)])
    alter_configs(admin, "configs delete broker 1's log.cleaner.threads", ResourceType.BROKER, "1", [
        ConfigEntry("log.cleaner.threads", None, incremental_operation=AlterConfigOpType.DELETE)])


# ---- groups: offsets, listing by type and state, describing (ConsumerGroupDescribe), deleting ----

GROUP_PREFIX = "admin-apis-"


def group_description(d):
    return {
        "group_id": d.group_id, "is_simple": d.is_simple_consumer_group, "state": d.state.name, "type": d.type.name,
        "partition_assignor": d.partition_assignor, "coordinator": d.coordinator.id,
        "members": sorted([m.client_id, m.host, m.group_instance_id,
                           sorted(f"{tp.topic}-{tp.partition}" for tp in m.assignment.topic_partitions),
                           sorted(f"{tp.topic}-{tp.partition}" for tp in m.target_assignment.topic_partitions)
                           if m.target_assignment is not None else None] for m in d.members),
        "authorized_operations": sorted(o.name for o in d.authorized_operations) if d.authorized_operations is not None else None,
    }


def list_groups(admin, step, **kwargs):
    def run():
        r = admin.list_consumer_groups(**kwargs).result(TIMEOUT)
        ours = [g for g in r.valid if g.group_id.startswith(GROUP_PREFIX)]
        return {"valid": sorted([g.group_id, g.is_simple_consumer_group, g.state.name, g.type.name] for g in ours),
                "errors": [error_of(e) for e in r.errors]}
    emit(step, result=outcome(run))


def join_consumer_group(topic, group):
    """A KIP-848 member (group.protocol=consumer) that polls until it owns both partitions."""
    c = Consumer({"bootstrap.servers": args.bootstrap, "group.id": group, "group.protocol": "consumer",
                  "client.id": "admin-apis-member", "enable.auto.commit": False})
    c.subscribe([topic])
    deadline = time.time() + 60
    while len(c.assignment()) < 2:
        if time.time() > deadline:
            raise SystemExit(f"the consumer of {group} got no assignment")
        c.poll(0.2)
    return c


def await_group_coordinator(admin, topic):
    """A fresh Kafka creates __consumer_offsets on the first group request and answers
    NOT_COORDINATOR until it is loaded: wait for that with a group of our own (not listed below)."""
    deadline = time.time() + 120
    while True:
        warm = ConsumerGroupTopicPartitions("warm-up-admin-apis", [TopicPartition(topic, 0, 0)])
        r = admin.alter_consumer_group_offsets([warm])["warm-up-admin-apis"].result(TIMEOUT)
        if all(tp.error is None for tp in r.topic_partitions):
            return
        if time.time() > deadline:
            raise SystemExit(f"the group coordinator did not load: {r.topic_partitions}")
        time.sleep(0.2)


def group_steps(admin, topic):
    await_group_coordinator(admin, topic)
    simple, member_group, unknown = GROUP_PREFIX + "simple", GROUP_PREFIX + "848", GROUP_PREFIX + "none"
    commit = ConsumerGroupTopicPartitions(simple, [TopicPartition(topic, 0, 2), TopicPartition(topic, 1, 0)])
    emit("groups alter offsets of a new simple group", results=futures(
        admin.alter_consumer_group_offsets([commit]), str,
        lambda r: sorted([f"{tp.topic}-{tp.partition}", tp.offset, error_of(tp.error) if tp.error else None] for tp in r.topic_partitions)))
    emit("groups list offsets", results=futures(
        admin.list_consumer_group_offsets([ConsumerGroupTopicPartitions(simple)]), str,
        lambda r: sorted([f"{tp.topic}-{tp.partition}", tp.offset, error_of(tp.error) if tp.error else None] for tp in r.topic_partitions)))
    consumer = join_consumer_group(topic, member_group)
    try:
        emit("groups a consumer-protocol member joined", ok=True)
        list_groups(admin, "groups list all")
        list_groups(admin, "groups list type consumer", types={ConsumerGroupType.CONSUMER})
        list_groups(admin, "groups list type classic", types={ConsumerGroupType.CLASSIC})
        list_groups(admin, "groups list state empty", states={ConsumerGroupState.EMPTY})
        for ops in (False, True):
            fs = admin.describe_consumer_groups([simple, member_group, unknown], include_authorized_operations=ops)
            emit(f"groups describe, authorized operations {ops}", results=futures(fs, str, group_description))
        emit("groups delete a group with a member", results=futures(admin.delete_consumer_groups([member_group]), str, lambda r: r))
    finally:
        consumer.close()
    emit("groups delete", results=futures(admin.delete_consumer_groups([simple, unknown]), str, lambda r: r))


def delete_records_steps(admin, topic):
    def value(r):
        return [r.low_watermark]
    emit("delete records before offset 1", results=futures(admin.delete_records([TopicPartition(topic, 0, 1)]), lambda tp: f"{tp.topic}-{tp.partition}", value))
    emit("delete records beyond the end", results=futures(admin.delete_records([TopicPartition(topic, 0, 10)]), lambda tp: f"{tp.topic}-{tp.partition}", value))
    emit("delete records, an unknown partition", results=futures(admin.delete_records([TopicPartition(topic, 9, 0)]), lambda tp: f"{tp.topic}-{tp.partition}", value))
    list_offsets(admin, "list offsets earliest after the delete", {TopicPartition(topic, 0): OffsetSpec.earliest()})


# ---- ListOffsets, DescribeTopics, DescribeCluster ----

def list_offsets(admin, step, requests, **kwargs):
    def value(r):
        return [r.offset, r.timestamp, r.leader_epoch]
    emit(step, results=futures(admin.list_offsets(requests, **kwargs), lambda tp: f"{tp.topic}-{tp.partition}", value))


def offset_steps(admin, topic):
    p0 = TopicPartition(topic, 0)
    list_offsets(admin, "list offsets earliest", {p0: OffsetSpec.earliest()})
    list_offsets(admin, "list offsets latest", {p0: OffsetSpec.latest()})
    list_offsets(admin, "list offsets max timestamp", {p0: OffsetSpec.max_timestamp()})
    list_offsets(admin, "list offsets for a timestamp", {p0: OffsetSpec.for_timestamp(TIMESTAMPS[2])})
    list_offsets(admin, "list offsets for a timestamp after the last", {p0: OffsetSpec.for_timestamp(TIMESTAMPS[1] + 1)})
    list_offsets(admin, "list offsets read committed, partition 1", {TopicPartition(topic, 1): OffsetSpec.latest()},
                 isolation_level=IsolationLevel.READ_COMMITTED)
    list_offsets(admin, "list offsets, an unknown partition", {TopicPartition(topic, 9): OffsetSpec.latest()})


def topic_description(d):
    return {
        "name": d.name, "is_internal": d.is_internal,
        "partitions": [[p.id, p.leader.id, [r.id for r in p.replicas], [r.id for r in p.isr]] for p in d.partitions],
        "authorized_operations": sorted(o.name for o in d.authorized_operations) if d.authorized_operations is not None else None,
    }


def topic_steps(admin, topic):
    for ops in (False, True):
        fs = admin.describe_topics(TopicCollection([topic, "no-such-topic"]), include_authorized_operations=ops)
        emit(f"describe topics, authorized operations {ops}", results=futures(fs, str, topic_description))


def cluster_steps(admin):
    for ops in (False, True):
        def run():
            c = admin.describe_cluster(include_authorized_operations=ops).result(TIMEOUT)
            masks.append((c.cluster_id, "CLUSTER"))
            return {
                "cluster_id": c.cluster_id, "controller": c.controller.id,
                "nodes": [[n.id, n.host, n.port, n.rack] for n in c.nodes],
                "authorized_operations": sorted(o.name for o in c.authorized_operations) if c.authorized_operations is not None else None,
            }
        emit(f"describe cluster, authorized operations {ops}", result=outcome(run))


# ---- ACLs without an authorizer ----

def acl_steps(admin, topic):
    binding = AclBinding(ResourceType.TOPIC, topic, ResourcePatternType.LITERAL, "User:alice", "*", AclOperation.READ, AclPermissionType.ALLOW)
    emit("acls create, no authorizer", results=futures(admin.create_acls([binding]), str, lambda r: r))
    match_any = AclBindingFilter(ResourceType.ANY, None, ResourcePatternType.ANY, None, None, AclOperation.ANY, AclPermissionType.ANY)
    emit("acls describe, no authorizer", result=outcome(lambda: [str(b) for b in admin.describe_acls(match_any).result(TIMEOUT)]))
    emit("acls delete, no authorizer", results=futures(admin.delete_acls([match_any]), str, lambda r: [str(b) for b in r]))


def produce(topic):
    p = Producer({"bootstrap.servers": args.bootstrap, "linger.ms": 0})
    failures = []
    for ts in TIMESTAMPS:
        p.produce(topic, b"v", partition=0, timestamp=ts, on_delivery=lambda err, msg: err and failures.append(err))
    if p.flush(TIMEOUT) != 0 or failures:
        raise SystemExit(f"produce failed: {failures}")
    emit("produce three records to partition 0", ok=True)


def main():
    global args
    parser = argparse.ArgumentParser()
    parser.add_argument("--bootstrap", required=True)
    parser.add_argument("--topic", required=True)
    parser.add_argument("--settle-ms", type=int, default=0)
    args = parser.parse_args()
    masks.append((args.topic, "TOPIC"))
    masks.append((args.bootstrap, "BOOTSTRAP"))
    host, port = args.bootstrap.rsplit(":", 1)
    masks.append((f'"{host}", {port}', '"HOST", "PORT"'))
    admin = AdminClient({"bootstrap.servers": args.bootstrap, "client.id": "admin-apis"})
    cluster_steps(admin)
    emit("create the topic", results=futures(admin.create_topics([NewTopic(args.topic, 2, 1)]), str, lambda r: r))
    settle()
    produce(args.topic)
    scram_steps(admin)
    election_steps(admin, args.topic)
    # Before the config steps: those set a retention.ms that deletes the records of fixed old timestamps.
    offset_steps(admin, args.topic)
    group_steps(admin, args.topic)
    delete_records_steps(admin, args.topic)
    config_steps(admin, args.topic)
    topic_steps(admin, args.topic)
    acl_steps(admin, args.topic)
    emit("done", ok=True)


if __name__ == "__main__":
    main()
