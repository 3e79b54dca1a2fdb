package dev.minikafka.mirror;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.TopicPartition;

/** What MirrorRun and MirrorEos share: arguments, JSON event lines, the base MirrorMaker config. */
final class Mirror {
    private Mirror() {}

    /**
     * MirrorMaker 2 from cluster "source" to cluster "target", copying `topic` only, with every
     * internal topic at replication factor 1 (the clusters have one broker) and 1 s refreshes.
     */
    static Map<String, String> baseConfig(String source, String target, String topic) {
        Map<String, String> mm = new HashMap<>();
        mm.put("clusters", "source, target");
        mm.put("source.bootstrap.servers", source);
        mm.put("target.bootstrap.servers", target);
        mm.put("source->target.enabled", "true");
        mm.put("source->target.topics", topic);
        mm.put("target->source.enabled", "false");
        for (String rf : List.of("replication.factor", "checkpoints.topic.replication.factor", "heartbeats.topic.replication.factor",
                "offset-syncs.topic.replication.factor", "offset.storage.replication.factor", "status.storage.replication.factor",
                "config.storage.replication.factor")) {
            mm.put(rf, "1");
        }
        mm.put("refresh.topics.interval.seconds", "1");
        // Plugins found through their ServiceLoader manifests only (all of Kafka's have one): the
        // default also scans the classpath by reflection, ~25 s per scan on a loaded 2-core
        // machine, once for MirrorMaker's config and once per Connect herder (whose worker config
        // takes the target cluster's properties).
        for (String prefix : List.of("", "source.", "target.")) mm.put(prefix + "plugin.discovery", "service_load");
        return mm;
    }

    static Admin admin(String bootstrap) {
        return admin(bootstrap, new Properties());
    }

    /** An Admin of `bootstrap` with `extra` client settings (security). */
    static Admin admin(String bootstrap, Properties extra) {
        Properties p = new Properties();
        p.putAll(extra);
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        return Admin.create(p);
    }

    /** {"0": offset, ...} by partition. */
    static String json(Map<TopicPartition, Long> offsets) {
        StringBuilder sb = new StringBuilder("{");
        for (var e : offsets.entrySet()) {
            if (sb.length() > 1) sb.append(',');
            sb.append('"').append(e.getKey().partition()).append("\":").append(e.getValue());
        }
        return sb.append('}').toString();
    }

    static void event(String name, String fields) {
        System.out.println("{\"event\":\"" + name + "\"" + (fields == null ? "" : "," + fields) + "}");
        System.out.flush();
    }

    /** Reports a failure as an "error" event and exits 1: MirrorMaker's threads would keep the JVM alive. */
    static void fail(Throwable e) {
        event("error", "\"detail\":\"" + String.valueOf(e).replace("\\", "\\\\").replace("\"", "\\\"") + "\"");
        System.exit(1);
    }

    static Map<String, String> parseArgs(String[] argv, List<String> required) {
        Map<String, String> m = new HashMap<>();
        for (int i = 0; i + 1 < argv.length; i += 2) {
            if (!argv[i].startsWith("--")) throw new IllegalArgumentException("expected --name value pairs, got " + argv[i]);
            m.put(argv[i].substring(2), argv[i + 1]);
        }
        for (String k : required) if (!m.containsKey(k)) throw new IllegalArgumentException("--" + k + " is required");
        return m;
    }
}
