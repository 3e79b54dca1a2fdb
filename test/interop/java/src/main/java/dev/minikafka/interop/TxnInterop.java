package dev.minikafka.interop;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

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
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The transaction scenario (test/interop/SCENARIO.md, "The transaction scenario") with the official
 * Java client: a transactional KafkaProducer commits a batch, aborts a batch, commits another; then
 * KafkaConsumers with assigned partitions read with isolation.level read_committed and
 * read_uncommitted.
 */
public final class TxnInterop {
    private TxnInterop() {}

    public static void main(String[] argv) throws Exception {
        Map<String, String> args = Interop.parseArgs(argv);
        String bootstrap = Interop.required(args, "bootstrap");
        String topic = Interop.required(args, "topic");
        int n = Integer.parseInt(args.getOrDefault("records", "1000"));
        TxnPlan plan = new TxnPlan(n);

        Interop.step("client_info", true, Map.of("library", "org.apache.kafka:kafka-clients", "version", Interop.kafkaClientsVersion()));
        Properties adminProps = new Properties();
        adminProps.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        adminProps.put(AdminClientConfig.CLIENT_ID_CONFIG, "interop-java-txn-admin");
        try (Admin admin = Admin.create(adminProps)) {
            boolean created = false;
            try {
                admin.createTopics(List.of(new NewTopic(topic, Interop.PARTITIONS, (short) 1))).all().get();
                created = true;
                Interop.step("create_topic", true, Map.of("topic", topic, "partitions", Interop.PARTITIONS));
                produce(bootstrap, topic, plan);
                List<Interop.Read> committed = consume(bootstrap, topic, "read_committed", plan.committed().size());
                Interop.step("consume_read_committed", true, Map.of("records", committed.size()));
                List<Interop.Read> all = consume(bootstrap, topic, "read_uncommitted", n);
                Interop.step("consume_read_uncommitted", true, Map.of("records", all.size()));
                check("check_read_committed", committed, plan.committed());
                check("check_read_uncommitted", all, plan.all());
                List<String> leaked = new ArrayList<>();
                for (List<Interop.Read> reads : List.of(committed, all)) {
                    for (Interop.Read r : reads) if (TxnPlan.indexOfValue(r.value()) < 0) leaked.add("p" + r.partition() + "@" + r.offset());
                }
                Interop.step("check_no_control_records", leaked.isEmpty(), Interop.problemsDetail(leaked, Map.of()));
            } catch (Exception e) {
                Interop.step("error", false, Map.of("error", String.valueOf(Interop.rootCause(e))));
            } finally {
                if (created) {
                    try {
                        admin.deleteTopics(List.of(topic)).all().get();
                        Interop.step("delete_topic", true, Map.of("topic", topic));
                    } catch (Exception e) {
                        Interop.step("delete_topic", false, Map.of("error", String.valueOf(Interop.rootCause(e))));
                    }
                }
            }
        } catch (Exception e) {
            Interop.step("error", false, Map.of("error", String.valueOf(Interop.rootCause(e))));
        }
        System.out.flush();
        System.exit(Interop.failed ? 1 : 0);
    }

    static void produce(String bootstrap, String topic, TxnPlan plan) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.CLIENT_ID_CONFIG, "interop-java-txn-producer");
        p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, topic + "-java");
        p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p)) {
            producer.initTransactions();
            for (TxnPlan.Part part : plan.parts()) {
                long start = System.nanoTime();
                try {
                    producer.beginTransaction();
                    for (int i = part.from(); i < part.to(); i++) {
                        RecordHeaders headers = new RecordHeaders();
                        headers.add("idx", Interop.utf8(Integer.toString(i)));
                        producer.send(new ProducerRecord<>(topic, null, Interop.utf8(Interop.key(i)), Interop.utf8(TxnPlan.value(i, part.commit())), headers));
                    }
                    producer.flush();
                    if (part.commit()) producer.commitTransaction();
                    else producer.abortTransaction();
                    Interop.step(part.step(), true, Map.of("records", part.to() - part.from(), "ms", (System.nanoTime() - start) / 1_000_000));
                } catch (Exception e) {
                    Interop.step(part.step(), false, Map.of("error", String.valueOf(Interop.rootCause(e))));
                    throw e;
                }
            }
        }
    }

    static List<Interop.Read> consume(String bootstrap, String topic, String isolation, int expected) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, "interop-java-txn-consumer-" + isolation);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        List<Interop.Read> reads = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p)) {
            List<TopicPartition> tps = new ArrayList<>();
            for (int i = 0; i < Interop.PARTITIONS; i++) tps.add(new TopicPartition(topic, i));
            consumer.assign(tps);
            consumer.seekToBeginning(tps);
            long deadline = System.currentTimeMillis() + 60_000;
            while (reads.size() < expected && System.currentTimeMillis() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) reads.add(Interop.toRead(r));
            }
            // Anything more is a duplicate, an aborted record or a leaked marker.
            for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) reads.add(Interop.toRead(r));
        }
        return reads;
    }

    static void check(String step, List<Interop.Read> reads, List<Integer> expected) {
        List<String> problems = TxnPlan.compare(reads.stream().map(Interop.Read::value).toList(), expected);
        Map<String, Object> extra = new LinkedHashMap<>();
        extra.put("read", reads.size());
        extra.put("expected", expected.size());
        Interop.step(step, problems.isEmpty(), Interop.problemsDetail(problems, extra));
    }
}
