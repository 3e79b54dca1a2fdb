package dev.minikafka.interop;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.AlterConfigsOptions;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.DescribeConfigsOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.ConfigResource;

/**
 * Topic and broker configs through the Java Admin client, for test/interop/configs.test.ts: describe
 * (with synonyms and documentation), incrementally alter (SET, DELETE, APPEND, SUBTRACT, validateOnly)
 * topic, broker and cluster-default configs, and the errors Admin raises. Kafka 4.x's Admin has no
 * legacy alterConfigs any more; that API is tested over the wire (test/e2e/configs.test.ts).
 *
 * Prints one JSON line per step: {"step":NAME,"ok":true,"entries":[[name,value,source,readOnly,
 * sensitive,type,[[synonym,value,source],...],hasDocumentation],...]} for describes,
 * {"step":NAME,"ok":true} for alters, {"step":NAME,"ok":false,"error":CLASS,"message":MSG} for failures.
 *
 *   java -cp interop.jar dev.minikafka.interop.Configs --bootstrap B --topic T [--settle-ms N]
 *
 * --settle-ms waits after each successful alter: Apache Kafka applies config changes through its
 * metadata log, so a describe right after an alter may not see them yet there. (Admin sends a
 * broker resource to that broker, so an unknown broker id only times out; the wire test covers it.)
 */
public final class Configs {
    static Admin admin;
    static long settleMs;

    public static void main(String[] argv) throws Exception {
        Map<String, String> args = Steps.args(argv);
        String topic = args.get("topic");
        settleMs = Long.parseLong(args.getOrDefault("settle-ms", "0"));
        Properties props = Steps.adminProps(args, "interop-java-configs");
        try (Admin a = Admin.create(props)) {
            admin = a;
            ConfigResource t = new ConfigResource(ConfigResource.Type.TOPIC, topic);
            ConfigResource broker = new ConfigResource(ConfigResource.Type.BROKER, "1");
            ConfigResource cluster = new ConfigResource(ConfigResource.Type.BROKER, "");
            List<String> topicKeys = List.of("cleanup.policy", "retention.ms", "segment.bytes", "max.message.bytes", "min.insync.replicas");
            List<String> brokerKeys = List.of("broker.id", "node.id", "num.partitions", "default.replication.factor", "min.insync.replicas",
                "auto.create.topics.enable", "log.retention.hours", "log.retention.ms", "log.retention.bytes", "log.segment.bytes",
                "log.cleanup.policy", "log.cleaner.enable", "message.max.bytes", "offsets.topic.replication.factor",
                "transaction.state.log.replication.factor", "group.initial.rebalance.delay.ms", "ssl.keystore.password");

            run("create_topic", () -> {
                admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1).configs(Map.of("retention.ms", "1000")))).all().get();
                return null;
            });
            describe("describe_topic", t, null);
            describe("describe_broker", broker, brokerKeys);
            describe("describe_cluster_default", cluster, null);
            describe("describe_unknown_topic", new ConfigResource(ConfigResource.Type.TOPIC, topic + "-nope"), null);

            alter("topic_set", t, false, op("retention.ms", "2000", AlterConfigOp.OpType.SET), op("cleanup.policy", "compact", AlterConfigOp.OpType.SET));
            describe("topic_after_set", t, topicKeys);
            alter("topic_append", t, false, op("cleanup.policy", "delete", AlterConfigOp.OpType.APPEND));
            describe("topic_after_append", t, List.of("cleanup.policy"));
            alter("topic_subtract", t, false, op("cleanup.policy", "compact", AlterConfigOp.OpType.SUBTRACT));
            describe("topic_after_subtract", t, List.of("cleanup.policy"));
            alter("topic_delete", t, false, op("retention.ms", null, AlterConfigOp.OpType.DELETE), op("retention.bytes", null, AlterConfigOp.OpType.DELETE));
            describe("topic_after_delete", t, topicKeys);
            alter("topic_validate_only", t, true, op("retention.ms", "5", AlterConfigOp.OpType.SET));
            describe("topic_after_validate_only", t, List.of("retention.ms"));
            alter("topic_unknown_config", t, false, op("foo.bar", "1", AlterConfigOp.OpType.SET));
            alter("topic_bad_value", t, false, op("retention.ms", "abc", AlterConfigOp.OpType.SET));
            alter("topic_append_not_list", t, false, op("retention.ms", "5", AlterConfigOp.OpType.APPEND));
            alter("topic_unknown", new ConfigResource(ConfigResource.Type.TOPIC, topic + "-nope"), false, op("retention.ms", "5", AlterConfigOp.OpType.SET));

            alter("broker_set", broker, false, op("log.retention.ms", "5000", AlterConfigOp.OpType.SET));
            describe("broker_after_set", broker, List.of("log.retention.ms", "log.retention.hours"));
            describe("topic_after_broker_set", t, List.of("retention.ms"));
            alter("cluster_set", cluster, false, op("log.segment.bytes", "2000000", AlterConfigOp.OpType.SET));
            describe("broker_after_cluster_set", broker, List.of("log.segment.bytes"));
            describe("cluster_after_set", cluster, null);
            describe("topic_after_cluster_set", t, List.of("segment.bytes"));
            alter("broker_read_only", broker, false, op("num.partitions", "3", AlterConfigOp.OpType.SET));
            alter("broker_bad_value", broker, false, op("log.segment.bytes", "5", AlterConfigOp.OpType.SET));
            alter("cluster_per_broker_config", cluster, false, op("listeners", "PLAINTEXT://:1", AlterConfigOp.OpType.SET));
            alter("broker_append", broker, false, op("log.cleanup.policy", "compact", AlterConfigOp.OpType.APPEND));
            describe("broker_after_append", broker, List.of("log.cleanup.policy"));
            alter("broker_reset", broker, false, op("log.retention.ms", null, AlterConfigOp.OpType.DELETE), op("log.cleanup.policy", null, AlterConfigOp.OpType.DELETE));
            alter("cluster_reset", cluster, false, op("log.segment.bytes", null, AlterConfigOp.OpType.DELETE));
            describe("broker_after_reset", broker, List.of("log.cleanup.policy", "log.retention.ms", "log.segment.bytes"));

            run("delete_topic", () -> {
                admin.deleteTopics(List.of(topic)).all().get();
                return null;
            });
        }
    }

    static AlterConfigOp op(String name, String value, AlterConfigOp.OpType type) {
        return new AlterConfigOp(new ConfigEntry(name, value), type);
    }

    static void alter(String step, ConfigResource resource, boolean validateOnly, AlterConfigOp... ops) {
        run(step, () -> {
            Map<ConfigResource, Collection<AlterConfigOp>> m = Map.of(resource, List.of(ops));
            admin.incrementalAlterConfigs(m, new AlterConfigsOptions().validateOnly(validateOnly)).all().get();
            if (settleMs > 0 && !validateOnly) Thread.sleep(settleMs);
            return null;
        });
    }

    static void describe(String step, ConfigResource resource, List<String> keys) {
        run(step, () -> {
            Config config = admin.describeConfigs(List.of(resource), new DescribeConfigsOptions().includeSynonyms(true).includeDocumentation(true))
                .all().get().get(resource);
            List<ConfigEntry> entries = new ArrayList<>(config.entries());
            entries.sort(Comparator.comparing(ConfigEntry::name));
            List<Object> out = new ArrayList<>();
            for (ConfigEntry e : entries) {
                if (keys != null && !keys.contains(e.name())) continue;
                List<Object> synonyms = new ArrayList<>();
                for (ConfigEntry.ConfigSynonym s : e.synonyms()) synonyms.add(Arrays.asList(s.name(), s.value(), s.source().name()));
                out.add(Arrays.asList(e.name(), e.value(), e.source().name(), e.isReadOnly(), e.isSensitive(), e.type().name(), synonyms,
                    e.documentation() != null && !e.documentation().isEmpty()));
            }
            return out;
        });
    }

    static void run(String step, Steps.Step body) {
        Steps.run(step, "entries", body);
    }
}
