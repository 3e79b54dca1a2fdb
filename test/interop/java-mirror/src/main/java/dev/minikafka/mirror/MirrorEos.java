package dev.minikafka.mirror;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.connect.mirror.MirrorMaker;

import static dev.minikafka.mirror.Mirror.*;

/**
 * MirrorMaker 2 in dedicated mode with exactly-once source support, configured as Kafka's
 * documentation says ("Exactly once" under geo-replication): exactly.once.source.support=enabled
 * for the target cluster's workers, the internal REST server on, the source consumer
 * read_committed; the MirrorSourceConnector requires exactly-once (it fails rather than run
 * without) and commits its transactions on a five-second interval (at the end of the first poll
 * batch after it), so that a transaction is open most of the time records flow. It copies --topic from --source to "source.<topic>" on --target.
 *
 * Events (JSON lines): "started" once MirrorMaker is started; "mirroring" each time the mirrored
 * topic's high watermark moved, with the sums of its high watermarks ("hw") and last stable offsets
 * ("lso") over the partitions, as the target broker answers them: lso < hw means a transaction is
 * open on it. The test kills the program (SIGKILL) after such an event. With --expect N, a
 * read_committed consumer of the mirrored topic counts records from the start; when it has N, the
 * program stops MirrorMaker, prints {"event":"done","read":N} and exits 0.
 *
 * --target-properties FILE: client settings (e.g. security.protocol=SASL_SSL, sasl.*, ssl.*) for
 * MirrorMaker's connections to the target ("target." + key); --check-properties FILE: those of this
 * program's own Admin and consumer of the target (default: the same), which on a cluster with ACLs
 * may run as a principal of their own.
 */
public final class MirrorEos {
    private MirrorEos() {}

    public static void main(String[] argv) {
        try {
            run(parseArgs(argv, List.of("source", "target", "topic")));
        } catch (Throwable e) {
            fail(e);
        }
    }

    private static void run(Map<String, String> args) throws Exception {
        String topic = args.get("topic");
        String mirrored = "source." + topic;
        long expect = Long.parseLong(args.getOrDefault("expect", "-1"));
        long deadline = System.currentTimeMillis() + Long.parseLong(args.getOrDefault("timeout-ms", "150000"));

        Properties targetProps = properties(args.get("target-properties"));
        Properties checkProps = args.containsKey("check-properties") ? properties(args.get("check-properties")) : targetProps;
        Map<String, String> mm = baseConfig(args.get("source"), args.get("target"), topic);
        targetProps.forEach((k, v) -> mm.put("target." + k, String.valueOf(v)));
        mm.put("target.exactly.once.source.support", "enabled");
        mm.put("dedicated.mode.enable.internal.rest", "true");
        mm.put("listeners", "http://127.0.0.1:0");
        mm.put("source.consumer.isolation.level", "read_committed");
        mm.put("source->target.exactly.once.support", "required");
        mm.put("source->target.transaction.boundary", "interval");
        mm.put("source->target.transaction.boundary.interval.ms", "5000");
        // Only the copy of records is under test: no checkpoints, no heartbeats (each would be one
        // more Connect herder or task to start on every restart).
        mm.put("source->target.emit.checkpoints.enabled", "false");
        mm.put("source->target.emit.heartbeats.enabled", "false");
        mm.put("target->source.emit.heartbeats.enabled", "false");
        // The killed worker's group member is dropped after 6 s (Connect's default is 10 s), and the
        // restarted worker is given its task at once instead of after a delayed rebalance.
        mm.put("target.session.timeout.ms", "6000");
        mm.put("target.heartbeat.interval.ms", "1000");
        mm.put("target.scheduled.rebalance.max.delay.ms", "0");
        MirrorMaker mirrorMaker = new MirrorMaker(mm, List.of("target"));
        mirrorMaker.start();
        event("started", null);

        Properties cp = new Properties();
        cp.putAll(checkProps);
        cp.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, args.get("target"));
        cp.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        cp.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        cp.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        long read = 0;
        long lastHw = -1;
        List<TopicPartition> partitions = null;
        try (Admin admin = admin(args.get("target"), checkProps); KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(cp)) {
            while (true) {
                if (System.currentTimeMillis() > deadline) {
                    event("timeout", "\"hw\":" + lastHw + ",\"read\":" + read);
                    System.exit(3);
                }
                if (partitions == null) {
                    if (!admin.listTopics().names().get().contains(mirrored)) {
                        Thread.sleep(100);
                        continue;
                    }
                    partitions = admin.describeTopics(List.of(mirrored)).allTopicNames().get().get(mirrored).partitions().stream()
                            .map(p -> new TopicPartition(mirrored, p.partition())).toList();
                    consumer.assign(partitions);
                    consumer.seekToBeginning(partitions);
                }
                Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
                for (TopicPartition tp : partitions) latest.put(tp, OffsetSpec.latest());
                long hw = sum(admin, latest, IsolationLevel.READ_UNCOMMITTED);
                if (hw != lastHw) {
                    long lso = sum(admin, latest, IsolationLevel.READ_COMMITTED);
                    event("mirroring", "\"hw\":" + hw + ",\"lso\":" + lso);
                    lastHw = hw;
                }
                if (expect < 0) {
                    Thread.sleep(100);
                    continue;
                }
                read += consumer.poll(Duration.ofMillis(100)).count();
                if (read >= expect) break;
            }
        }
        mirrorMaker.stop();
        event("done", "\"read\":" + read);
        System.exit(0);
    }

    /** The properties in `file`; none when it is null. */
    private static Properties properties(String file) throws java.io.IOException {
        Properties p = new Properties();
        if (file == null) return p;
        try (var in = new java.io.FileInputStream(file)) {
            p.load(in);
        }
        return p;
    }

    private static long sum(Admin admin, Map<TopicPartition, OffsetSpec> specs, IsolationLevel isolation) throws Exception {
        long n = 0;
        for (var info : admin.listOffsets(specs, new ListOffsetsOptions(isolation)).all().get().values()) n += info.offset();
        return n;
    }
}
