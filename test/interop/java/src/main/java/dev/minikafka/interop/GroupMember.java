package dev.minikafka.interop;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * One KafkaConsumer group member that polls until it is killed: it prints a JSON line with its
 * member id and partitions each time partitions are assigned, so that a test can stop the process
 * (SIGSTOP: no more heartbeats) once it is in the group, and see the broker expire it.
 *
 * usage: GroupMember --bootstrap B --topic T --group G --protocol classic|consumer [--session-timeout-ms N]
 * (--session-timeout-ms is the classic protocol's; the consumer protocol's is the broker's
 * group.consumer.session.timeout.ms)
 */
public final class GroupMember {
    private GroupMember() {}

    public static void main(String[] argv) {
        Map<String, String> args = Interop.parseArgs(argv);
        String topic = Interop.required(args, "topic");
        String protocol = Interop.required(args, "protocol");
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, Interop.required(args, "bootstrap"));
        p.put(ConsumerConfig.GROUP_ID_CONFIG, Interop.required(args, "group"));
        p.put(ConsumerConfig.GROUP_PROTOCOL_CONFIG, protocol);
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, "interop-java-member-" + protocol);
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        if (protocol.equals("classic")) {
            p.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, args.getOrDefault("session-timeout-ms", "45000"));
            p.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, "500");
        }
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p)) {
            consumer.subscribe(List.of(topic), new ConsumerRebalanceListener() {
                @Override
                public void onPartitionsRevoked(Collection<TopicPartition> partitions) {}

                @Override
                public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                    List<Integer> ps = new ArrayList<>();
                    for (TopicPartition tp : partitions) ps.add(tp.partition());
                    Map<String, Object> line = new LinkedHashMap<>();
                    line.put("event", "assigned");
                    line.put("memberId", consumer.groupMetadata().memberId());
                    line.put("partitions", ps);
                    System.out.println(Interop.toJson(line));
                    System.out.flush();
                }
            });
            for (;;) consumer.poll(Duration.ofMillis(200));
        }
    }
}
