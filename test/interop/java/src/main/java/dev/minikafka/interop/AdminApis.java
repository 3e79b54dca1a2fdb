package dev.minikafka.interop;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.AlterConfigsOptions;
import org.apache.kafka.clients.admin.AlterClientQuotasOptions;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.FeatureMetadata;
import org.apache.kafka.clients.admin.FeatureUpdate;
import org.apache.kafka.clients.admin.FinalizedVersionRange;
import org.apache.kafka.clients.admin.ListConfigResourcesOptions;
import org.apache.kafka.clients.admin.NewPartitionReassignment;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.PartitionReassignment;
import org.apache.kafka.clients.admin.QuorumInfo;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.SupportedVersionRange;
import org.apache.kafka.clients.admin.UpdateFeaturesOptions;
import org.apache.kafka.clients.admin.UserScramCredentialAlteration;
import org.apache.kafka.clients.admin.UserScramCredentialDeletion;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.clients.admin.UserScramCredentialsDescription;
import org.apache.kafka.common.ElectionType;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.quota.ClientQuotaAlteration;
import org.apache.kafka.common.quota.ClientQuotaEntity;
import org.apache.kafka.common.quota.ClientQuotaFilter;
import org.apache.kafka.common.quota.ClientQuotaFilterComponent;

/**
 * The cluster admin APIs through the Java Admin client, for test/interop/admin-clients.test.ts: client
 * quotas, SCRAM credentials, partition reassignments, leader elections, the metadata quorum, features
 * and client metrics resources, each with the error cases Kafka answers. The Go program
 * test/interop/go/cmd/kadm-apis runs the same steps through franz-go's kadm.
 *
 * Prints one JSON line per step: {"step":NAME,"ok":true,"result":...} or {"step":NAME,"ok":false,
 * "error":EXCEPTION_CLASS,"message":MSG}; per-item results (one per entity, user or partition) are
 * maps sorted by key with "ok" or "EXCEPTION_CLASS: message". Values that differ between runs (the
 * quorum's offsets, timestamps and directory ids, ports, the features epoch) are left out or reduced
 * to whether they are set.
 *
 *   java -cp interop.jar dev.minikafka.interop.AdminApis --bootstrap B --topic T [--settle-ms N]
 *
 * --settle-ms waits after each change: Apache Kafka applies quotas, credentials and configs through
 * its metadata log, so a describe right after an alter may not see them yet there.
 */
public final class AdminApis {
    static Admin admin;
    static long settleMs;

    public static void main(String[] argv) throws Exception {
        Map<String, String> args = Steps.args(argv);
        String topic = args.get("topic");
        settleMs = Long.parseLong(args.getOrDefault("settle-ms", "0"));
        Properties props = Steps.adminProps(args, "interop-java-admin-apis");
        // Refused requests are answered at once; a request that is never answered fails the step, not the run.
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "20000");
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "15000");
        try (Admin a = Admin.create(props)) {
            admin = a;
            quotas();
            scram();
            run("create_topic", () -> {
                admin.createTopics(List.of(new NewTopic(topic, 3, (short) 1))).all().get();
                settle();
                return null;
            });
            reassignments(topic);
            elections(topic);
            quorum();
            features();
            clientMetrics();
            run("delete_topic", () -> {
                admin.deleteTopics(List.of(topic)).all().get();
                return null;
            });
        }
    }

    // ---- client quotas ----

    static ClientQuotaEntity entity(String... kv) {
        Map<String, String> m = new HashMap<>();
        for (int i = 0; i < kv.length; i += 2) m.put(kv[i], kv[i + 1]);
        return new ClientQuotaEntity(m);
    }

    static ClientQuotaAlteration set(ClientQuotaEntity e, String key, Double value) {
        return new ClientQuotaAlteration(e, List.of(new ClientQuotaAlteration.Op(key, value)));
    }

    /** An entity as its sorted "type=name" components, the default named "<default>". */
    static String name(ClientQuotaEntity e) {
        List<String> parts = new ArrayList<>();
        new TreeMap<>(e.entries()).forEach((k, v) -> parts.add(k + "=" + (v == null ? "<default>" : v)));
        return String.join(",", parts);
    }

    static void alterQuotas(String step, boolean validateOnly, ClientQuotaAlteration... alterations) {
        run(step, () -> {
            Map<String, Object> out = new TreeMap<>();
            admin.alterClientQuotas(List.of(alterations), new AlterClientQuotasOptions().validateOnly(validateOnly)).values()
                .forEach((e, f) -> out.put(name(e), outcome(f)));
            if (!validateOnly) settle();
            return out;
        });
    }

    static void describeQuotas(String step, ClientQuotaFilter filter) {
        run(step, () -> {
            Map<String, Object> out = new TreeMap<>();
            admin.describeClientQuotas(filter).entities().get().forEach((e, values) -> out.put(name(e), new TreeMap<>(values)));
            return out;
        });
    }

    static void quotas() {
        String user = ClientQuotaEntity.USER, client = ClientQuotaEntity.CLIENT_ID, ip = ClientQuotaEntity.IP;
        alterQuotas("quotas_alter", false,
            set(entity(user, "alice"), "producer_byte_rate", 1024.0),
            set(entity(client, "app"), "consumer_byte_rate", 2048.0),
            set(entity(user, "alice", client, "app"), "request_percentage", 50.0),
            set(entity(user, null), "producer_byte_rate", 4096.0),
            set(entity(client, null), "consumer_byte_rate", 8192.0),
            set(entity(ip, "127.0.0.1"), "connection_creation_rate", 10.0),
            set(entity(ip, null), "connection_creation_rate", 20.0));
        describeQuotas("quotas_describe_all", ClientQuotaFilter.all());
        describeQuotas("quotas_describe_user_alice", ClientQuotaFilter.contains(List.of(ClientQuotaFilterComponent.ofEntity(user, "alice"))));
        describeQuotas("quotas_describe_user_alice_strict", ClientQuotaFilter.containsOnly(List.of(ClientQuotaFilterComponent.ofEntity(user, "alice"))));
        describeQuotas("quotas_describe_user_default", ClientQuotaFilter.containsOnly(List.of(ClientQuotaFilterComponent.ofDefaultEntity(user))));
        describeQuotas("quotas_describe_client_any", ClientQuotaFilter.contains(List.of(ClientQuotaFilterComponent.ofEntityType(client))));
        describeQuotas("quotas_describe_ip_any", ClientQuotaFilter.contains(List.of(ClientQuotaFilterComponent.ofEntityType(ip))));
        describeQuotas("quotas_describe_user_and_ip", ClientQuotaFilter.contains(List.of(ClientQuotaFilterComponent.ofEntityType(user), ClientQuotaFilterComponent.ofEntityType(ip))));
        describeQuotas("quotas_describe_unknown_type", ClientQuotaFilter.contains(List.of(ClientQuotaFilterComponent.ofEntityType("group"))));
        describeQuotas("quotas_describe_unknown_user", ClientQuotaFilter.containsOnly(List.of(ClientQuotaFilterComponent.ofEntity(user, "nobody"))));
        alterQuotas("quotas_alter_validate_only", true, set(entity(user, "carol"), "producer_byte_rate", 1.0));
        alterQuotas("quotas_alter_unknown_key", false, set(entity(user, "bob"), "foo_rate", 1.0));
        alterQuotas("quotas_alter_unknown_entity_type", false, set(entity("group", "g"), "producer_byte_rate", 1.0));
        alterQuotas("quotas_alter_ip_with_user", false, set(entity(user, "bob", ip, "127.0.0.1"), "connection_creation_rate", 1.0));
        alterQuotas("quotas_alter_ip_key_on_user", false, set(entity(user, "bob"), "connection_creation_rate", 1.0));
        alterQuotas("quotas_alter_user_key_on_ip", false, set(entity(ip, "127.0.0.1"), "producer_byte_rate", 1.0));
        alterQuotas("quotas_alter_bad_ip", false, set(entity(ip, "not an ip"), "connection_creation_rate", 1.0));
        alterQuotas("quotas_alter_negative", false, set(entity(user, "bob"), "producer_byte_rate", -5.0));
        alterQuotas("quotas_alter_fractional_rate", false, set(entity(user, "bob"), "producer_byte_rate", 1.5));
        alterQuotas("quotas_alter_empty_user", false, set(entity(user, ""), "producer_byte_rate", 1.0));
        alterQuotas("quotas_alter_hostname_ip", false, set(entity(ip, "localhost"), "connection_creation_rate", 5.0));
        alterQuotas("quotas_alter_mutation_rate", false, set(entity(user, "bob"), "controller_mutation_rate", 2.5));
        alterQuotas("quotas_alter_same_key_twice", false, new ClientQuotaAlteration(entity(user, "bob"),
            List.of(new ClientQuotaAlteration.Op("producer_byte_rate", 1.0), new ClientQuotaAlteration.Op("producer_byte_rate", 2.0))));
        alterQuotas("quotas_alter_same_entity_twice", false, set(entity(user, "bob"), "producer_byte_rate", 3.0), set(entity(user, "bob"), "consumer_byte_rate", 3.0));
        alterQuotas("quotas_remove_absent", false, set(entity(user, "zed"), "producer_byte_rate", null));
        alterQuotas("quotas_alter_default_pair", false, set(entity(user, null, client, null), "request_percentage", 25.0));
        describeQuotas("quotas_describe_default_pair_strict", ClientQuotaFilter.containsOnly(List.of(ClientQuotaFilterComponent.ofDefaultEntity(user), ClientQuotaFilterComponent.ofDefaultEntity(client))));
        describeQuotas("quotas_describe_any_user_default_client", ClientQuotaFilter.contains(List.of(ClientQuotaFilterComponent.ofEntityType(user), ClientQuotaFilterComponent.ofDefaultEntity(client))));
        describeQuotas("quotas_describe_user_default_and_client", ClientQuotaFilter.contains(List.of(ClientQuotaFilterComponent.ofDefaultEntity(user), ClientQuotaFilterComponent.ofEntityType(client))));
        describeQuotas("quotas_describe_before_remove", ClientQuotaFilter.all());
        alterQuotas("quotas_remove", false,
            set(entity(user, "alice"), "producer_byte_rate", null),
            set(entity(client, "app"), "consumer_byte_rate", null),
            set(entity(user, "alice", client, "app"), "request_percentage", null),
            set(entity(user, null), "producer_byte_rate", null),
            set(entity(client, null), "consumer_byte_rate", null),
            set(entity(ip, "127.0.0.1"), "connection_creation_rate", null),
            set(entity(ip, null), "connection_creation_rate", null),
            set(entity(ip, "localhost"), "connection_creation_rate", null),
            set(entity(user, null, client, null), "request_percentage", null),
            new ClientQuotaAlteration(entity(user, "bob"), List.of(new ClientQuotaAlteration.Op("controller_mutation_rate", null),
                new ClientQuotaAlteration.Op("producer_byte_rate", null), new ClientQuotaAlteration.Op("consumer_byte_rate", null))));
        describeQuotas("quotas_describe_after_remove", ClientQuotaFilter.all());
    }

    // ---- SCRAM credentials ----

    static void alterScram(String step, UserScramCredentialAlteration... alterations) {
        run(step, () -> {
            Map<String, Object> out = new TreeMap<>();
            admin.alterUserScramCredentials(List.of(alterations)).values().forEach((u, f) -> out.put(u, outcome(f)));
            settle();
            return out;
        });
    }

    static UserScramCredentialUpsertion upsert(String user, ScramMechanism m, int iterations) {
        return new UserScramCredentialUpsertion(user, new ScramCredentialInfo(m, iterations), "secret-" + user);
    }

    static Map<String, Object> credentials(UserScramCredentialsDescription d) {
        Map<String, Object> out = new TreeMap<>();
        for (ScramCredentialInfo i : d.credentialInfos()) out.put(i.mechanism().mechanismName(), i.iterations());
        return out;
    }

    static void describeScram(String step, List<String> users) {
        run(step, () -> {
            Map<String, Object> out = new TreeMap<>();
            if (users == null) {
                admin.describeUserScramCredentials().all().get().forEach((u, d) -> out.put(u, credentials(d)));
            } else {
                var r = admin.describeUserScramCredentials(users);
                for (String u : users) {
                    try {
                        out.put(u, credentials(r.description(u).get()));
                    } catch (Exception e) {
                        out.put(u, failure(e));
                    }
                }
            }
            return out;
        });
    }

    static void scram() {
        ScramMechanism sha256 = ScramMechanism.SCRAM_SHA_256, sha512 = ScramMechanism.SCRAM_SHA_512;
        alterScram("scram_upsert", upsert("alice", sha256, 4096), upsert("bob", sha512, 4096));
        alterScram("scram_upsert_second_mechanism", upsert("alice", sha512, 8192));
        alterScram("scram_upsert_same_user_twice", upsert("erin", sha256, 4096), upsert("erin", sha512, 4096));
        describeScram("scram_describe_all", null);
        describeScram("scram_describe_alice_and_unknown", List.of("alice", "nobody"));
        describeScram("scram_describe_same_user_twice", List.of("alice", "alice"));
        describeScram("scram_describe_empty_list", List.of());
        alterScram("scram_overwrite_iterations", upsert("bob", sha512, 10000));
        describeScram("scram_describe_bob", List.of("bob"));
        alterScram("scram_too_few_iterations", upsert("carol", sha256, 1024));
        alterScram("scram_too_many_iterations", upsert("carol", sha512, 20000));
        alterScram("scram_unknown_mechanism", upsert("carol", ScramMechanism.UNKNOWN, 4096));
        alterScram("scram_empty_user", upsert("", sha256, 4096));
        alterScram("scram_delete_unknown", new UserScramCredentialDeletion("nobody", sha256));
        alterScram("scram_delete_unknown_mechanism", new UserScramCredentialDeletion("alice", ScramMechanism.UNKNOWN));
        alterScram("scram_same_user_twice", upsert("dave", sha256, 4096), new UserScramCredentialDeletion("dave", sha256));
        alterScram("scram_delete", new UserScramCredentialDeletion("alice", sha256), new UserScramCredentialDeletion("bob", sha512));
        describeScram("scram_describe_after_delete", null);
        alterScram("scram_delete_missing_mechanism", new UserScramCredentialDeletion("alice", sha256));
        alterScram("scram_upsert_and_delete", upsert("frank", sha256, 4096), new UserScramCredentialDeletion("alice", sha512));
        describeScram("scram_describe_frank_only", null);
        alterScram("scram_delete_rest", new UserScramCredentialDeletion("frank", sha256));
        describeScram("scram_describe_none", null);
    }

    // ---- reassignments and elections ----

    interface Reassignments {
        Map<TopicPartition, Optional<NewPartitionReassignment>> get();
    }

    /** Built inside the step: NewPartitionReassignment refuses an empty replica list itself. */
    static void reassign(String step, Reassignments m) {
        run(step, () -> {
            Map<String, Object> out = new TreeMap<>();
            admin.alterPartitionReassignments(m.get()).values().forEach((tp, f) -> out.put(tp.toString(), outcome(f)));
            return out;
        });
    }

    static void listReassignments(String step, Set<TopicPartition> partitions) {
        run(step, () -> {
            Map<TopicPartition, PartitionReassignment> r = partitions == null
                ? admin.listPartitionReassignments().reassignments().get()
                : admin.listPartitionReassignments(partitions).reassignments().get();
            Map<String, Object> out = new TreeMap<>();
            r.forEach((tp, x) -> out.put(tp.toString(), List.of(x.replicas(), x.addingReplicas(), x.removingReplicas())));
            return out;
        });
    }

    static void reassignments(String topic) {
        TopicPartition p0 = new TopicPartition(topic, 0), p1 = new TopicPartition(topic, 1), p2 = new TopicPartition(topic, 2);
        reassign("reassign_unknown_broker", () -> Map.of(p0, Optional.of(new NewPartitionReassignment(List.of(2)))));
        reassign("reassign_cancel_none", () -> Map.of(p1, Optional.empty()));
        reassign("reassign_same_replicas", () -> Map.of(p2, Optional.of(new NewPartitionReassignment(List.of(1)))));
        reassign("reassign_duplicate_broker", () -> Map.of(p0, Optional.of(new NewPartitionReassignment(List.of(1, 1)))));
        reassign("reassign_empty_replicas", () -> Map.of(p0, Optional.of(new NewPartitionReassignment(List.of()))));
        reassign("reassign_negative_broker", () -> Map.of(p0, Optional.of(new NewPartitionReassignment(List.of(-1)))));
        reassign("reassign_mixed", () -> Map.of(p0, Optional.of(new NewPartitionReassignment(List.of(1, 3))), p1, Optional.of(new NewPartitionReassignment(List.of(1))), p2, Optional.empty()));
        reassign("reassign_unknown_partition", () -> Map.of(new TopicPartition(topic, 9), Optional.of(new NewPartitionReassignment(List.of(1))),
            new TopicPartition(topic + "-nope", 0), Optional.of(new NewPartitionReassignment(List.of(1)))));
        listReassignments("list_reassignments_all", null);
        listReassignments("list_reassignments_some", Set.of(p0, new TopicPartition(topic + "-nope", 0)));
    }

    static void elect(String step, ElectionType type, Set<TopicPartition> partitions) {
        run(step, () -> {
            Map<String, Object> out = new TreeMap<>();
            admin.electLeaders(type, partitions).partitions().get()
                .forEach((tp, err) -> out.put(tp.toString(), err.map(AdminApis::failure).orElse("ok")));
            return out;
        });
    }

    static void elections(String topic) {
        TopicPartition p0 = new TopicPartition(topic, 0), p1 = new TopicPartition(topic, 1);
        elect("elect_preferred", ElectionType.PREFERRED, Set.of(p0, p1));
        elect("elect_unclean", ElectionType.UNCLEAN, Set.of(p0));
        elect("elect_unknown_partition", ElectionType.PREFERRED, Set.of(new TopicPartition(topic, 9), new TopicPartition(topic + "-nope", 0)));
        elect("elect_all_preferred", ElectionType.PREFERRED, null);
        elect("elect_all_unclean", ElectionType.UNCLEAN, null);
        elect("elect_none", ElectionType.PREFERRED, Set.of());
    }

    // ---- quorum and features ----

    static void quorum() {
        run("describe_quorum", () -> {
            QuorumInfo q = admin.describeMetadataQuorum().quorumInfo().get();
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("leaderId", q.leaderId());
            out.put("leaderEpochPositive", q.leaderEpoch() > 0);
            out.put("highWatermarkPositive", q.highWatermark() > 0);
            List<Object> voters = new ArrayList<>();
            for (QuorumInfo.ReplicaState r : q.voters()) voters.add(List.of(r.replicaId(), r.logEndOffset() > 0, r.lastFetchTimestamp().isPresent(), r.lastCaughtUpTimestamp().isPresent()));
            out.put("voters", voters);
            out.put("observers", q.observers().stream().map(QuorumInfo.ReplicaState::replicaId).sorted().toList());
            Map<String, Object> nodes = new TreeMap<>();
            q.nodes().forEach((id, n) -> nodes.put(String.valueOf(id), n.endpoints().stream().map(e -> e.listener() + "://" + e.host() + ":PORT").sorted().toList()));
            out.put("nodes", nodes);
            return out;
        });
    }

    static void features() {
        run("describe_features", () -> {
            FeatureMetadata f = admin.describeFeatures().featureMetadata().get();
            Map<String, Object> out = new LinkedHashMap<>();
            Map<String, Object> finalized = new TreeMap<>();
            for (Map.Entry<String, FinalizedVersionRange> e : f.finalizedFeatures().entrySet()) finalized.put(e.getKey(), List.of(e.getValue().minVersionLevel(), e.getValue().maxVersionLevel()));
            Map<String, Object> supported = new TreeMap<>();
            for (Map.Entry<String, SupportedVersionRange> e : f.supportedFeatures().entrySet()) supported.put(e.getKey(), List.of(e.getValue().minVersion(), e.getValue().maxVersion()));
            out.put("finalized", finalized);
            out.put("supported", supported);
            out.put("epochPresent", f.finalizedFeaturesEpoch().isPresent());
            return out;
        });
        FeatureUpdate.UpgradeType up = FeatureUpdate.UpgradeType.UPGRADE;
        update("update_features_current_level", false, "group.version", 1, up);
        update("update_features_validate_downgrade", true, "group.version", 0, FeatureUpdate.UpgradeType.SAFE_DOWNGRADE);
        update("update_features_downgrade_as_upgrade", false, "group.version", 0, up);
        update("update_features_too_high", false, "group.version", 9, up);
        update("update_features_unknown", false, "foo.version", 1, up);
        update("update_features_metadata_unsafe_downgrade", false, "metadata.version", 7, FeatureUpdate.UpgradeType.UNSAFE_DOWNGRADE);
        update("update_features_metadata_safe_downgrade_validate", true, "metadata.version", 32, FeatureUpdate.UpgradeType.SAFE_DOWNGRADE);
        update("update_features_kraft_downgrade", true, "kraft.version", 0, FeatureUpdate.UpgradeType.SAFE_DOWNGRADE);
        update("update_features_transaction_same_level", false, "transaction.version", 2, up);
        run("update_features_good_and_bad", () -> {
            Map<String, Object> out = new TreeMap<>();
            Map<String, FeatureUpdate> updates = Map.of("group.version", new FeatureUpdate((short) 1, up), "foo.version", new FeatureUpdate((short) 1, up));
            admin.updateFeatures(updates, new UpdateFeaturesOptions()).values().forEach((n, f) -> out.put(n, outcome(f)));
            return out;
        });
    }

    /** FeatureUpdate refuses some combinations itself (a level below 1 as an UPGRADE): inside the step. */
    static void update(String step, boolean validateOnly, String feature, int level, FeatureUpdate.UpgradeType type) {
        run(step, () -> {
            Map<String, Object> out = new TreeMap<>();
            Map<String, FeatureUpdate> updates = Map.of(feature, new FeatureUpdate((short) level, type));
            admin.updateFeatures(updates, new UpdateFeaturesOptions().validateOnly(validateOnly)).values().forEach((n, f) -> out.put(n, outcome(f)));
            return out;
        });
    }

    // ---- client metrics resources ----

    static AlterConfigOp op(String name, String value, AlterConfigOp.OpType type) {
        return new AlterConfigOp(new ConfigEntry(name, value), type);
    }

    static void alterMetrics(String step, String name, boolean validateOnly, AlterConfigOp... ops) {
        run(step, () -> {
            ConfigResource r = new ConfigResource(ConfigResource.Type.CLIENT_METRICS, name);
            Map<ConfigResource, Collection<AlterConfigOp>> m = Map.of(r, List.of(ops));
            admin.incrementalAlterConfigs(m, new AlterConfigsOptions().validateOnly(validateOnly)).all().get();
            if (!validateOnly) settle();
            return null;
        });
    }

    static void describeMetrics(String step, String name) {
        run(step, () -> {
            ConfigResource r = new ConfigResource(ConfigResource.Type.CLIENT_METRICS, name);
            Config c = admin.describeConfigs(List.of(r)).all().get().get(r);
            Map<String, Object> out = new TreeMap<>();
            for (ConfigEntry e : c.entries()) out.put(e.name(), Arrays.asList(e.value(), e.source().name(), e.isReadOnly(), e.type().name()));
            return out;
        });
    }

    static void listMetrics(String step) {
        run(step, () -> admin.listConfigResources(Set.of(ConfigResource.Type.CLIENT_METRICS), new ListConfigResourcesOptions()).all().get()
            .stream().map(r -> r.type().name() + ":" + r.name()).sorted().toList());
    }

    static void clientMetrics() {
        AlterConfigOp.OpType setOp = AlterConfigOp.OpType.SET;
        listMetrics("client_metrics_list_empty");
        alterMetrics("client_metrics_create", "metrics-a", false,
            op("metrics", "org.apache.kafka.producer.,org.apache.kafka.consumer.", setOp), op("interval.ms", "10000", setOp),
            op("match", "client_id=app.*,client_software_name=apache-kafka-java", setOp));
        alterMetrics("client_metrics_create_defaults", "metrics-b", false, op("metrics", "*", setOp));
        describeMetrics("client_metrics_describe", "metrics-a");
        describeMetrics("client_metrics_describe_defaults", "metrics-b");
        describeMetrics("client_metrics_describe_unknown", "metrics-nope");
        listMetrics("client_metrics_list");
        alterMetrics("client_metrics_interval_too_small", "metrics-a", false, op("interval.ms", "50", setOp));
        alterMetrics("client_metrics_interval_not_a_number", "metrics-a", false, op("interval.ms", "soon", setOp));
        alterMetrics("client_metrics_unknown_config", "metrics-a", false, op("foo", "1", setOp));
        alterMetrics("client_metrics_bad_match", "metrics-a", false, op("match", "color=blue", setOp));
        alterMetrics("client_metrics_bad_match_regex", "metrics-a", false, op("match", "client_id=[", setOp));
        alterMetrics("client_metrics_validate_only", "metrics-c", true, op("metrics", "*", setOp));
        alterMetrics("client_metrics_interval_too_large", "metrics-a", false, op("interval.ms", "3600001", setOp));
        alterMetrics("client_metrics_validate_only_bad", "metrics-c", true, op("interval.ms", "1", setOp));
        alterMetrics("client_metrics_empty_name", "", false, op("metrics", "*", setOp));
        alterMetrics("client_metrics_match_instance_id", "metrics-b", false, op("match", "client_instance_id=b69cc35a-7a54-4790-aa69-cc2bd4ee4538,client_source_address=127.0.0.1", setOp));
        describeMetrics("client_metrics_describe_after_match", "metrics-b");
        describeMetrics("client_metrics_describe_empty_name", "");
        run("client_metrics_list_deprecated", () -> {
            @SuppressWarnings("deprecation")
            var listed = admin.listClientMetricsResources().all().get();
            return listed.stream().map(Object::toString).sorted().toList();
        });
        run("config_resources_list_brokers_groups_metrics", () -> admin.listConfigResources(
                Set.of(ConfigResource.Type.BROKER, ConfigResource.Type.GROUP, ConfigResource.Type.CLIENT_METRICS), new ListConfigResourcesOptions()).all().get()
            .stream().map(r -> r.type().name() + ":" + r.name()).sorted().toList());
        run("config_resources_list_broker_logger", () -> admin.listConfigResources(Set.of(ConfigResource.Type.BROKER_LOGGER), new ListConfigResourcesOptions()).all().get()
            .stream().map(r -> r.type().name() + ":" + r.name()).sorted().toList());
        alterMetrics("client_metrics_append", "metrics-a", false, op("metrics", "org.apache.kafka.share.", AlterConfigOp.OpType.APPEND));
        describeMetrics("client_metrics_describe_after_append", "metrics-a");
        alterMetrics("client_metrics_delete_a", "metrics-a", false,
            op("metrics", null, AlterConfigOp.OpType.DELETE), op("interval.ms", null, AlterConfigOp.OpType.DELETE), op("match", null, AlterConfigOp.OpType.DELETE));
        alterMetrics("client_metrics_delete_b", "metrics-b", false, op("metrics", null, AlterConfigOp.OpType.DELETE), op("match", null, AlterConfigOp.OpType.DELETE));
        listMetrics("client_metrics_list_after_delete");
    }

    // ---- output ----

    static void settle() throws InterruptedException {
        if (settleMs > 0) Thread.sleep(settleMs);
    }

    static String failure(Throwable e) {
        Throwable cause = Steps.cause(e);
        return cause.getClass().getSimpleName() + ": " + cause.getMessage();
    }

    static String outcome(KafkaFuture<?> f) {
        try {
            f.get();
            return "ok";
        } catch (Exception e) {
            return failure(e);
        }
    }

    static void run(String step, Steps.Step body) {
        Steps.run(step, "result", body);
    }
}
