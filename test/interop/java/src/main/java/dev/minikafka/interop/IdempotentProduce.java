package dev.minikafka.interop;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * An idempotent KafkaProducer sends --records records (key k<i % 16>, value "i<i>") to an existing
 * --topic while the test cuts its connections; then a consumer reads the topic back and checks that
 * every record is there exactly once and, per partition, in the order sent (no duplicates, no gaps).
 * Prints JSON step lines as the scenarios do.
 */
public final class IdempotentProduce {
    private IdempotentProduce() {}

    public static void main(String[] argv) throws Exception {
        Map<String, String> args = Interop.parseArgs(argv);
        String bootstrap = Interop.required(args, "bootstrap");
        String topic = Interop.required(args, "topic");
        int n = Integer.parseInt(args.getOrDefault("records", "5000"));
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.CLIENT_ID_CONFIG, "interop-java-idempotent");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.LINGER_MS_CONFIG, 1);
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, 512);
        p.put(ProducerConfig.RECONNECT_BACKOFF_MS_CONFIG, 10);
        p.put(ProducerConfig.RETRY_BACKOFF_MS_CONFIG, 10);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        List<Exception> errors = new ArrayList<>();
        long start = System.nanoTime();
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p)) {
            for (int i = 0; i < n; i++) {
                producer.send(new ProducerRecord<>(topic, Interop.utf8(Interop.key(i)), Interop.utf8("i" + i)), (md, err) -> {
                    if (err != null) synchronized (errors) { errors.add(err); }
                });
            }
            producer.flush();
        }
        Interop.step("produce_idempotent", errors.isEmpty(), Map.of("records", n, "errors", errors.size(), "ms", (System.nanoTime() - start) / 1_000_000,
                "first", errors.isEmpty() ? "" : String.valueOf(errors.get(0))));

        Properties c = new Properties();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        List<String> problems = new ArrayList<>();
        int read = 0;
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(c)) {
            List<TopicPartition> tps = new ArrayList<>();
            consumer.partitionsFor(topic).forEach(pi -> tps.add(new TopicPartition(topic, pi.partition())));
            consumer.assign(tps);
            consumer.seekToBeginning(tps);
            Map<Integer, Integer> seen = new HashMap<>();
            Map<String, Integer> lastPerKey = new HashMap<>();
            long deadline = System.currentTimeMillis() + 60_000;
            while (read < n && System.currentTimeMillis() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(300))) {
                    read++;
                    int i = Integer.parseInt(Interop.str(r.value()).substring(1));
                    if (seen.merge(i, 1, Integer::sum) > 1) problems.add("record " + i + " twice");
                    Integer last = lastPerKey.put(Interop.str(r.key()), i);
                    if (last != null && i <= last) problems.add("key " + Interop.str(r.key()) + ": " + i + " after " + last);
                }
            }
            for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                read++;
                problems.add("extra record " + Interop.str(r.value()));
            }
            for (int i = 0; i < n && problems.size() < 50; i++) if (!seen.containsKey(i)) problems.add("record " + i + " missing");
        }
        Interop.step("check_exactly_once_in_order", problems.isEmpty(), Interop.problemsDetail(problems, Map.of("read", read, "expected", n)));
        System.out.flush();
        System.exit(Interop.failed ? 1 : 0);
    }
}
