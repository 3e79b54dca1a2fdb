package dev.minikafka.interop;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Log compaction read back by the Java clients, for test/interop/compaction.test.ts (issue 6): the
 * Admin creates a compacted topic (2 partitions, 1 MiB segments, segment.ms 1000,
 * min.cleanable.dirty.ratio 0.01, delete.retention.ms 2000, min.compaction.lag.ms 0); a producer
 * writes 100,000 updates over 1,000 keys (value = key + ":" + sequence), then tombstones for the
 * 100 keys whose number is a multiple of 10, and flushes. The active segment is never cleaned, so
 * after segment.ms it writes one record with a key of its own ("roll-P") to each partition P, which
 * rolls it; those 2 keys are live too, so 902 records are expected in the end.
 *
 * A consumer (assign, not subscribe) then reads each partition from the beginning to its end offset,
 * every 250 ms, until the log holds exactly one record per live key, with its latest value, at the
 * offset it was produced at, and no tombstone nor any record of a deleted key: compaction ran and the
 * tombstones went once delete.retention.ms had passed. Offsets must increase, with gaps.
 *
 * Prints one JSON line per step ("create_topic", "produce", "roll", "read" per round, "compacted",
 * "delete_topic") and exits 1 when the deadline passes first or a step fails.
 *
 *   java -cp interop.jar dev.minikafka.interop.Compacted --bootstrap B --topic T [--deadline-ms 60000]
 */
public final class Compacted {
    static final int KEYS = 1000;
    static final int UPDATES = 100_000;
    static final int PARTITIONS = 2;
    static final long SEGMENT_MS = 1000;
    static final long DELETE_RETENTION_MS = 2000;

    static String key(int k) {
        return String.format("key-%04d", k);
    }

    static boolean deleted(int k) {
        return k % 10 == 0;
    }

    public static void main(String[] argv) throws Exception {
        Map<String, String> args = new HashMap<>();
        for (int i = 0; i + 1 < argv.length; i += 2) args.put(argv[i].replaceFirst("^--", ""), argv[i + 1]);
        String bootstrap = args.get("bootstrap");
        String topic = args.get("topic");
        long deadlineMs = Long.parseLong(args.getOrDefault("deadline-ms", "60000"));
        boolean ok = false;

        Properties ap = new Properties();
        ap.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        ap.put(AdminClientConfig.CLIENT_ID_CONFIG, "interop-java-compacted");
        try (Admin admin = Admin.create(ap)) {
            admin.createTopics(List.of(new NewTopic(topic, PARTITIONS, (short) 1).configs(Map.of(
                "cleanup.policy", "compact",
                "segment.bytes", "1048576",
                "segment.ms", String.valueOf(SEGMENT_MS),
                "min.cleanable.dirty.ratio", "0.01",
                "delete.retention.ms", String.valueOf(DELETE_RETENTION_MS),
                "min.compaction.lag.ms", "0")))).all().get();
            print(line("create_topic", true));

            // The latest value of every key (null: deleted) and the offset it was produced at.
            Map<String, String> latest = new HashMap<>();
            Map<String, Long> latestOffset = new ConcurrentHashMap<>();
            Map<String, Integer> partitionOf = new ConcurrentHashMap<>();
            AtomicReference<Exception> sendError = new AtomicReference<>();

            Properties pp = new Properties();
            pp.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
            pp.put(ProducerConfig.CLIENT_ID_CONFIG, "interop-java-compacted");
            pp.put(ProducerConfig.ACKS_CONFIG, "all");
            pp.put(ProducerConfig.LINGER_MS_CONFIG, "5");
            pp.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
            pp.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
            long t0 = System.currentTimeMillis();
            try (KafkaProducer<String, String> producer = new KafkaProducer<>(pp)) {
                int tombstones = 0;
                for (int i = 0; i < UPDATES + KEYS / 10; i++) {
                    String k;
                    String v;
                    if (i < UPDATES) {
                        k = key(i % KEYS);
                        v = k + ":" + i;
                    } else {
                        k = key((i - UPDATES) * 10);
                        v = null;
                        tombstones++;
                    }
                    send(producer, topic, null, k, v, latest, latestOffset, partitionOf, sendError);
                }
                producer.flush();
                if (sendError.get() != null) throw sendError.get();
                Map<String, Object> l = line("produce", true);
                l.put("updates", UPDATES);
                l.put("tombstones", tombstones);
                l.put("keys", KEYS);
                l.put("ms", System.currentTimeMillis() - t0);
                print(l);

                // Roll every partition's active segment: one more update of a live key in each,
                // timestamped more than segment.ms after the records before it.
                Thread.sleep(SEGMENT_MS + 500);
                // A key of its own per partition: a newer value of an existing key would sit in the new
                // active segment, which the cleaner never reads, so its older copy would stay (as in Kafka).
                Set<Integer> rolled = new HashSet<>();
                for (int p = 0; p < PARTITIONS; p++) {
                    send(producer, topic, p, "roll-" + p, "roll-" + p + ":0", latest, latestOffset, partitionOf, sendError);
                    rolled.add(p);
                }
                producer.flush();
                if (sendError.get() != null) throw sendError.get();
                Map<String, Object> r = line("roll", true);
                r.put("partitions", rolled.size());
                print(r);
            }

            int live = 0;
            for (String v : latest.values()) if (v != null) live++;

            Properties cp = new Properties();
            cp.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
            cp.put(ConsumerConfig.CLIENT_ID_CONFIG, "interop-java-compacted");
            cp.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
            cp.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
            cp.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
            cp.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
            try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(cp)) {
                List<TopicPartition> tps = new ArrayList<>();
                for (int p = 0; p < PARTITIONS; p++) tps.add(new TopicPartition(topic, p));
                consumer.assign(tps);
                long start = System.currentTimeMillis();
                long compactedWithTombstonesAt = -1;
                Map<String, Object> last = null;
                for (int round = 1; ; round++) {
                    Map<TopicPartition, Long> ends = consumer.endOffsets(tps);
                    consumer.seekToBeginning(tps);
                    List<ConsumerRecord<String, String>> records = new ArrayList<>();
                    long readDeadline = System.currentTimeMillis() + 30_000;
                    while (!caughtUp(consumer, tps, ends)) {
                        if (System.currentTimeMillis() > readDeadline) throw new IllegalStateException("reading to the end offsets took over 30 s");
                        for (ConsumerRecord<String, String> rec : consumer.poll(Duration.ofMillis(500))) records.add(rec);
                    }
                    // Check what was read.
                    Map<String, Integer> seen = new HashMap<>();
                    int stale = 0, tombstones = 0, deletedKeys = 0, misplaced = 0, offsetErrors = 0;
                    Map<Integer, long[]> perPartition = new LinkedHashMap<>(); // count, first, last
                    for (ConsumerRecord<String, String> rec : records) {
                        long[] pp2 = perPartition.computeIfAbsent(rec.partition(), x -> new long[] {0, -1, -1});
                        if (pp2[2] >= rec.offset()) offsetErrors++;
                        if (pp2[1] < 0) pp2[1] = rec.offset();
                        pp2[0]++;
                        pp2[2] = rec.offset();
                        if (rec.value() == null) tombstones++;
                        String want = latest.get(rec.key());
                        if (want == null) {
                            if (rec.value() != null) deletedKeys++;
                            continue;
                        }
                        seen.merge(rec.key(), 1, Integer::sum);
                        if (!want.equals(rec.value())) stale++;
                        else if (!Long.valueOf(rec.offset()).equals(latestOffset.get(rec.key()))) misplaced++;
                    }
                    int liveKeys = seen.size();
                    boolean onePerKey = true;
                    for (int n : seen.values()) if (n != 1) onePerKey = false;
                    boolean gaps = true;
                    List<Object> parts = new ArrayList<>();
                    for (TopicPartition tp : tps) {
                        long[] c = perPartition.getOrDefault(tp.partition(), new long[] {0, -1, -1});
                        if (!(c[0] > 0 && c[2] - c[1] + 1 > c[0])) gaps = false;
                        parts.add(List.of(tp.partition(), c[0], c[1], c[2], ends.get(tp)));
                    }
                    boolean compacted = stale == 0 && misplaced == 0 && onePerKey && liveKeys == live && offsetErrors == 0;
                    if (compacted && tombstones > 0 && compactedWithTombstonesAt < 0) compactedWithTombstonesAt = System.currentTimeMillis();
                    boolean done = compacted && tombstones == 0 && deletedKeys == 0 && records.size() == live && gaps;
                    Map<String, Object> l = line("read", true);
                    l.put("round", round);
                    l.put("ms", System.currentTimeMillis() - start);
                    l.put("records", records.size());
                    l.put("liveKeys", liveKeys);
                    l.put("expectedLiveKeys", live);
                    l.put("stale", stale);
                    l.put("misplaced", misplaced);
                    l.put("tombstones", tombstones);
                    l.put("deletedKeys", deletedKeys);
                    l.put("offsetErrors", offsetErrors);
                    l.put("gaps", gaps);
                    l.put("partitions", parts);
                    l.put("done", done);
                    print(l);
                    last = l;
                    if (done) {
                        ok = true;
                        break;
                    }
                    if (System.currentTimeMillis() - start > deadlineMs) break;
                    Thread.sleep(250);
                }
                Map<String, Object> f = new LinkedHashMap<>(last);
                f.put("step", "compacted");
                f.put("ok", ok);
                f.remove("round");
                f.remove("done");
                // How long the tombstones outlived the compaction that first reached them.
                f.put("tombstonesSeenCompacted", compactedWithTombstonesAt >= 0);
                f.put("tombstoneWindowMs", compactedWithTombstonesAt < 0 ? -1 : System.currentTimeMillis() - compactedWithTombstonesAt);
                print(f);
            }
            admin.deleteTopics(List.of(topic)).all().get();
            print(line("delete_topic", true));
        } catch (Exception e) {
            Map<String, Object> l = line("error", false);
            l.put("error", e.getClass().getSimpleName());
            l.put("message", String.valueOf(e.getMessage()));
            print(l);
            ok = false;
        }
        System.exit(ok ? 0 : 1);
    }

    static void send(KafkaProducer<String, String> producer, String topic, Integer partition, String k, String v, Map<String, String> latest,
        Map<String, Long> latestOffset, Map<String, Integer> partitionOf, AtomicReference<Exception> error) {
        latest.put(k, v);
        // Sends to one partition complete in order, so the last callback per key holds its latest offset.
        producer.send(new ProducerRecord<>(topic, partition, k, v), (md, e) -> {
            if (e != null) {
                error.compareAndSet(null, e);
                return;
            }
            latestOffset.put(k, md.offset());
            partitionOf.put(k, md.partition());
        });
    }

    static boolean caughtUp(KafkaConsumer<String, String> consumer, List<TopicPartition> tps, Map<TopicPartition, Long> ends) {
        for (TopicPartition tp : tps) if (consumer.position(tp) < ends.get(tp)) return false;
        return true;
    }

    static Map<String, Object> line(String step, boolean ok) {
        Map<String, Object> l = new LinkedHashMap<>();
        l.put("step", step);
        l.put("ok", ok);
        return l;
    }

    static void print(Map<String, Object> l) {
        System.out.println(Interop.toJson(l));
        System.out.flush();
    }
}
