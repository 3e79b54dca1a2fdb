package dev.minikafka.interop;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The interop scenario (test/interop/SCENARIO.md) with the official Java client: Admin for topics and
 * offsets, KafkaProducer per codec, KafkaConsumer with assigned partitions and no group.
 */
public final class Interop {
    static final String CLIENT = "java";
    static final int PARTITIONS = 3;
    static final int KEYS = 16;
    static final String PAD = "abcdefghijklmnopqrstuvwxyz0123456789".repeat(2);
    static final List<String> ALL_CODECS = List.of("none", "gzip", "snappy", "lz4", "zstd");

    /** A record as read back. */
    record Read(int partition, long offset, String key, String value, List<String[]> headers, long timestamp) {}

    static boolean failed = false;

    public static void main(String[] argv) throws Exception {
        Map<String, String> args = parseArgs(argv);
        String bootstrap = required(args, "bootstrap");
        String topic = required(args, "topic");
        int n = Integer.parseInt(args.getOrDefault("records", "10000"));
        List<String> codecs = args.containsKey("codecs") ? List.of(args.get("codecs").split(",")) : ALL_CODECS;
        long t0 = (System.currentTimeMillis() / 1000) * 1000 - 600_000;

        step("client_info", true, Map.of("library", "org.apache.kafka:kafka-clients", "version", kafkaClientsVersion()));

        Properties adminProps = new Properties();
        adminProps.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        adminProps.put(AdminClientConfig.CLIENT_ID_CONFIG, "interop-java-admin");
        try (Admin admin = Admin.create(adminProps)) {
            boolean created = false;
            try {
                admin.createTopics(List.of(new NewTopic(topic, PARTITIONS, (short) 1))).all().get();
                created = true;
                step("create_topic", true, Map.of("topic", topic, "partitions", PARTITIONS));

                // Produce: a contiguous slice of indexes per codec.
                Map<Integer, long[]> acks = new ConcurrentHashMap<>();
                for (int c = 0; c < codecs.size(); c++) {
                    String codec = codecs.get(c);
                    int from = n * c / codecs.size(), to = n * (c + 1) / codecs.size();
                    long start = System.nanoTime();
                    produce(bootstrap, topic, codec, from, to, t0, acks);
                    step("produce_" + codec, true, Map.of("records", to - from, "ms", (System.nanoTime() - start) / 1_000_000));
                }

                long start = System.nanoTime();
                List<Read> reads = consume(bootstrap, topic, n);
                step("consume_assigned", reads.size() == n, Map.of("records", reads.size(), "expected", n, "ms", (System.nanoTime() - start) / 1_000_000));

                checks(reads, n, codecs, t0, acks);
                listOffsets(admin, topic, reads, n, t0);
            } catch (Exception e) {
                step("error", false, Map.of("error", String.valueOf(rootCause(e))));
            } finally {
                if (created) {
                    try {
                        admin.deleteTopics(List.of(topic)).all().get();
                        step("delete_topic", true, Map.of("topic", topic));
                    } catch (Exception e) {
                        step("delete_topic", false, Map.of("error", String.valueOf(rootCause(e))));
                    }
                }
            }
        } catch (Exception e) {
            step("error", false, Map.of("error", String.valueOf(rootCause(e))));
        }
        System.out.flush();
        System.exit(failed ? 1 : 0);
    }

    /** kafka-clients ships its version in this resource (what its internal AppInfoParser reads). */
    static String kafkaClientsVersion() {
        try (var in = KafkaProducer.class.getResourceAsStream("/kafka/kafka-version.properties")) {
            Properties p = new Properties();
            if (in != null) p.load(in);
            return p.getProperty("version", "unknown");
        } catch (java.io.IOException e) {
            return "unknown";
        }
    }

    static String key(int i) { return "k" + (i % KEYS); }
    static String value(int i, String codec) { return "v" + i + "|" + codec + "|" + PAD; }

    static void produce(String bootstrap, String topic, String codec, int from, int to, long t0, Map<Integer, long[]> acks)
            throws Exception {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.CLIENT_ID_CONFIG, "interop-java-producer-" + codec);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, codec);
        p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        List<Exception> errors = new ArrayList<>();
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p)) {
            for (int i = from; i < to; i++) {
                RecordHeaders headers = new RecordHeaders();
                headers.add("idx", Integer.toString(i).getBytes(StandardCharsets.UTF_8));
                headers.add("codec", codec.getBytes(StandardCharsets.UTF_8));
                final int idx = i;
                producer.send(new ProducerRecord<>(topic, null, t0 + i, utf8(key(i)), utf8(value(i, codec)), headers),
                        (md, err) -> {
                            if (err != null) {
                                synchronized (errors) { errors.add(err); }
                            } else {
                                acks.put(idx, new long[] { md.partition(), md.offset() });
                            }
                        });
            }
            producer.flush();
        }
        if (!errors.isEmpty()) {
            throw new RuntimeException("produce " + codec + ": " + errors.size() + " failed, first: " + errors.get(0));
        }
    }

    static List<Read> consume(String bootstrap, String topic, int n) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, "interop-java-consumer");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        List<Read> reads = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p)) {
            List<TopicPartition> tps = new ArrayList<>();
            for (int i = 0; i < PARTITIONS; i++) tps.add(new TopicPartition(topic, i));
            consumer.assign(tps);
            consumer.seekToBeginning(tps);
            long deadline = System.currentTimeMillis() + 60_000;
            while (reads.size() < n && System.currentTimeMillis() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) reads.add(toRead(r));
            }
            // One more short poll: anything beyond n is a duplicate or a stray record.
            for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) reads.add(toRead(r));
        }
        return reads;
    }

    static Read toRead(ConsumerRecord<byte[], byte[]> r) {
        List<String[]> hs = new ArrayList<>();
        for (Header h : r.headers()) hs.add(new String[] { h.key(), str(h.value()) });
        return new Read(r.partition(), r.offset(), str(r.key()), str(r.value()), hs, r.timestamp());
    }

    static void checks(List<Read> reads, int n, List<String> codecs, long t0, Map<Integer, long[]> acks) {
        // check_content
        List<String> problems = new ArrayList<>();
        Map<Integer, Read> byIndex = new HashMap<>();
        for (Read r : reads) {
            Integer i = indexOf(r);
            if (i == null || i < 0 || i >= n) { problems.add("bad idx header at p" + r.partition() + "@" + r.offset()); continue; }
            if (byIndex.put(i, r) != null) { problems.add("record " + i + " read twice"); continue; }
            String codec = codecs.get(codecIndex(i, n, codecs.size()));
            if (!key(i).equals(r.key())) problems.add("record " + i + ": key " + r.key());
            if (!value(i, codec).equals(r.value())) problems.add("record " + i + ": value " + r.value());
            if (r.headers().size() != 2 || !r.headers().get(0)[0].equals("idx") || !r.headers().get(1)[0].equals("codec")
                    || !r.headers().get(1)[1].equals(codec)) problems.add("record " + i + ": headers " + headersString(r.headers()));
            if (r.timestamp() != t0 + i) problems.add("record " + i + ": timestamp " + r.timestamp() + " != " + (t0 + i));
        }
        for (int i = 0; i < n && problems.size() < 20; i++) if (!byIndex.containsKey(i)) problems.add("record " + i + " missing");
        step("check_content", problems.isEmpty(), problemsDetail(problems, Map.of("records", reads.size())));

        // check_order
        problems = new ArrayList<>();
        Map<Integer, List<Read>> byPartition = byPartition(reads);
        for (var e : byPartition.entrySet()) {
            long expectOffset = 0;
            int lastIdx = -1;
            for (Read r : e.getValue()) {
                if (r.offset() != expectOffset) problems.add("p" + e.getKey() + ": offset " + r.offset() + " where " + expectOffset + " expected");
                expectOffset = r.offset() + 1;
                Integer i = indexOf(r);
                if (i != null && i <= lastIdx) problems.add("p" + e.getKey() + ": record " + i + " after " + lastIdx);
                if (i != null) lastIdx = i;
            }
        }
        Map<String, Object> counts = new TreeMap<>();
        byPartition.forEach((p, l) -> counts.put(Integer.toString(p), l.size()));
        step("check_order", problems.isEmpty(), problemsDetail(problems, Map.of("perPartition", counts)));

        // check_key_partition
        problems = new ArrayList<>();
        Map<String, Integer> keyPartition = new HashMap<>();
        for (Read r : reads) {
            Integer prev = keyPartition.putIfAbsent(r.key(), r.partition());
            if (prev != null && prev != r.partition()) problems.add("key " + r.key() + " on p" + prev + " and p" + r.partition());
            Integer i = indexOf(r);
            long[] ack = i == null ? null : acks.get(i);
            if (ack != null && (ack[0] != r.partition() || ack[1] != r.offset()))
                problems.add("record " + i + " acked at p" + ack[0] + "@" + ack[1] + ", read at p" + r.partition() + "@" + r.offset());
        }
        step("check_key_partition", problems.isEmpty(), problemsDetail(problems, Map.of("keys", keyPartition.size(), "acks", acks.size())));
    }

    static void listOffsets(Admin admin, String topic, List<Read> reads, int n, long t0) throws Exception {
        Map<Integer, List<Read>> byPartition = byPartition(reads);
        // earliest
        Map<Integer, Long> earliest = list(admin, topic, OffsetSpec.earliest());
        List<String> problems = new ArrayList<>();
        earliest.forEach((p, o) -> { if (o != 0) problems.add("p" + p + ": earliest " + o); });
        step("list_offsets_earliest", problems.isEmpty() && earliest.size() == PARTITIONS, problemsDetail(problems, Map.of("offsets", json(earliest))));
        // latest
        Map<Integer, Long> latest = list(admin, topic, OffsetSpec.latest());
        List<String> problems2 = new ArrayList<>();
        for (int p = 0; p < PARTITIONS; p++) {
            long expected = byPartition.getOrDefault(p, List.of()).size();
            if (latest.get(p) == null || latest.get(p) != expected) problems2.add("p" + p + ": latest " + latest.get(p) + ", expected " + expected);
        }
        step("list_offsets_latest", problems2.isEmpty(), problemsDetail(problems2, Map.of("offsets", json(latest))));
        // by timestamp
        List<String> problems3 = new ArrayList<>();
        Map<String, Object> seen = new LinkedHashMap<>();
        for (long target : new long[] { t0, t0 + n / 2, t0 + n + 1000 }) {
            Map<Integer, Long> got = list(admin, topic, OffsetSpec.forTimestamp(target));
            seen.put(Long.toString(target - t0), json(got));
            for (int p = 0; p < PARTITIONS; p++) {
                long expected = -1;
                for (Read r : byPartition.getOrDefault(p, List.of())) {
                    if (r.timestamp() >= target) { expected = r.offset(); break; }
                }
                Long actual = got.get(p);
                boolean ok = actual != null && (actual == expected || (expected == -1 && actual.equals(latest.get(p))));
                if (!ok) problems3.add("T0+" + (target - t0) + " p" + p + ": " + actual + ", expected " + expected);
            }
        }
        step("list_offsets_timestamp", problems3.isEmpty(), problemsDetail(problems3, Map.of("offsets", seen)));
    }

    static Map<Integer, Long> list(Admin admin, String topic, OffsetSpec spec) throws ExecutionException, InterruptedException {
        Map<TopicPartition, OffsetSpec> req = new HashMap<>();
        for (int p = 0; p < PARTITIONS; p++) req.put(new TopicPartition(topic, p), spec);
        Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> res = admin.listOffsets(req).all().get();
        Map<Integer, Long> out = new TreeMap<>();
        res.forEach((tp, info) -> out.put(tp.partition(), info.offset()));
        return out;
    }

    static int codecIndex(int i, int n, int k) {
        for (int c = 0; c < k; c++) if (i < n * (c + 1) / k) return c;
        return k - 1;
    }

    static Integer indexOf(Read r) {
        for (String[] h : r.headers()) {
            if (h[0].equals("idx")) {
                try { return Integer.parseInt(h[1]); } catch (NumberFormatException e) { return null; }
            }
        }
        return null;
    }

    static Map<Integer, List<Read>> byPartition(List<Read> reads) {
        Map<Integer, List<Read>> out = new TreeMap<>();
        for (Read r : reads) out.computeIfAbsent(r.partition(), k -> new ArrayList<>()).add(r);
        for (List<Read> l : out.values()) l.sort((a, b) -> Long.compare(a.offset(), b.offset()));
        return out;
    }

    static Map<String, Object> problemsDetail(List<String> problems, Map<String, Object> extra) {
        Map<String, Object> d = new LinkedHashMap<>(extra);
        if (!problems.isEmpty()) {
            d.put("problems", problems.size());
            d.put("first", problems.subList(0, Math.min(10, problems.size())));
        }
        return d;
    }

    static Map<String, Object> json(Map<Integer, Long> m) {
        Map<String, Object> out = new TreeMap<>();
        m.forEach((k, v) -> out.put(Integer.toString(k), v));
        return out;
    }

    static String headersString(List<String[]> hs) {
        StringBuilder sb = new StringBuilder();
        for (String[] h : hs) sb.append(h[0]).append('=').append(h[1]).append(';');
        return sb.toString();
    }

    static Throwable rootCause(Throwable e) {
        while (e.getCause() != null && e.getCause() != e) e = e.getCause();
        return e;
    }

    /** A read_committed consumer of strings from earliest, with no group: the tests' watchers. */
    static Properties readCommittedStrings(String bootstrap) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        return p;
    }

    static byte[] utf8(String s) { return s.getBytes(StandardCharsets.UTF_8); }
    static String str(byte[] b) { return b == null ? null : new String(b, StandardCharsets.UTF_8); }

    static Map<String, String> parseArgs(String[] argv) {
        Map<String, String> out = new HashMap<>();
        for (int i = 0; i < argv.length; i++) {
            if (argv[i].startsWith("--") && i + 1 < argv.length) out.put(argv[i].substring(2), argv[++i]);
            else usage("unexpected argument " + argv[i]);
        }
        return out;
    }

    static String required(Map<String, String> args, String name) {
        String v = args.get(name);
        if (v == null) usage("--" + name + " is required");
        return v;
    }

    static void usage(String msg) {
        System.err.println("interop (java): " + msg + "\nusage: java -jar interop.jar --bootstrap HOST:PORT --topic NAME [--records N] [--codecs a,b]");
        System.exit(2);
    }

    static void step(String step, boolean ok, Map<String, ?> detail) {
        if (!ok) failed = true;
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("client", CLIENT);
        line.put("step", step);
        line.put("ok", ok);
        line.put("detail", detail);
        System.out.println(toJson(line));
        System.out.flush();
    }

    /** Minimal JSON writer for maps, collections, strings, numbers and booleans. */
    static String toJson(Object o) {
        StringBuilder sb = new StringBuilder();
        writeJson(sb, o);
        return sb.toString();
    }

    static void writeJson(StringBuilder sb, Object o) {
        if (o == null) {
            sb.append("null");
        } else if (o instanceof Map<?, ?> m) {
            sb.append('{');
            boolean first = true;
            for (var e : m.entrySet()) {
                if (!first) sb.append(',');
                first = false;
                writeJson(sb, String.valueOf(e.getKey()));
                sb.append(':');
                writeJson(sb, e.getValue());
            }
            sb.append('}');
        } else if (o instanceof Collection<?> c) {
            sb.append('[');
            boolean first = true;
            for (Object x : c) {
                if (!first) sb.append(',');
                first = false;
                writeJson(sb, x);
            }
            sb.append(']');
        } else if (o instanceof Number || o instanceof Boolean) {
            sb.append(o);
        } else {
            String s = o.toString();
            sb.append('"');
            for (int i = 0; i < s.length(); i++) {
                char ch = s.charAt(i);
                switch (ch) {
                    case '"' -> sb.append("\\\"");
                    case '\\' -> sb.append("\\\\");
                    case '\n' -> sb.append("\\n");
                    case '\r' -> sb.append("\\r");
                    case '\t' -> sb.append("\\t");
                    default -> {
                        if (ch < 0x20) sb.append(String.format("\\u%04x", (int) ch));
                        else sb.append(ch);
                    }
                }
            }
            sb.append('"');
        }
    }
}
