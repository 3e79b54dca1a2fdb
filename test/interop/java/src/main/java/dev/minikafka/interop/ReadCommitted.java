package dev.minikafka.interop;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;

/**
 * The independent reader of the exactly-once verdicts: Kafka's own read_committed KafkaConsumer
 * (no group, every partition of --topic assigned, from the beginning) reads each partition up to
 * its last stable offset and prints one line per partition:
 * {"partition":P,"lastStable":LSO,"highWatermark":HW,"records":[[key,value],...]}.
 * The consumer, not minikafka's test decoder, decides which batches are aborted (from the fetch
 * response's aborted transactions and the markers); a last stable offset below the high watermark
 * means a transaction is still open. Exits 0 when every partition was read to its end.
 */
public final class ReadCommitted {
    private ReadCommitted() {}

    public static void main(String[] argv) throws Exception {
        Map<String, String> args = Interop.parseArgs(argv);
        String bootstrap = Interop.required(args, "bootstrap");
        String topic = Interop.required(args, "topic");
        long deadline = System.currentTimeMillis() + Long.parseLong(args.getOrDefault("timeout-ms", "60000"));

        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Interop.readCommittedStrings(bootstrap));
             Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            List<TopicPartition> tps = consumer.partitionsFor(topic).stream().map(p -> new TopicPartition(topic, p.partition())).sorted((a, b) -> a.partition() - b.partition()).toList();
            consumer.assign(tps);
            consumer.seekToBeginning(tps);
            // For a read_committed consumer the end offsets are the last stable offsets.
            Map<TopicPartition, Long> lso = consumer.endOffsets(tps);
            Map<TopicPartition, OffsetSpec> latest = tps.stream().collect(Collectors.toMap(tp -> tp, tp -> OffsetSpec.latest()));
            Map<TopicPartition, Long> hw = new LinkedHashMap<>();
            admin.listOffsets(latest, new ListOffsetsOptions(IsolationLevel.READ_UNCOMMITTED)).all().get().forEach((tp, info) -> hw.put(tp, info.offset()));

            Map<TopicPartition, List<List<String>>> read = new LinkedHashMap<>();
            for (TopicPartition tp : tps) read.put(tp, new ArrayList<>());
            while (true) {
                boolean done = true;
                for (TopicPartition tp : tps) if (consumer.position(tp) < lso.get(tp)) done = false;
                if (done) break;
                if (System.currentTimeMillis() > deadline) {
                    System.out.println("{\"event\":\"timeout\"}");
                    System.exit(3);
                }
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                    read.get(new TopicPartition(r.topic(), r.partition())).add(java.util.Arrays.asList(r.key(), r.value()));
                }
            }
            for (TopicPartition tp : tps) {
                Map<String, Object> line = new LinkedHashMap<>();
                line.put("partition", tp.partition());
                line.put("lastStable", lso.get(tp));
                line.put("highWatermark", hw.get(tp));
                line.put("records", read.get(tp));
                System.out.println(Interop.toJson(line));
            }
        }
        System.exit(0);
    }
}
