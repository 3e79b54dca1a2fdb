package dev.minikafka.interop;

import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.cli.ConnectDistributed;
import org.apache.kafka.connect.runtime.Connect;
import org.apache.kafka.connect.runtime.Herder;
import org.apache.kafka.connect.runtime.distributed.DistributedHerder;
import org.apache.kafka.connect.runtime.rest.entities.ConnectorInfo;
import org.apache.kafka.connect.util.FutureCallback;

/**
 * A Kafka Connect distributed worker, unchanged, with exactly.once.source.support=enabled, in this
 * process: it keeps its configs, offsets and status in topics of --group (created by the worker),
 * and runs CounterSourceConnector with exactly.once.support=required, which writes "v0" ..
 * "v{records-1}" to --topic, a second's worth of polls' records and their source offset in one
 * transaction.
 *
 * It runs until a read_committed consumer of --topic has seen every value, then stops the worker
 * and prints {"event":"done"}. The test kills it (SIGKILL) at random points and restarts it: the
 * restarted worker rejoins the group, fences the dead task's transactional producer (Admin
 * fenceProducers), and the task resumes from the last committed source offset, so each value is in
 * the topic exactly once.
 */
public final class ConnectEos {
    private ConnectEos() {}

    public static void main(String[] argv) {
        try {
            run(Interop.parseArgs(argv));
        } catch (Throwable e) {
            // Connect's threads would keep the JVM alive: report and exit.
            System.out.println("{\"event\":\"error\",\"detail\":" + Interop.toJson(String.valueOf(e)) + "}");
            System.exit(1);
        }
    }

    private static void run(Map<String, String> args) throws Exception {
        String bootstrap = Interop.required(args, "bootstrap");
        String group = Interop.required(args, "group");
        String topic = Interop.required(args, "topic");
        long records = Long.parseLong(Interop.required(args, "records"));

        Map<String, String> w = workerConfig(bootstrap, group);
        Connect<DistributedHerder> connect = new ConnectDistributed().startConnect(w);
        Ctp.event("worker_started");

        Map<String, String> c = counterConfig("counter", topic, records, Integer.parseInt(args.getOrDefault("batch", "10")));
        c.put("pause.ms", args.getOrDefault("pause-ms", "0"));
        // Transactions of one second (about 20 polls) rather than one per poll: the task's pause is
        // inside poll(), so with per-poll transactions one would be open only while the worker
        // sends a batch, and a kill would rarely land in one. Either way each transaction holds its
        // records and the source offset they reach.
        c.put("transaction.boundary", "interval");
        c.put("transaction.boundary.interval.ms", "1000");
        FutureCallback<Herder.Created<ConnectorInfo>> created = new FutureCallback<>();
        connect.herder().putConnectorConfig("counter", c, true, created);
        created.get(90, TimeUnit.SECONDS);
        Ctp.event("connector_configured");

        Properties cp = Interop.readCommittedStrings(bootstrap);
        Set<String> seen = new HashSet<>();
        try (KafkaConsumer<String, String> watcher = new KafkaConsumer<>(cp)) {
            watcher.assign(watcher.partitionsFor(topic).stream().map(i -> new TopicPartition(topic, i.partition())).toList());
            long deadline = System.currentTimeMillis() + Long.parseLong(args.getOrDefault("timeout-ms", "120000"));
            while (seen.size() < records) {
                if (System.currentTimeMillis() > deadline) {
                    System.out.println("{\"event\":\"timeout\",\"seen\":" + seen.size() + "}");
                    System.exit(3);
                }
                for (ConsumerRecord<String, String> r : watcher.poll(Duration.ofMillis(200))) seen.add(r.value());
            }
        }
        connect.stop();
        System.out.println("{\"event\":\"done\",\"seen\":" + seen.size() + "}");
        System.exit(0);
    }

    /**
     * A distributed worker of group `group` with exactly.once.source.support=enabled: configs,
     * offsets and status in topics "<group>-configs|offsets|status" (created by the worker), string
     * converters, the REST server on a free port, plugins from ServiceLoader manifests.
     */
    static Map<String, String> workerConfig(String bootstrap, String group) {
        Map<String, String> w = new HashMap<>();
        w.put("bootstrap.servers", bootstrap);
        w.put("group.id", group);
        w.put("config.storage.topic", group + "-configs");
        w.put("offset.storage.topic", group + "-offsets");
        w.put("status.storage.topic", group + "-status");
        w.put("config.storage.replication.factor", "1");
        w.put("offset.storage.replication.factor", "1");
        w.put("status.storage.replication.factor", "1");
        w.put("key.converter", "org.apache.kafka.connect.storage.StringConverter");
        w.put("value.converter", "org.apache.kafka.connect.storage.StringConverter");
        w.put("listeners", "http://127.0.0.1:0");
        w.put("exactly.once.source.support", "enabled");
        w.put("offset.flush.interval.ms", "500");
        // A killed worker's tasks go to its successor at once, not after the default 5 minutes.
        w.put("scheduled.rebalance.max.delay.ms", "0");
        w.put("session.timeout.ms", "6000");
        w.put("heartbeat.interval.ms", "1000");
        // Plugins from ServiceLoader manifests only: no reflective scan of the whole classpath.
        w.put("plugin.discovery", "service_load");
        return w;
    }

    /** CounterSourceConnector `name`, one task, exactly-once required: "v0" .. to `topic`, `batch` per poll. */
    static Map<String, String> counterConfig(String name, String topic, long records, int batch) {
        Map<String, String> c = new HashMap<>();
        c.put("name", name);
        c.put("connector.class", CounterSourceConnector.class.getName());
        c.put("tasks.max", "1");
        c.put("topic", topic);
        c.put("records", String.valueOf(records));
        c.put("batch", String.valueOf(batch));
        c.put("exactly.once.support", "required");
        return c;
    }
}
