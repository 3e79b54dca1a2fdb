package dev.minikafka.interop;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * A consume-transform-produce loop with exactly-once semantics, as Kafka Streams' exactly_once_v2
 * does it with the plain clients: a read_committed consumer of --input (assigned partitions, offsets
 * kept for --group; with --instance-id a static member of --group, subscribed), a transactional producer (--transactional-id) that writes "out:" + each value to
 * --output and commits the consumer's positions in the same transaction (sendOffsetsToTransaction
 * with the consumer's group metadata). Exits 0 once every input partition is consumed to its end.
 *
 * The test kills it (SIGKILL) at random points and restarts it: a restart fences the previous
 * instance (initTransactions aborts its open transaction) and resumes from the committed offsets, so
 * the output must hold every input record exactly once. Prints {"event":...} lines on stdout:
 * "initialized" after initTransactions, "in_transaction" once a transaction's records are written
 * (and before its --pause-ms and commit), "done" at the end.
 */
public final class Ctp {
    private Ctp() {}

    public static void main(String[] argv) throws Exception {
        Map<String, String> args = Interop.parseArgs(argv);
        String bootstrap = Interop.required(args, "bootstrap");
        String input = Interop.required(args, "input");
        String output = Interop.required(args, "output");
        String group = Interop.required(args, "group");
        String txnId = Interop.required(args, "transactional-id");
        long pauseMs = Long.parseLong(args.getOrDefault("pause-ms", "10"));

        Properties pp = new Properties();
        pp.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        pp.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, txnId);
        pp.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        pp.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        Properties cp = new Properties();
        cp.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        cp.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        cp.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        cp.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        cp.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        cp.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, args.getOrDefault("max-poll-records", "20"));
        boolean subscribe = args.containsKey("instance-id");
        if (subscribe) {
            // A static member (as Kafka Streams deployments run them): a restart with the same
            // instance id takes the old member's place without waiting for its session to expire.
            cp.put(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, args.get("instance-id"));
            cp.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, "10000");
        }
        cp.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        cp.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());

        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(pp);
             KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(cp)) {
            // The producer first: initTransactions fences a previous instance and aborts its open
            // transaction, so the consumer's committed offsets are stable when it looks them up.
            producer.initTransactions();
            event("initialized");
            List<TopicPartition> tps = new ArrayList<>();
            for (PartitionInfo p : consumer.partitionsFor(input)) tps.add(new TopicPartition(input, p.partition()));
            if (subscribe) consumer.subscribe(List.of(input));
            else consumer.assign(tps);
            Map<TopicPartition, Long> end = consumer.endOffsets(tps);
            long transactions = 0;
            while (true) {
                // Done once this member holds every partition and has read each to its end.
                boolean done = consumer.assignment().size() == tps.size();
                for (TopicPartition tp : consumer.assignment()) if (consumer.position(tp) < end.get(tp)) done = false;
                if (done) break;
                ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(200));
                if (records.isEmpty()) continue;
                producer.beginTransaction();
                Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
                for (ConsumerRecord<byte[], byte[]> r : records) {
                    producer.send(new ProducerRecord<>(output, r.key(), Interop.utf8("out:" + Interop.str(r.value()))));
                    offsets.put(new TopicPartition(r.topic(), r.partition()), new OffsetAndMetadata(r.offset() + 1));
                }
                // Flushed, the records are in the output partitions and the transaction is open on
                // the broker: the test may kill the program from this event on, mid-transaction.
                producer.flush();
                System.out.println("{\"event\":\"in_transaction\",\"transaction\":" + (transactions + 1) + ",\"records\":" + records.count() + "}");
                System.out.flush();
                if (pauseMs > 0) Thread.sleep(pauseMs);
                producer.sendOffsetsToTransaction(offsets, consumer.groupMetadata());
                producer.commitTransaction();
                transactions++;
            }
            System.out.println("{\"event\":\"done\",\"transactions\":" + transactions + "}");
        }
        System.exit(0);
    }

    static void event(String name) {
        System.out.println("{\"event\":\"" + name + "\"}");
        System.out.flush();
    }
}
