package dev.minikafka.interop;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.quota.ClientQuotaAlteration;
import org.apache.kafka.common.quota.ClientQuotaEntity;
import org.apache.kafka.common.quota.ClientQuotaFilter;
import org.apache.kafka.common.quota.ClientQuotaFilterComponent;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Quota enforcement seen by the official Java clients (issue 11): byte-rate quotas set the way a
 * Kafka user sets them (Admin.alterClientQuotas on client-id entities: producer_byte_rate for
 * PREFIX-producer, consumer_byte_rate for PREFIX-consumer), then
 *
 *   1. a producer (client.id PREFIX-producer) sends 1000-byte records as fast as it can for
 *      --seconds: acknowledged bytes per second and the bytes it put on the wire (its
 *      outgoing-byte-total: the Produce requests, which is what Kafka's produce quota counts,
 *      request.sizeInBytes, plus a few metadata requests), and its own produce-throttle-time-avg/max;
 *   2. a consumer (client.id PREFIX-consumer, no group, the partition assigned) reads a topic filled
 *      beforehand by an unthrottled producer for --seconds: record bytes per second and wire bytes
 *      (incoming-byte-total: the Fetch responses, which is what the fetch quota counts), and its
 *      fetch-throttle-time-avg/max.
 *
 * Each phase prints one JSON line {"phase":..., "seconds", "quota", "payloadBytes", "wireBytes",
 * "payloadRate", "wireRate", "throttleAvgMs", "throttleMaxMs", "perSecond":[payload bytes of each
 * second], ...}; setup steps print {"step":..., "ok":...}. Exits 0 when every step worked (the
 * rates are judged by the caller), 1 otherwise.
 *
 * Args: --bootstrap HOST:PORT --prefix NAME [--rate BYTES_PER_S (1048576)] [--seconds S (20)]
 *       [--set-quotas true|false (true; false when the broker was started with them)]
 *       [--phases produce,fetch (both; one of them to look at it alone)]
 */
public final class QuotaClients {
    private QuotaClients() {}

    static final int VALUE_BYTES = 1000;
    static boolean failed = false;

    public static void main(String[] argv) throws Exception {
        Map<String, String> args = Interop.parseArgs(argv);
        String bootstrap = Interop.required(args, "bootstrap");
        String prefix = Interop.required(args, "prefix");
        long rate = Long.parseLong(args.getOrDefault("rate", "1048576"));
        int seconds = Integer.parseInt(args.getOrDefault("seconds", "20"));
        boolean setQuotas = Boolean.parseBoolean(args.getOrDefault("set-quotas", "true"));
        List<String> phases = List.of(args.getOrDefault("phases", "produce,fetch").split(","));
        String produceTopic = prefix + "-produce";
        String fetchTopic = prefix + "-fetch";
        String producerId = prefix + "-producer";
        String consumerId = prefix + "-consumer";

        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            admin.createTopics(List.of(new NewTopic(produceTopic, 1, (short) 1), new NewTopic(fetchTopic, 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
            step("create_topics", true, Map.of("topics", List.of(produceTopic, fetchTopic)));
            if (setQuotas) setQuotas(admin, producerId, consumerId, rate);
        }
        // Enough for the consumer to never run dry: the phase at the quota, the quota window's
        // credit a fresh client starts with (10 windows of 1 s at the quota) and 5 s to spare.
        long fillBytes = rate * (seconds + 15L);
        if (phases.contains("fetch")) fill(bootstrap, fetchTopic, prefix + "-filler", fillBytes);
        if (phases.contains("produce")) {
            System.out.println(Interop.toJson(producePhase(bootstrap, produceTopic, producerId, rate, seconds)));
            System.out.flush();
        }
        if (phases.contains("fetch")) {
            System.out.println(Interop.toJson(fetchPhase(bootstrap, fetchTopic, consumerId, rate, seconds)));
            System.out.flush();
        }
        System.exit(failed ? 1 : 0);
    }

    static void step(String name, boolean ok, Map<String, ?> detail) {
        if (!ok) failed = true;
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("step", name);
        line.put("ok", ok);
        line.putAll(detail);
        System.out.println(Interop.toJson(line));
        System.out.flush();
    }

    /** Sets both quotas, then waits until DescribeClientQuotas answers them (the broker applied them). */
    static void setQuotas(Admin admin, String producerId, String consumerId, long rate) throws Exception {
        ClientQuotaEntity producer = new ClientQuotaEntity(Map.of(ClientQuotaEntity.CLIENT_ID, producerId));
        ClientQuotaEntity consumer = new ClientQuotaEntity(Map.of(ClientQuotaEntity.CLIENT_ID, consumerId));
        admin.alterClientQuotas(List.of(
            new ClientQuotaAlteration(producer, List.of(new ClientQuotaAlteration.Op("producer_byte_rate", (double) rate))),
            new ClientQuotaAlteration(consumer, List.of(new ClientQuotaAlteration.Op("consumer_byte_rate", (double) rate))))).all().get(30, TimeUnit.SECONDS);
        ClientQuotaFilter filter = ClientQuotaFilter.containsOnly(List.of(ClientQuotaFilterComponent.ofEntityType(ClientQuotaEntity.CLIENT_ID)));
        long deadline = System.currentTimeMillis() + 30_000;
        Map<ClientQuotaEntity, Map<String, Double>> seen = Map.of();
        while (System.currentTimeMillis() < deadline) {
            seen = admin.describeClientQuotas(filter).entities().get(30, TimeUnit.SECONDS);
            if (seen.containsKey(producer) && seen.containsKey(consumer)) break;
            Thread.sleep(100);
        }
        Map<String, Object> described = new LinkedHashMap<>();
        seen.forEach((e, v) -> described.put(e.entries().get(ClientQuotaEntity.CLIENT_ID), v));
        boolean ok = Double.valueOf(rate).equals(seen.getOrDefault(producer, Map.of()).get("producer_byte_rate"))
            && Double.valueOf(rate).equals(seen.getOrDefault(consumer, Map.of()).get("consumer_byte_rate"));
        step("set_quotas", ok, Map.of("described", described));
    }

    static Properties producerProps(String bootstrap, String clientId) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        return p;
    }

    /** Fills the consumer's topic through a client without a quota. */
    static void fill(String bootstrap, String topic, String clientId, long bytes) throws Exception {
        Properties p = producerProps(bootstrap, clientId);
        // Batches of 64 KiB: a fetch answers at least one whole batch, so the batch size is the
        // smallest step the consumer's quota can be met in (see fetchPhase).
        p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, String.valueOf(64 * 1024));
        long started = System.currentTimeMillis();
        byte[] value = new byte[VALUE_BYTES];
        Arrays.fill(value, (byte) 'f');
        long records = (bytes + VALUE_BYTES - 1) / VALUE_BYTES;
        AtomicLong errors = new AtomicLong();
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p)) {
            for (long i = 0; i < records; i++) {
                producer.send(new ProducerRecord<>(topic, 0, null, value), (md, e) -> { if (e != null) errors.incrementAndGet(); });
            }
            producer.flush();
        }
        step("fill", errors.get() == 0, Map.of("records", records, "bytes", records * VALUE_BYTES, "errors", errors.get(), "ms", System.currentTimeMillis() - started));
    }

    /** The value of one of a client's metrics (group and name), 0 when absent or not a number. */
    static double metric(Map<MetricName, ? extends Metric> metrics, String group, String name) {
        for (var e : metrics.entrySet()) {
            if (e.getKey().group().equals(group) && e.getKey().name().equals(name) && e.getValue().metricValue() instanceof Number n) {
                double v = n.doubleValue();
                return Double.isNaN(v) ? 0 : v;
            }
        }
        return 0;
    }

    /** Payload bytes counted into one-second buckets from the phase's start (the shape of the throttling). */
    static final class Buckets {
        final long[] perSecond;
        final long startNanos;
        final long endNanos;

        Buckets(int seconds, long startNanos) {
            perSecond = new long[seconds];
            this.startNanos = startNanos;
            this.endNanos = startNanos + TimeUnit.SECONDS.toNanos(seconds);
        }

        /** Adds bytes seen now; false once the phase is over (they are not counted). */
        synchronized boolean add(long bytes) {
            long now = System.nanoTime();
            if (now >= endNanos) return false;
            perSecond[(int) ((now - startNanos) / 1_000_000_000L)] += bytes;
            return true;
        }

        synchronized long total() {
            long sum = 0;
            for (long b : perSecond) sum += b;
            return sum;
        }

        synchronized List<Long> series() {
            List<Long> out = new ArrayList<>();
            for (long b : perSecond) out.add(b);
            return out;
        }

        void awaitEnd() throws InterruptedException {
            long left = endNanos - System.nanoTime();
            if (left > 0) TimeUnit.NANOSECONDS.sleep(left);
        }
    }

    static Map<String, Object> report(String phase, String clientId, long rate, int seconds, Buckets b, long wireBytes, double throttleAvg, double throttleMax) {
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("phase", phase);
        line.put("clientId", clientId);
        line.put("seconds", seconds);
        line.put("quota", rate);
        long payload = b.total();
        line.put("payloadBytes", payload);
        line.put("wireBytes", wireBytes);
        line.put("payloadRate", payload / seconds);
        line.put("wireRate", wireBytes / seconds);
        line.put("throttleAvgMs", throttleAvg);
        line.put("throttleMaxMs", throttleMax);
        line.put("perSecond", b.series());
        return line;
    }

    /**
     * Sends as fast as the client lets it (send() blocks while its 1 MB buffer is full) until the
     * phase ends; counts the acknowledged bytes of the phase and the wire bytes at its end.
     */
    static Map<String, Object> producePhase(String bootstrap, String topic, String clientId, long rate, int seconds) throws Exception {
        Properties p = producerProps(bootstrap, clientId);
        // Batches of up to 128 KiB: with the default 16 KiB the client alone cannot go much faster than
        // 1 MB/s on a loaded machine (against Kafka 4.4 too), and the quota would never bite.
        p.put(ProducerConfig.LINGER_MS_CONFIG, "10");
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, String.valueOf(128 * 1024));
        // A small buffer keeps what is queued but not yet sent at the phase's end small.
        p.put(ProducerConfig.BUFFER_MEMORY_CONFIG, String.valueOf(1024 * 1024));
        byte[] value = new byte[VALUE_BYTES];
        Arrays.fill(value, (byte) 'p');
        AtomicLong errors = new AtomicLong();
        KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p);
        // Connected and the topic's metadata known before the clock starts.
        producer.partitionsFor(topic);
        LongSupplier wire = () -> (long) metric(producer.metrics(), "producer-metrics", "outgoing-byte-total");
        long wireStart = wire.getAsLong();
        Buckets acked = new Buckets(seconds, System.nanoTime());
        long[] wireEnd = new long[1];
        Thread endSampler = new Thread(() -> {
            try {
                acked.awaitEnd();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            wireEnd[0] = wire.getAsLong();
        });
        endSampler.start();
        while (System.nanoTime() < acked.endNanos) {
            producer.send(new ProducerRecord<>(topic, 0, null, value), (md, e) -> {
                if (e == null) acked.add(md.serializedValueSize());
                else if (System.nanoTime() < acked.endNanos) errors.incrementAndGet();
            });
        }
        endSampler.join();
        double avg = metric(producer.metrics(), "producer-metrics", "produce-throttle-time-avg");
        double max = metric(producer.metrics(), "producer-metrics", "produce-throttle-time-max");
        // What is still queued is dropped: the phase is over.
        producer.close(Duration.ZERO);
        Map<String, Object> line = report("produce", clientId, rate, seconds, acked, wireEnd[0] - wireStart, avg, max);
        line.put("errors", errors.get());
        if (errors.get() > 0) failed = true;
        return line;
    }

    /** Reads the filled topic from its start until the phase ends; counts record bytes and wire bytes. */
    static Map<String, Object> fetchPhase(String bootstrap, String topic, String clientId, long rate, int seconds) throws Exception {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        // Responses of at most 64 KiB: a fetch over the quota is answered empty and throttled as if
        // its bytes had been taken, so the larger a response is next to quota x window, the further
        // below the quota a consumer stays (Kafka 4.4 alike).
        p.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, String.valueOf(64 * 1024));
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p)) {
            TopicPartition tp = new TopicPartition(topic, 0);
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            long end = consumer.endOffsets(List.of(tp)).get(tp);
            consumer.position(tp);
            LongSupplier wire = () -> (long) metric(consumer.metrics(), "consumer-metrics", "incoming-byte-total");
            long wireStart = wire.getAsLong();
            Buckets read = new Buckets(seconds, System.nanoTime());
            long records = 0;
            while (System.nanoTime() < read.endNanos) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                    if (read.add(r.serializedValueSize())) records++;
                }
            }
            long wireBytes = wire.getAsLong() - wireStart;
            double avg = metric(consumer.metrics(), "consumer-fetch-manager-metrics", "fetch-throttle-time-avg");
            double max = metric(consumer.metrics(), "consumer-fetch-manager-metrics", "fetch-throttle-time-max");
            Map<String, Object> line = report("fetch", clientId, rate, seconds, read, wireBytes, avg, max);
            line.put("records", records);
            // Reaching the end would mean the topic ran dry and the rate says nothing about the quota.
            line.put("reachedEnd", consumer.position(tp) >= end);
            return line;
        }
    }
}
