package dev.minikafka.interop;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Failover: an idempotent acks=all KafkaProducer sends --records records (key k<i % 16>, value
 * "i<i>") to an existing --topic at --rate records/s, while a group consumer (--group, offsets
 * committed after every poll and before a revocation) reads them at the same time, and the test
 * stops and restarts brokers under both. Then it checks that every acknowledged record was
 * consumed exactly once, and in the order sent within each partition.
 *
 * Steps: "producing" (once the producer and consumer run, for the test to start its faults),
 * "produce" (acknowledged and failed sends), "check_exactly_once_in_order".
 */
public final class Failover {
    private Failover() {}

    public static void main(String[] argv) throws Exception {
        Map<String, String> args = Interop.parseArgs(argv);
        String bootstrap = Interop.required(args, "bootstrap");
        String topic = Interop.required(args, "topic");
        String group = args.getOrDefault("group", topic + "-group");
        int n = Integer.parseInt(args.getOrDefault("records", "20000"));
        int rate = Integer.parseInt(args.getOrDefault("rate", "2000"));
        long consumeDeadlineMs = Long.parseLong(args.getOrDefault("consume-timeout-ms", "90000"));

        AtomicIntegerArray acked = new AtomicIntegerArray(n);
        AtomicIntegerArray seen = new AtomicIntegerArray(n);
        AtomicInteger ackedCount = new AtomicInteger();
        AtomicBoolean producing = new AtomicBoolean(true);
        List<String> problems = new ArrayList<>();
        AtomicInteger assignments = new AtomicInteger();
        AtomicInteger commitErrors = new AtomicInteger();
        AtomicInteger consumed = new AtomicInteger();

        Properties c = new Properties();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        c.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        c.put(ConsumerConfig.CLIENT_ID_CONFIG, "interop-java-failover-consumer");
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        c.put(ConsumerConfig.RECONNECT_BACKOFF_MS_CONFIG, 10);
        c.put(ConsumerConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 200);
        c.put(ConsumerConfig.RETRY_BACKOFF_MS_CONFIG, 10);
        c.put(ConsumerConfig.RETRY_BACKOFF_MAX_MS_CONFIG, 200);
        c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        if (args.containsKey("group-protocol")) c.put(ConsumerConfig.GROUP_PROTOCOL_CONFIG, args.get("group-protocol"));

        Thread consumerThread = new Thread(() -> {
            Map<Integer, Integer> lastPerPartition = new HashMap<>();
            try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(c)) {
                consumer.subscribe(List.of(topic), new ConsumerRebalanceListener() {
                    @Override public void onPartitionsRevoked(Collection<TopicPartition> parts) {
                        try { consumer.commitSync(); } catch (Exception e) { commitErrors.incrementAndGet(); }
                    }
                    @Override public void onPartitionsAssigned(Collection<TopicPartition> parts) { assignments.incrementAndGet(); }
                });
                long deadline = Long.MAX_VALUE;
                while (System.currentTimeMillis() < deadline) {
                    if (!producing.get() && deadline == Long.MAX_VALUE) deadline = System.currentTimeMillis() + consumeDeadlineMs;
                    int got = 0;
                    for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                        got++;
                        consumed.incrementAndGet();
                        int i = Integer.parseInt(Interop.str(r.value()).substring(1));
                        if (seen.incrementAndGet(i) > 1) synchronized (problems) { problems.add("record " + i + " consumed twice"); }
                        Integer last = lastPerPartition.put(r.partition(), i);
                        if (last != null && i <= last) synchronized (problems) { problems.add("partition " + r.partition() + ": " + i + " after " + last); }
                    }
                    if (got > 0) {
                        try { consumer.commitSync(); } catch (Exception e) { commitErrors.incrementAndGet(); }
                    }
                    if (!producing.get() && allAckedSeen(acked, seen, n)) break;
                }
            }
        }, "failover-consumer");
        consumerThread.start();

        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.CLIENT_ID_CONFIG, "interop-java-failover-producer");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.LINGER_MS_CONFIG, 2);
        p.put(ProducerConfig.RECONNECT_BACKOFF_MS_CONFIG, 10);
        p.put(ProducerConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 200);
        p.put(ProducerConfig.RETRY_BACKOFF_MS_CONFIG, 10);
        p.put(ProducerConfig.RETRY_BACKOFF_MAX_MS_CONFIG, 200);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        List<Exception> errors = new ArrayList<>();
        long start = System.nanoTime();
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p)) {
            // The first send waits for metadata: the test starts its faults once the pipeline runs.
            producer.partitionsFor(topic);
            Interop.step("producing", true, Map.of("records", n, "rate", rate));
            for (int i = 0; i < n; i++) {
                long due = start + (long) i * 1_000_000_000L / rate;
                long wait = due - System.nanoTime();
                if (wait > 0) Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                final int idx = i;
                producer.send(new ProducerRecord<>(topic, Interop.utf8(Interop.key(i)), Interop.utf8("i" + i)), (md, err) -> {
                    if (err == null) {
                        acked.set(idx, 1);
                        ackedCount.incrementAndGet();
                    } else synchronized (errors) { errors.add(err); }
                });
            }
            producer.flush();
        }
        producing.set(false);
        Interop.step("produce", errors.isEmpty(), Map.of("records", n, "acked", ackedCount.get(), "errors", errors.size(), "ms", (System.nanoTime() - start) / 1_000_000,
                "first", errors.isEmpty() ? "" : String.valueOf(errors.get(0))));
        consumerThread.join();

        int missing = 0;
        synchronized (problems) {
            for (int i = 0; i < n; i++) {
                if (acked.get(i) == 1 && seen.get(i) == 0) {
                    missing++;
                    if (problems.size() < 50) problems.add("acknowledged record " + i + " never consumed");
                }
            }
        }
        Map<String, Object> extra = new LinkedHashMap<>();
        extra.put("acked", ackedCount.get());
        extra.put("consumed", consumed.get());
        extra.put("missing", missing);
        extra.put("assignments", assignments.get());
        extra.put("commitErrors", commitErrors.get());
        Interop.step("check_exactly_once_in_order", problems.isEmpty() && ackedCount.get() > 0, Interop.problemsDetail(problems, extra));
        System.out.flush();
        System.exit(Interop.failed ? 1 : 0);
    }

    static boolean allAckedSeen(AtomicIntegerArray acked, AtomicIntegerArray seen, int n) {
        for (int i = 0; i < n; i++) if (acked.get(i) == 1 && seen.get(i) == 0) return false;
        return true;
    }
}
