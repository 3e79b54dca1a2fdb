package dev.minikafka.interop;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicBoolean;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * One member of the online group migration scenario (test/interop/group-migration.test.ts): a
 * consumer of the given group protocol that reports, as JSON lines with wall-clock timestamps
 * (every member runs on the same machine, so they compare), each partition it gains and gives up
 * (from its rebalance listener) and each batch of records it read, with whether the batch's offsets
 * were committed (synchronously, before the report). Leaves the group on "stop" on stdin.
 *
 *   java -cp interop.jar dev.minikafka.interop.GroupMigration --bootstrap B --topic T --group G
 *       --protocol classic|consumer --name N
 *
 * Classic members keep the Java client's default assignors (range, cooperative-sticky: the eager
 * rebalance protocol), as a deployment that never set them does.
 */
public final class GroupMigration {
    static synchronized void emit(String json) {
        System.out.println(json);
        System.out.flush();
    }

    static String partitions(Collection<TopicPartition> tps) {
        Set<Integer> ps = new TreeSet<>();
        for (TopicPartition tp : tps) ps.add(tp.partition());
        return ps.toString().replace(" ", "");
    }

    public static void main(String[] argv) throws Exception {
        Map<String, String> args = new HashMap<>();
        for (int i = 0; i + 1 < argv.length; i += 2) args.put(argv[i].replaceFirst("^--", ""), argv[i + 1]);
        String protocol = args.get("protocol");
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, args.get("bootstrap"));
        p.put(ConsumerConfig.GROUP_ID_CONFIG, args.get("group"));
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, args.get("name"));
        p.put(ConsumerConfig.GROUP_PROTOCOL_CONFIG, protocol);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "50");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        if (protocol.equals("classic")) {
            p.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, "10000");
            p.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, "500");
        }
        AtomicBoolean stop = new AtomicBoolean(false);
        Thread stdin = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) if (line.trim().equals("stop")) break;
            } catch (Exception ignored) {
                // stdin closed: stop too
            }
            stop.set(true);
        });
        stdin.setDaemon(true);
        stdin.start();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p)) {
            consumer.subscribe(List.of(args.get("topic")), new ConsumerRebalanceListener() {
                public void onPartitionsRevoked(Collection<TopicPartition> ps) {
                    if (!ps.isEmpty()) emit("{\"event\":\"revoked\",\"partitions\":" + partitions(ps) + ",\"ts\":" + System.currentTimeMillis() + "}");
                }
                public void onPartitionsAssigned(Collection<TopicPartition> ps) {
                    if (!ps.isEmpty()) emit("{\"event\":\"assigned\",\"partitions\":" + partitions(ps) + ",\"ts\":" + System.currentTimeMillis() + "}");
                }
                public void onPartitionsLost(Collection<TopicPartition> ps) {
                    if (!ps.isEmpty()) emit("{\"event\":\"lost\",\"partitions\":" + partitions(ps) + ",\"ts\":" + System.currentTimeMillis() + "}");
                }
            });
            emit("{\"event\":\"started\",\"protocol\":\"" + protocol + "\",\"ts\":" + System.currentTimeMillis() + "}");
            while (!stop.get()) {
                ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(100));
                if (records.isEmpty()) continue;
                StringBuilder sb = new StringBuilder("[");
                Map<TopicPartition, OffsetAndMetadata> commit = new HashMap<>();
                for (ConsumerRecord<byte[], byte[]> r : records) {
                    if (sb.length() > 1) sb.append(',');
                    sb.append('[').append(r.partition()).append(',').append(r.offset()).append(']');
                    commit.put(new TopicPartition(r.topic(), r.partition()), new OffsetAndMetadata(r.offset() + 1));
                }
                String error = null;
                try {
                    consumer.commitSync(commit);
                } catch (Exception e) {
                    // A commit refused in a rebalance: those records are read again by the next owner.
                    error = e.getClass().getSimpleName();
                }
                emit("{\"event\":\"records\",\"records\":" + sb.append(']') + ",\"committed\":" + (error == null)
                    + (error == null ? "" : ",\"error\":\"" + error + "\"") + ",\"ts\":" + System.currentTimeMillis() + "}");
            }
        }
        emit("{\"event\":\"closed\",\"ts\":" + System.currentTimeMillis() + "}");
    }
}
