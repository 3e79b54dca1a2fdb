// Command kadm-apis runs the cluster admin APIs through franz-go's kadm for
// test/interop/admin-clients.test.ts: client quotas, SCRAM credentials, partition reassignments,
// leader elections, the metadata quorum, features and client metrics resources, each with the error
// cases Kafka answers. It runs the steps of the Java program AdminApis.java (same names), plus the
// cases kadm refuses itself, which it also sends as raw kmsg requests through the same client so
// that the broker's own answer is compared too. kadm has no helper for DescribeQuorum or for configs
// of client metrics resources: those steps use kmsg through kadm's client.
//
// Prints one JSON line per step: {"step":NAME,"ok":true,"result":...} or
// {"step":NAME,"ok":false,"error":TEXT}; per-item results (one per entity, user or partition) are
// maps with "ok" or the error text (kerr's "CODE_NAME: description", then " | " and the broker's
// message when it sent one). Values that differ between runs (the quorum's offsets, timestamps and
// directory ids, ports, the features epoch) are left out or reduced to whether they are set.
//
//	kadm-apis --bootstrap B --topic T [--settle-ms N]
//
// --settle-ms waits after each change: Apache Kafka applies quotas, credentials and configs through
// its metadata log, so a describe right after an alter may not see them yet there.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
)

var (
	adm    *kadm.Client
	cl     *kgo.Client
	settle time.Duration
)

func main() {
	bootstrap := flag.String("bootstrap", "", "")
	topic := flag.String("topic", "", "")
	settleMs := flag.Int("settle-ms", 0, "")
	flag.Parse()
	settle = time.Duration(*settleMs) * time.Millisecond
	var err error
	cl, err = kgo.NewClient(kgo.SeedBrokers(*bootstrap), kgo.ClientID("interop-kadm-apis"), kgo.RequestTimeoutOverhead(15*time.Second))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	defer cl.Close()
	adm = kadm.NewClient(cl)

	quotas()
	scram()
	step("create_topic", func(ctx context.Context) (any, error) {
		r, err := adm.CreateTopic(ctx, 3, 1, nil, *topic)
		if err == nil {
			err = r.Err
		}
		wait()
		return nil, err
	})
	reassignments(*topic)
	elections(*topic)
	quorum()
	features()
	clientMetrics()
	step("delete_topic", func(ctx context.Context) (any, error) {
		r, err := adm.DeleteTopic(ctx, *topic)
		if err == nil {
			err = r.Err
		}
		return nil, err
	})
}

// ---- client quotas ----

func str(s string) *string { return &s }

// entity builds a quota entity from type/name pairs; a nil name is the type's default.
func entity(kv ...any) kadm.ClientQuotaEntity {
	var e kadm.ClientQuotaEntity
	for i := 0; i < len(kv); i += 2 {
		c := kadm.ClientQuotaEntityComponent{Type: kv[i].(string)}
		if kv[i+1] != nil {
			c.Name = str(kv[i+1].(string))
		}
		e = append(e, c)
	}
	return e
}

// name is an entity as its sorted "type=name" components, the default named "<default>" (as the Java program).
func name(e kadm.ClientQuotaEntity) string {
	var parts []string
	for _, c := range e {
		n := "<default>"
		if c.Name != nil {
			n = *c.Name
		}
		parts = append(parts, c.Type+"="+n)
	}
	sort.Strings(parts)
	return strings.Join(parts, ",")
}

func set(e kadm.ClientQuotaEntity, key string, value float64) kadm.AlterClientQuotaEntry {
	return kadm.AlterClientQuotaEntry{Entity: e, Ops: []kadm.AlterClientQuotaOp{{Key: key, Value: value}}}
}

func remove(e kadm.ClientQuotaEntity, key string) kadm.AlterClientQuotaEntry {
	return kadm.AlterClientQuotaEntry{Entity: e, Ops: []kadm.AlterClientQuotaOp{{Key: key, Remove: true}}}
}

func alterQuotas(name_ string, validateOnly bool, entries ...kadm.AlterClientQuotaEntry) {
	step(name_, func(ctx context.Context) (any, error) {
		alter := adm.AlterClientQuotas
		if validateOnly {
			alter = adm.ValidateAlterClientQuotas
		}
		rs, err := alter(ctx, entries)
		if err != nil {
			return nil, err
		}
		out := map[string]any{}
		for _, r := range rs {
			// Kafka answers once per distinct entity: a second answer for one would show as NAME#2.
			n := name(r.Entity)
			for i := 2; out[n] != nil; i++ {
				n = fmt.Sprintf("%s#%d", name(r.Entity), i)
			}
			out[n] = outcome(r.Err, r.ErrMessage)
		}
		if !validateOnly {
			wait()
		}
		return out, nil
	})
}

func exact(typ, n string) kadm.DescribeClientQuotaComponent {
	return kadm.DescribeClientQuotaComponent{Type: typ, MatchName: str(n), MatchType: 0}
}

func defaultOf(typ string) kadm.DescribeClientQuotaComponent {
	return kadm.DescribeClientQuotaComponent{Type: typ, MatchType: 1}
}

func anyOf(typ string) kadm.DescribeClientQuotaComponent {
	return kadm.DescribeClientQuotaComponent{Type: typ, MatchType: 2}
}

func describeQuotas(name_ string, strict bool, components ...kadm.DescribeClientQuotaComponent) {
	step(name_, func(ctx context.Context) (any, error) {
		qs, err := adm.DescribeClientQuotas(ctx, strict, components)
		if err != nil {
			return nil, err
		}
		out := map[string]any{}
		for _, q := range qs {
			values := map[string]float64{}
			for _, v := range q.Values {
				values[v.Key] = v.Value
			}
			out[name(q.Entity)] = values
		}
		return out, nil
	})
}

func quotas() {
	const user, client, ip = "user", "client-id", "ip"
	alterQuotas("quotas_alter", false,
		set(entity(user, "alice"), "producer_byte_rate", 1024),
		set(entity(client, "app"), "consumer_byte_rate", 2048),
		set(entity(user, "alice", client, "app"), "request_percentage", 50),
		set(entity(user, nil), "producer_byte_rate", 4096),
		set(entity(client, nil), "consumer_byte_rate", 8192),
		set(entity(ip, "127.0.0.1"), "connection_creation_rate", 10),
		set(entity(ip, nil), "connection_creation_rate", 20))
	describeQuotas("quotas_describe_all", false)
	describeQuotas("quotas_describe_user_alice", false, exact(user, "alice"))
	describeQuotas("quotas_describe_user_alice_strict", true, exact(user, "alice"))
	describeQuotas("quotas_describe_user_default", true, defaultOf(user))
	describeQuotas("quotas_describe_client_any", false, anyOf(client))
	describeQuotas("quotas_describe_ip_any", false, anyOf(ip))
	describeQuotas("quotas_describe_user_and_ip", false, anyOf(user), anyOf(ip))
	describeQuotas("quotas_describe_unknown_type", false, anyOf("group"))
	describeQuotas("quotas_describe_unknown_user", true, exact(user, "nobody"))
	describeQuotas("quotas_describe_exact_without_name", false, kadm.DescribeClientQuotaComponent{Type: user, MatchType: 0})
	describeQuotas("quotas_describe_unknown_match_type", false, kadm.DescribeClientQuotaComponent{Type: user, MatchType: 7})
	alterQuotas("quotas_alter_validate_only", true, set(entity(user, "carol"), "producer_byte_rate", 1))
	alterQuotas("quotas_alter_unknown_key", false, set(entity(user, "bob"), "foo_rate", 1))
	alterQuotas("quotas_alter_unknown_entity_type", false, set(entity("group", "g"), "producer_byte_rate", 1))
	alterQuotas("quotas_alter_ip_with_user", false, set(entity(user, "bob", ip, "127.0.0.1"), "connection_creation_rate", 1))
	alterQuotas("quotas_alter_ip_key_on_user", false, set(entity(user, "bob"), "connection_creation_rate", 1))
	alterQuotas("quotas_alter_user_key_on_ip", false, set(entity(ip, "127.0.0.1"), "producer_byte_rate", 1))
	alterQuotas("quotas_alter_bad_ip", false, set(entity(ip, "not an ip"), "connection_creation_rate", 1))
	alterQuotas("quotas_alter_negative", false, set(entity(user, "bob"), "producer_byte_rate", -5))
	alterQuotas("quotas_alter_fractional_rate", false, set(entity(user, "bob"), "producer_byte_rate", 1.5))
	alterQuotas("quotas_alter_same_type_twice", false, set(entity(user, "bob", user, "carol"), "producer_byte_rate", 1))
	alterQuotas("quotas_alter_empty_user", false, set(entity(user, ""), "producer_byte_rate", 1))
	alterQuotas("quotas_alter_hostname_ip", false, set(entity(ip, "localhost"), "connection_creation_rate", 5))
	alterQuotas("quotas_alter_mutation_rate", false, set(entity(user, "bob"), "controller_mutation_rate", 2.5))
	alterQuotas("quotas_alter_same_key_twice", false, kadm.AlterClientQuotaEntry{Entity: entity(user, "bob"),
		Ops: []kadm.AlterClientQuotaOp{{Key: "producer_byte_rate", Value: 1}, {Key: "producer_byte_rate", Value: 2}}})
	alterQuotas("quotas_alter_same_entity_twice", false, set(entity(user, "bob"), "producer_byte_rate", 3), set(entity(user, "bob"), "consumer_byte_rate", 3))
	alterQuotas("quotas_remove_absent", false, remove(entity(user, "zed"), "producer_byte_rate"))
	alterQuotas("quotas_alter_default_pair", false, set(entity(user, nil, client, nil), "request_percentage", 25))
	describeQuotas("quotas_describe_default_pair_strict", true, defaultOf(user), defaultOf(client))
	describeQuotas("quotas_describe_any_user_default_client", false, anyOf(user), defaultOf(client))
	describeQuotas("quotas_describe_user_default_and_client", false, defaultOf(user), anyOf(client))
	describeQuotas("quotas_describe_before_remove", false)
	alterQuotas("quotas_alter_empty_entity", false, set(entity(), "producer_byte_rate", 1))
	alterQuotas("quotas_remove", false,
		remove(entity(user, "alice"), "producer_byte_rate"),
		remove(entity(client, "app"), "consumer_byte_rate"),
		remove(entity(user, "alice", client, "app"), "request_percentage"),
		remove(entity(user, nil), "producer_byte_rate"),
		remove(entity(client, nil), "consumer_byte_rate"),
		remove(entity(ip, "127.0.0.1"), "connection_creation_rate"),
		remove(entity(ip, nil), "connection_creation_rate"),
		remove(entity(ip, "localhost"), "connection_creation_rate"),
		remove(entity(user, nil, client, nil), "request_percentage"),
		remove(entity(user, "carol"), "producer_byte_rate"),
		kadm.AlterClientQuotaEntry{Entity: entity(user, "bob"), Ops: []kadm.AlterClientQuotaOp{
			{Key: "controller_mutation_rate", Remove: true}, {Key: "producer_byte_rate", Remove: true}, {Key: "consumer_byte_rate", Remove: true}}})
	describeQuotas("quotas_describe_after_remove", false)
}

// ---- SCRAM credentials ----

func upsert(user string, m kadm.ScramMechanism, iterations int32) kadm.UpsertSCRAM {
	return kadm.UpsertSCRAM{User: user, Mechanism: m, Iterations: iterations, Password: "secret-" + user}
}

// salted is an upsert with a salt and salted password of its own, which kadm passes on unchecked:
// the broker then judges the iterations.
func salted(user string, m kadm.ScramMechanism, iterations int32) kadm.UpsertSCRAM {
	return kadm.UpsertSCRAM{User: user, Mechanism: m, Iterations: iterations, Salt: []byte("0123456789abcdef"), SaltedPassword: make([]byte, 32)}
}

func alterScram(name_ string, del []kadm.DeleteSCRAM, ups ...kadm.UpsertSCRAM) {
	step(name_, func(ctx context.Context) (any, error) {
		rs, err := adm.AlterUserSCRAMs(ctx, del, ups)
		if err != nil {
			return nil, err
		}
		out := map[string]any{}
		for u, r := range rs {
			out[u] = outcome(r.Err, r.ErrMessage)
		}
		wait()
		return out, nil
	})
}

// alterScramWire sends what kadm refuses to send (an unknown mechanism) as a kmsg request.
func alterScramWire(name_ string, req *kmsg.AlterUserSCRAMCredentialsRequest) {
	step(name_, func(ctx context.Context) (any, error) {
		resp, err := req.RequestWith(ctx, cl)
		if err != nil {
			return nil, err
		}
		out := map[string]any{}
		for _, r := range resp.Results {
			out[r.User] = outcome(kerr.ErrorForCode(r.ErrorCode), deref(r.ErrorMessage))
		}
		return out, nil
	})
}

func describeScram(name_ string, users ...string) {
	step(name_, func(ctx context.Context) (any, error) {
		rs, err := adm.DescribeUserSCRAMs(ctx, users...)
		if err != nil {
			return nil, err
		}
		out := map[string]any{}
		for u, r := range rs {
			if r.Err != nil {
				out[u] = outcome(r.Err, r.ErrMessage)
				continue
			}
			creds := map[string]int32{}
			for _, c := range r.CredInfos {
				creds[c.Mechanism.String()] = c.Iterations
			}
			out[u] = creds
		}
		return out, nil
	})
}

func scram() {
	sha256, sha512 := kadm.ScramSha256, kadm.ScramSha512
	del := func(user string, m kadm.ScramMechanism) []kadm.DeleteSCRAM {
		return []kadm.DeleteSCRAM{{User: user, Mechanism: m}}
	}
	alterScram("scram_upsert", nil, upsert("alice", sha256, 4096), upsert("bob", sha512, 4096))
	alterScram("scram_upsert_second_mechanism", nil, upsert("alice", sha512, 8192))
	alterScram("scram_upsert_same_user_twice", nil, upsert("erin", sha256, 4096), upsert("erin", sha512, 4096))
	describeScram("scram_describe_all")
	describeScram("scram_describe_alice_and_unknown", "alice", "nobody")
	describeScram("scram_describe_same_user_twice", "alice", "alice")
	alterScram("scram_overwrite_iterations", nil, upsert("bob", sha512, 10000))
	describeScram("scram_describe_bob", "bob")
	alterScram("scram_too_few_iterations", nil, upsert("carol", sha256, 1024))
	alterScram("scram_too_few_iterations_salted", nil, salted("carol", sha256, 1024))
	alterScram("scram_too_many_iterations", nil, upsert("carol", sha512, 20000))
	alterScram("scram_too_many_iterations_salted", nil, salted("carol", sha512, 20000))
	alterScram("scram_unknown_mechanism", nil, salted("carol", 0, 4096))
	wire := kmsg.NewPtrAlterUserSCRAMCredentialsRequest()
	u := kmsg.NewAlterUserSCRAMCredentialsRequestUpsertion()
	u.Name, u.Mechanism, u.Iterations, u.Salt, u.SaltedPassword = "carol", 0, 4096, []byte("0123456789abcdef"), make([]byte, 32)
	wire.Upsertions = append(wire.Upsertions, u)
	alterScramWire("scram_unknown_mechanism_wire", wire)
	alterScram("scram_empty_user", nil, upsert("", sha256, 4096))
	alterScram("scram_delete_unknown", del("nobody", sha256))
	alterScram("scram_delete_unknown_mechanism", del("alice", 0))
	wireDel := kmsg.NewPtrAlterUserSCRAMCredentialsRequest()
	d := kmsg.NewAlterUserSCRAMCredentialsRequestDeletion()
	d.Name, d.Mechanism = "alice", 0
	wireDel.Deletions = append(wireDel.Deletions, d)
	alterScramWire("scram_delete_unknown_mechanism_wire", wireDel)
	alterScram("scram_same_user_twice", del("dave", sha256), upsert("dave", sha256, 4096))
	alterScram("scram_delete", append(del("alice", sha256), del("bob", sha512)...))
	describeScram("scram_describe_after_delete")
	alterScram("scram_delete_missing_mechanism", del("alice", sha256))
	alterScram("scram_upsert_and_delete", del("alice", sha512), upsert("frank", sha256, 4096))
	describeScram("scram_describe_frank_only")
	alterScram("scram_delete_rest", del("frank", sha256))
	describeScram("scram_describe_none")
}

// ---- reassignments and elections ----

func tp(topic string, p int32) string { return fmt.Sprintf("%s-%d", topic, p) }

func reassign(name_ string, req kadm.AlterPartitionAssignmentsReq) {
	step(name_, func(ctx context.Context) (any, error) {
		rs, err := adm.AlterPartitionAssignments(ctx, req)
		if err != nil {
			return nil, err
		}
		out := map[string]any{}
		rs.Each(func(r kadm.AlterPartitionAssignmentsResponse) { out[tp(r.Topic, r.Partition)] = outcome(r.Err, r.ErrMessage) })
		return out, nil
	})
}

func listReassignments(name_ string, s kadm.TopicsSet) {
	step(name_, func(ctx context.Context) (any, error) {
		rs, err := adm.ListPartitionReassignments(ctx, s)
		if err != nil {
			return nil, err
		}
		out := map[string]any{}
		rs.Each(func(r kadm.ListPartitionReassignmentsResponse) {
			out[tp(r.Topic, r.Partition)] = []any{r.Replicas, r.AddingReplicas, r.RemovingReplicas}
		})
		return out, nil
	})
}

func reassignments(topic string) {
	var unknownBroker, cancel, same, dup, unknown kadm.AlterPartitionAssignmentsReq
	unknownBroker.Assign(topic, 0, []int32{2})
	cancel.CancelAssign(topic, 1)
	same.Assign(topic, 2, []int32{1})
	dup.Assign(topic, 0, []int32{1, 1})
	unknown.Assign(topic, 9, []int32{1})
	unknown.Assign(topic+"-nope", 0, []int32{1})
	reassign("reassign_unknown_broker", unknownBroker)
	reassign("reassign_cancel_none", cancel)
	reassign("reassign_same_replicas", same)
	reassign("reassign_duplicate_broker", dup)
	var empty, negative, mixed kadm.AlterPartitionAssignmentsReq
	empty.Assign(topic, 0, []int32{})
	negative.Assign(topic, 0, []int32{-1})
	mixed.Assign(topic, 0, []int32{1, 3})
	mixed.Assign(topic, 1, []int32{1})
	mixed.CancelAssign(topic, 2)
	reassign("reassign_empty_replicas", empty)
	reassign("reassign_negative_broker", negative)
	reassign("reassign_mixed", mixed)
	reassign("reassign_unknown_partition", unknown)
	listReassignments("list_reassignments_all", nil)
	some := kadm.TopicsSet{}
	some.Add(topic, 0)
	some.Add(topic+"-nope", 0)
	listReassignments("list_reassignments_some", some)
}

func elect(name_ string, how kadm.ElectLeadersHow, s kadm.TopicsSet) {
	step(name_, func(ctx context.Context) (any, error) {
		rs, err := adm.ElectLeaders(ctx, how, s)
		if err != nil {
			return nil, err
		}
		out := map[string]any{}
		for _, ps := range rs {
			for _, r := range ps {
				out[tp(r.Topic, r.Partition)] = outcome(r.Err, r.ErrMessage)
			}
		}
		return out, nil
	})
}

func elections(topic string) {
	both, first, unknown := kadm.TopicsSet{}, kadm.TopicsSet{}, kadm.TopicsSet{}
	both.Add(topic, 0, 1)
	first.Add(topic, 0)
	unknown.Add(topic, 9)
	unknown.Add(topic+"-nope", 0)
	elect("elect_preferred", kadm.ElectPreferredReplica, both)
	elect("elect_unclean", kadm.ElectLiveReplica, first)
	elect("elect_unknown_partition", kadm.ElectPreferredReplica, unknown)
	elect("elect_all_preferred", kadm.ElectPreferredReplica, nil)
	elect("elect_all_unclean", kadm.ElectLiveReplica, nil)
}

// ---- quorum and features ----

func quorum() {
	step("describe_quorum", func(ctx context.Context) (any, error) {
		req := kmsg.NewPtrDescribeQuorumRequest()
		t := kmsg.NewDescribeQuorumRequestTopic()
		t.Topic = "__cluster_metadata"
		p := kmsg.NewDescribeQuorumRequestTopicPartition()
		t.Partitions = append(t.Partitions, p)
		req.Topics = append(req.Topics, t)
		resp, err := req.RequestWith(ctx, cl)
		if err != nil {
			return nil, err
		}
		if err := kerr.ErrorForCode(resp.ErrorCode); err != nil {
			return nil, fmt.Errorf("%w | %s", err, deref(resp.ErrorMessage))
		}
		out := map[string]any{}
		for _, t := range resp.Topics {
			for _, p := range t.Partitions {
				voters := []any{}
				for _, v := range p.CurrentVoters {
					voters = append(voters, []any{v.ReplicaID, v.LogEndOffset > 0, v.LastFetchTimestamp >= 0, v.LastCaughtUpTimestamp >= 0})
				}
				observers := []int32{}
				for _, o := range p.Observers {
					observers = append(observers, o.ReplicaID)
				}
				out[tp(t.Topic, p.Partition)] = map[string]any{
					"error": outcome(kerr.ErrorForCode(p.ErrorCode), deref(p.ErrorMessage)), "leaderId": p.LeaderID,
					"leaderEpochPositive": p.LeaderEpoch > 0, "highWatermarkPositive": p.HighWatermark > 0, "voters": voters, "observers": observers,
				}
			}
		}
		nodes := map[string]any{}
		for _, n := range resp.Nodes {
			var ls []string
			for _, l := range n.Listeners {
				ls = append(ls, fmt.Sprintf("%s://%s:PORT", l.Name, l.Host))
			}
			sort.Strings(ls)
			nodes[fmt.Sprint(n.NodeID)] = ls
		}
		out["nodes"] = nodes
		return out, nil
	})
}

func features() {
	step("describe_features", func(ctx context.Context) (any, error) {
		vs, err := adm.ApiVersions(ctx)
		if err != nil {
			return nil, err
		}
		out := map[string]any{}
		for id, v := range vs {
			if v.Err != nil {
				return nil, v.Err
			}
			raw := v.Raw()
			finalized, supported := map[string]any{}, map[string]any{}
			for _, f := range raw.FinalizedFeatures {
				finalized[f.Name] = []int16{f.MinVersionLevel, f.MaxVersionLevel}
			}
			for _, f := range raw.SupportedFeatures {
				supported[f.Name] = []int16{f.MinVersion, f.MaxVersion}
			}
			out[fmt.Sprint(id)] = map[string]any{"finalized": finalized, "supported": supported, "epochPresent": raw.FinalizedFeaturesEpoch >= 0}
		}
		return out, nil
	})
	update("update_features_current_level", false, kadm.FeatureUpdate{Feature: "group.version", MaxVersionLevel: 1, UpgradeType: 1})
	update("update_features_validate_downgrade", true, kadm.FeatureUpdate{Feature: "group.version", MaxVersionLevel: 0, UpgradeType: 2})
	update("update_features_downgrade_as_upgrade", false, kadm.FeatureUpdate{Feature: "group.version", MaxVersionLevel: 0, UpgradeType: 1})
	update("update_features_too_high", false, kadm.FeatureUpdate{Feature: "group.version", MaxVersionLevel: 9, UpgradeType: 1})
	update("update_features_unknown", false, kadm.FeatureUpdate{Feature: "foo.version", MaxVersionLevel: 1, UpgradeType: 1})
	update("update_features_metadata_unsafe_downgrade", false, kadm.FeatureUpdate{Feature: "metadata.version", MaxVersionLevel: 7, UpgradeType: 3})
	update("update_features_metadata_safe_downgrade_validate", true, kadm.FeatureUpdate{Feature: "metadata.version", MaxVersionLevel: 32, UpgradeType: 2})
	update("update_features_unknown_upgrade_type", true, kadm.FeatureUpdate{Feature: "group.version", MaxVersionLevel: 1, UpgradeType: 9})
	update("update_features_kraft_downgrade", true, kadm.FeatureUpdate{Feature: "kraft.version", MaxVersionLevel: 0, UpgradeType: 2})
	update("update_features_transaction_same_level", false, kadm.FeatureUpdate{Feature: "transaction.version", MaxVersionLevel: 2, UpgradeType: 1})
	update("update_features_good_and_bad", false, kadm.FeatureUpdate{Feature: "group.version", MaxVersionLevel: 1, UpgradeType: 1},
		kadm.FeatureUpdate{Feature: "foo.version", MaxVersionLevel: 1, UpgradeType: 1})
	update("update_features_none", false)
}

func update(name_ string, validateOnly bool, updates ...kadm.FeatureUpdate) {
	step(name_, func(ctx context.Context) (any, error) {
		rs, err := adm.UpdateFeatures(ctx, validateOnly, updates...)
		if err != nil {
			return nil, err
		}
		out := map[string]any{}
		for n, r := range rs {
			out[n] = outcome(r.Err, "")
		}
		return out, nil
	})
}

// ---- client metrics resources (kmsg: kadm alters and describes only topic and broker configs) ----

type op struct {
	name  string
	kind  kmsg.IncrementalAlterConfigOp
	value *string
}

func alterMetrics(name_, resource string, validateOnly bool, ops ...op) {
	step(name_, func(ctx context.Context) (any, error) {
		req := kmsg.NewPtrIncrementalAlterConfigsRequest()
		req.ValidateOnly = validateOnly
		r := kmsg.NewIncrementalAlterConfigsRequestResource()
		r.ResourceType, r.ResourceName = kmsg.ConfigResourceTypeClientMetrics, resource
		for _, o := range ops {
			c := kmsg.NewIncrementalAlterConfigsRequestResourceConfig()
			c.Name, c.Op, c.Value = o.name, o.kind, o.value
			r.Configs = append(r.Configs, c)
		}
		req.Resources = append(req.Resources, r)
		resp, err := req.RequestWith(ctx, cl)
		if err != nil {
			return nil, err
		}
		out := map[string]any{}
		for _, x := range resp.Resources {
			out[x.ResourceName] = outcome(kerr.ErrorForCode(x.ErrorCode), deref(x.ErrorMessage))
		}
		if !validateOnly {
			wait()
		}
		return out, nil
	})
}

func describeMetrics(name_, resource string) {
	step(name_, func(ctx context.Context) (any, error) {
		req := kmsg.NewPtrDescribeConfigsRequest()
		r := kmsg.NewDescribeConfigsRequestResource()
		r.ResourceType, r.ResourceName = kmsg.ConfigResourceTypeClientMetrics, resource
		req.Resources = append(req.Resources, r)
		resp, err := req.RequestWith(ctx, cl)
		if err != nil {
			return nil, err
		}
		out := map[string]any{}
		for _, x := range resp.Resources {
			if err := kerr.ErrorForCode(x.ErrorCode); err != nil {
				return nil, fmt.Errorf("%w | %s", err, deref(x.ErrorMessage))
			}
			for _, c := range x.Configs {
				out[c.Name] = []any{c.Value, c.Source.String(), c.ReadOnly, c.ConfigType.String()}
			}
		}
		return out, nil
	})
}

func listMetrics(name_ string) { listTypes(name_, kadm.ConfigResourceClientMetrics) }

func listTypes(name_ string, types ...kadm.ConfigResourceType) {
	step(name_, func(ctx context.Context) (any, error) {
		rs, err := adm.ListConfigResources(ctx, types...)
		if err != nil {
			return nil, err
		}
		if rs.Err != nil {
			return nil, rs.Err
		}
		out := []string{}
		for _, r := range rs.Sorted() {
			out = append(out, r.Type.String()+":"+r.Name)
		}
		return out, nil
	})
}

func clientMetrics() {
	const setOp, del, appendOp = kmsg.IncrementalAlterConfigOpSet, kmsg.IncrementalAlterConfigOpDelete, kmsg.IncrementalAlterConfigOpAppend
	listMetrics("client_metrics_list_empty")
	alterMetrics("client_metrics_create", "metrics-a", false,
		op{"metrics", setOp, str("org.apache.kafka.producer.,org.apache.kafka.consumer.")}, op{"interval.ms", setOp, str("10000")},
		op{"match", setOp, str("client_id=app.*,client_software_name=apache-kafka-java")})
	alterMetrics("client_metrics_create_defaults", "metrics-b", false, op{"metrics", setOp, str("*")})
	describeMetrics("client_metrics_describe", "metrics-a")
	describeMetrics("client_metrics_describe_defaults", "metrics-b")
	describeMetrics("client_metrics_describe_unknown", "metrics-nope")
	listMetrics("client_metrics_list")
	alterMetrics("client_metrics_interval_too_small", "metrics-a", false, op{"interval.ms", setOp, str("50")})
	alterMetrics("client_metrics_interval_not_a_number", "metrics-a", false, op{"interval.ms", setOp, str("soon")})
	alterMetrics("client_metrics_unknown_config", "metrics-a", false, op{"foo", setOp, str("1")})
	alterMetrics("client_metrics_bad_match", "metrics-a", false, op{"match", setOp, str("color=blue")})
	alterMetrics("client_metrics_bad_match_regex", "metrics-a", false, op{"match", setOp, str("client_id=[")})
	alterMetrics("client_metrics_validate_only", "metrics-c", true, op{"metrics", setOp, str("*")})
	alterMetrics("client_metrics_interval_too_large", "metrics-a", false, op{"interval.ms", setOp, str("3600001")})
	alterMetrics("client_metrics_validate_only_bad", "metrics-c", true, op{"interval.ms", setOp, str("1")})
	alterMetrics("client_metrics_empty_name", "", false, op{"metrics", setOp, str("*")})
	alterMetrics("client_metrics_match_instance_id", "metrics-b", false,
		op{"match", setOp, str("client_instance_id=b69cc35a-7a54-4790-aa69-cc2bd4ee4538,client_source_address=127.0.0.1")})
	describeMetrics("client_metrics_describe_after_match", "metrics-b")
	describeMetrics("client_metrics_describe_empty_name", "")
	listTypes("config_resources_list_brokers_groups_metrics", kadm.ConfigResourceBroker, kadm.ConfigResourceGroupConfig, kadm.ConfigResourceClientMetrics)
	listTypes("config_resources_list_broker_logger", kadm.ConfigResourceBrokerLogger)
	listTypes("config_resources_list_unknown_type", 99)
	alterMetrics("client_metrics_append", "metrics-a", false, op{"metrics", appendOp, str("org.apache.kafka.share.")})
	describeMetrics("client_metrics_describe_after_append", "metrics-a")
	alterMetrics("client_metrics_delete_a", "metrics-a", false, op{"metrics", del, nil}, op{"interval.ms", del, nil}, op{"match", del, nil})
	alterMetrics("client_metrics_delete_b", "metrics-b", false, op{"metrics", del, nil}, op{"match", del, nil})
	listMetrics("client_metrics_list_after_delete")
}

// ---- output ----

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func wait() {
	if settle > 0 {
		time.Sleep(settle)
	}
}

// outcome is "ok" or the error text, with the broker's message after " | " when it sent one.
func outcome(err error, message string) string {
	if err == nil {
		return "ok"
	}
	if message == "" {
		return err.Error()
	}
	return err.Error() + " | " + message
}

func step(name string, body func(ctx context.Context) (any, error)) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	line := map[string]any{"step": name}
	result, err := body(ctx)
	if err != nil {
		line["ok"], line["error"] = false, err.Error()
	} else {
		line["ok"] = true
		if result != nil {
			line["result"] = result
		}
	}
	b, err := json.Marshal(line)
	if err != nil {
		fmt.Fprintln(os.Stderr, "kadm-apis:", err)
		os.Exit(1)
	}
	fmt.Println(string(b))
}
