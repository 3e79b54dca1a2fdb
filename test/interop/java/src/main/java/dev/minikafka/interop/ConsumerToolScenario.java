package dev.minikafka.interop;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * kafka-consumer-groups against a consumer group of two KafkaConsumers on the consumer rebalance
 * protocol (KIP-848) on a 2-partition topic: list and describe (offsets, members, state, verbose:
 * the group, target assignment and member epochs) while they run, then again once they closed.
 * The consumers join one after the other (ToolScenarios.joinOneByOne).
 */
final class ConsumerToolScenario {
    private static final String CONSUMER_GROUPS = "org.apache.kafka.tools.consumer.group.ConsumerGroupCommand";

    private ConsumerToolScenario() {}

    static void run(ToolScenarios s) throws Exception {
        String topic = s.prefix() + "-consumed";
        String group = s.prefix() + "-cg";
        int records = 10;
        s.createTopic(topic, 2);
        s.produce(topic, 2, records);

        AtomicInteger received = new AtomicInteger();
        AtomicBoolean stop = new AtomicBoolean(false);
        List<String> errors = Collections.synchronizedList(new ArrayList<>());
        List<Thread> consumers = ToolScenarios.joinOneByOne(List.of("consumer-a", "consumer-b"),
            client -> consumer(s.bootstrap(), topic, group, client, received, stop, errors),
            members -> () -> {
                ConsumerGroupDescription d = s.admin().describeConsumerGroups(List.of(group)).describedGroups().get(group).get();
                return d.groupState() == GroupState.STABLE && d.members().size() == members
                    && d.members().stream().allMatch(m -> !m.assignment().topicPartitions().isEmpty() && m.memberEpoch().orElse(-1) == d.groupEpoch().orElse(-2))
                    && d.targetAssignmentEpoch().equals(d.groupEpoch());
            });
        ToolScenarios.await("the records to be received", 60, () -> received.get() >= records);
        // Every record committed: no lag on either partition.
        ToolScenarios.await("every record committed", 60, () -> {
            var offsets = s.admin().listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get();
            return offsets.size() == 2 && offsets.values().stream().mapToLong(o -> o.offset()).sum() == records;
        });

        step(s, "list", "--list");
        step(s, "describe", "--describe", "--group", group);
        step(s, "describe members", "--describe", "--group", group, "--members");
        step(s, "describe members verbose", "--describe", "--group", group, "--members", "--verbose");
        step(s, "describe state", "--describe", "--group", group, "--state");
        step(s, "describe state verbose", "--describe", "--group", group, "--state", "--verbose");

        stop.set(true);
        for (Thread th : consumers) th.join(60_000);
        if (!errors.isEmpty()) throw new IllegalStateException("consumers failed: " + errors);
        ToolScenarios.await("the group to be empty", 60, () -> s.admin().describeConsumerGroups(List.of(group)).describedGroups().get(group).get().groupState() == GroupState.EMPTY);

        step(s, "describe state verbose when empty", "--describe", "--group", group, "--state", "--verbose");
        step(s, "describe members verbose when empty", "--describe", "--group", group, "--members", "--verbose");
    }

    private static void step(ToolScenarios s, String name, String... args) throws Exception {
        s.step(name, CONSUMER_GROUPS, args);
    }

    /** A consumer of `group` on `topic` (consumer protocol) that commits what it gets until `stop` is set. */
    private static Thread consumer(String bootstrap, String topic, String group, String client, AtomicInteger received, AtomicBoolean stop, List<String> errors) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        p.put(ConsumerConfig.GROUP_PROTOCOL_CONFIG, "consumer");
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, client);
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        Thread th = new Thread(() -> {
            try (KafkaConsumer<String, String> c = new KafkaConsumer<>(p)) {
                c.subscribe(List.of(topic));
                while (!stop.get()) {
                    var got = c.poll(Duration.ofMillis(100));
                    if (!got.isEmpty()) {
                        c.commitSync();
                        received.addAndGet(got.count());
                    }
                }
            } catch (Exception e) {
                errors.add(client + ": " + e);
            }
        }, client);
        th.start();
        return th;
    }
}
