package dev.minikafka.interop;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.GroupListing;
import org.apache.kafka.clients.admin.ListGroupsOptions;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.GroupType;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Group programs for test/interop/groups.test.ts (its header comment describes the scenario): `member` runs one consumer
 * group member and reports its assignments and records as JSON lines; `admin` runs Admin group
 * operations and reports each outcome (ok, or the Kafka error class).
 *
 *   java -cp interop.jar dev.minikafka.interop.Groups member --bootstrap B --topic T --group G
 *       [--protocol classic|consumer] [--assignor range|cooperative-sticky|uniform] [--instance-id I]
 *       [--session-timeout-ms N]
 *   java -cp interop.jar dev.minikafka.interop.Groups admin --bootstrap B --topic T --group G --phase active|empty
 */
public final class Groups {
    public static void main(String[] argv) throws Exception {
        Map<String, String> args = new HashMap<>();
        for (int i = 1; i + 1 < argv.length; i += 2) args.put(argv[i].replaceFirst("^--", ""), argv[i + 1]);
        switch (argv[0]) {
            case "member" -> member(args);
            case "admin" -> admin(args);
            default -> throw new IllegalArgumentException("unknown mode " + argv[0]);
        }
    }

    static synchronized void emit(String json) {
        System.out.println(json);
        System.out.flush();
    }

    static String partitionsJson(Collection<TopicPartition> tps) {
        Set<Integer> ps = new TreeSet<>();
        for (TopicPartition tp : tps) ps.add(tp.partition());
        return ps.toString().replace(" ", "");
    }

    static void member(Map<String, String> args) throws Exception {
        String topic = args.get("topic");
        String protocol = args.getOrDefault("protocol", "classic");
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, args.get("bootstrap"));
        p.put(ConsumerConfig.GROUP_ID_CONFIG, args.get("group"));
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, "java-" + protocol);
        p.put(ConsumerConfig.GROUP_PROTOCOL_CONFIG, protocol);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        if (args.containsKey("instance-id")) p.put(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, args.get("instance-id"));
        if (protocol.equals("classic")) {
            p.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, args.getOrDefault("session-timeout-ms", "6000"));
            p.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, "500");
            String assignor = args.getOrDefault("assignor", "range");
            p.put(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, assignor.equals("cooperative-sticky")
                ? "org.apache.kafka.clients.consumer.CooperativeStickyAssignor"
                : "org.apache.kafka.clients.consumer.RangeAssignor");
        } else if (args.containsKey("assignor")) {
            p.put(ConsumerConfig.GROUP_REMOTE_ASSIGNOR_CONFIG, args.get("assignor"));
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
            Set<TopicPartition> owned = new TreeSet<>((a, b) -> Integer.compare(a.partition(), b.partition()));
            consumer.subscribe(List.of(topic), new ConsumerRebalanceListener() {
                public void onPartitionsRevoked(Collection<TopicPartition> ps) {
                    owned.removeAll(ps);
                    emit("{\"event\":\"assigned\",\"partitions\":" + partitionsJson(owned) + "}");
                }
                public void onPartitionsAssigned(Collection<TopicPartition> ps) {
                    owned.addAll(ps);
                    emit("{\"event\":\"assigned\",\"partitions\":" + partitionsJson(owned) + "}");
                }
                public void onPartitionsLost(Collection<TopicPartition> ps) {
                    onPartitionsRevoked(ps);
                }
            });
            emit("{\"event\":\"started\",\"protocol\":\"" + protocol + "\"}");
            while (!stop.get()) {
                ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(100));
                if (records.isEmpty()) continue;
                StringBuilder sb = new StringBuilder("{\"event\":\"records\",\"records\":[");
                Map<TopicPartition, OffsetAndMetadata> commit = new HashMap<>();
                boolean first = true;
                for (ConsumerRecord<byte[], byte[]> r : records) {
                    if (!first) sb.append(',');
                    first = false;
                    sb.append('[').append(r.partition()).append(',').append(r.offset()).append(']');
                    commit.put(new TopicPartition(r.topic(), r.partition()), new OffsetAndMetadata(r.offset() + 1));
                }
                // Commit before reporting: what was reported is committed, so a restart must not re-read it.
                consumer.commitSync(commit);
                emit(sb.append("]}").toString());
            }
        }
        emit("{\"event\":\"closed\"}");
    }

    static String errorName(Throwable e) {
        Throwable c = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
        return c.getClass().getSimpleName();
    }

    interface Op {
        Object run() throws Exception;
    }

    static void step(String name, Op op) {
        try {
            Object detail = op.run();
            emit("{\"step\":\"" + name + "\",\"ok\":true,\"detail\":\"" + String.valueOf(detail).replace("\\", "\\\\").replace("\"", "'") + "\"}");
        } catch (Exception e) {
            emit("{\"step\":\"" + name + "\",\"ok\":false,\"error\":\"" + errorName(e) + "\"}");
        }
    }

    /**
     * active: the group has members (ListGroups type and state, describe with members, and the
     * operations a live group refuses); empty: after the members left (reset offsets, delete an
     * offset, delete the group, then the group is gone).
     */
    static void admin(Map<String, String> args) throws Exception {
        String topic = args.get("topic");
        String group = args.get("group");
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, args.get("bootstrap"));
        try (Admin admin = Admin.create(p)) {
            step("list", () -> {
                StringBuilder sb = new StringBuilder();
                for (GroupListing g : admin.listGroups(ListGroupsOptions.forConsumerGroups()).all().get()) {
                    if (g.groupId().equals(group)) sb.append(g.type().map(GroupType::toString).orElse("?")).append('/').append(g.groupState().map(Object::toString).orElse("?"));
                }
                if (sb.length() == 0) throw new IllegalStateException("group not listed");
                return sb;
            });
            step("describe", () -> {
                ConsumerGroupDescription d = admin.describeConsumerGroups(List.of(group)).all().get().get(group);
                List<String> members = new ArrayList<>();
                for (MemberDescription m : d.members()) members.add(partitionsJson(m.assignment().topicPartitions()));
                return d.type() + "/" + d.groupState() + "/" + d.members().size() + "/" + members;
            });
            TopicPartition tp0 = new TopicPartition(topic, 0);
            step("list_offsets", () -> admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get().size());
            step("alter_offsets", () -> admin.alterConsumerGroupOffsets(group, Map.of(tp0, new OffsetAndMetadata(0))).all().get());
            step("delete_offsets", () -> admin.deleteConsumerGroupOffsets(group, Set.of(tp0)).all().get());
            step("delete_group", () -> admin.deleteConsumerGroups(List.of(group)).all().get());
            step("describe_after", () -> {
                ConsumerGroupDescription d = admin.describeConsumerGroups(List.of(group)).all().get().get(group);
                return d.groupState();
            });
            step("delete_unknown_group", () -> admin.deleteConsumerGroups(List.of(group + "-unknown")).all().get());
        }
    }
}
