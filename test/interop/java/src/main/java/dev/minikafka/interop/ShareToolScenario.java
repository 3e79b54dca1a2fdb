package dev.minikafka.interop;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.kafka.clients.admin.ShareGroupDescription;
import org.apache.kafka.common.GroupState;

/**
 * kafka-share-groups against a share group of two KafkaShareConsumers on a 2-partition topic:
 * list, describe (offsets, members, state, verbose) while they run; after they close, reset the
 * share-partitions' start offsets (dry run, to earliest, to an offset), delete offsets, delete the
 * group; and the errors for an unknown group and for a group that is not empty.
 */
final class ShareToolScenario {
    private ShareToolScenario() {}

    static void run(ToolScenarios s) throws Exception {
        String topic = s.prefix() + "-shared";
        String group = s.prefix() + "-sg";
        int records = 10;
        s.createTopic(topic, 2);
        s.setGroupConfig(group, "share.auto.offset.reset", "earliest");
        s.produce(topic, 2, records);

        AtomicInteger received = new AtomicInteger();
        AtomicBoolean stop = new AtomicBoolean(false);
        List<String> errors = Collections.synchronizedList(new ArrayList<>());
        List<Thread> consumers = ToolScenarios.joinOneByOne(List.of("share-a", "share-b"),
            client -> ToolScenarios.shareConsumer(s.bootstrap(), topic, group, client, received, stop, errors),
            members -> () -> {
                ShareGroupDescription d = s.shareGroup(group);
                return d.groupState() == GroupState.STABLE && d.members().size() == members
                    && d.members().stream().allMatch(m -> !m.assignment().topicPartitions().isEmpty() && m.memberEpoch() == d.groupEpoch())
                    && d.targetAssignmentEpoch() == d.groupEpoch();
            });
        ToolScenarios.await("the records to be received", 60, () -> received.get() >= records);
        // Every record acknowledged: no lag on either share-partition (Kafka reports the start
        // offsets from the share coordinator's last snapshot, so they may still show 0 here).
        ToolScenarios.await("every record acknowledged", 60, () -> {
            var offsets = s.admin().listShareGroupOffsets(java.util.Map.of(group, new org.apache.kafka.clients.admin.ListShareGroupOffsetsSpec())).partitionsToOffsetInfo(group).get();
            return offsets.size() == 2 && offsets.values().stream().allMatch(o -> o != null && o.lag().orElse(-1L) == 0L);
        });

        s.share("list", "--list");
        s.share("describe", "--describe", "--group", group);
        s.share("describe offsets verbose", "--describe", "--group", group, "--offsets", "--verbose");
        s.share("describe members", "--describe", "--group", group, "--members");
        s.share("describe members verbose", "--describe", "--group", group, "--members", "--verbose");
        s.share("describe state", "--describe", "--group", group, "--state");
        s.share("describe state verbose", "--describe", "--group", group, "--state", "--verbose");
        s.share("describe an unknown group", "--describe", "--group", s.prefix() + "-nope");
        s.share("reset while members are active", "--reset-offsets", "--group", group, "--topic", topic, "--to-earliest", "--execute");
        s.share("delete while members are active", "--delete", "--group", group);

        stop.set(true);
        for (Thread th : consumers) th.join(60_000);
        if (!errors.isEmpty()) throw new IllegalStateException("share consumers failed: " + errors);
        ToolScenarios.await("the group to be empty", 60, () -> s.shareGroup(group).groupState() == GroupState.EMPTY);

        s.share("list with state", "--list", "--state");
        s.share("describe state when empty", "--describe", "--group", group, "--state");
        s.share("describe members when empty", "--describe", "--group", group, "--members");
        s.share("reset to earliest, dry run", "--reset-offsets", "--group", group, "--topic", topic, "--to-earliest", "--dry-run");
        s.share("reset to earliest", "--reset-offsets", "--group", group, "--topic", topic, "--to-earliest", "--execute");
        s.share("describe after the reset", "--describe", "--group", group, "--offsets");
        s.share("reset one partition to an offset", "--reset-offsets", "--group", group, "--topic", topic + ":1", "--to-offset", "3", "--execute");
        s.share("reset every topic to latest", "--reset-offsets", "--group", group, "--all-topics", "--to-latest", "--execute");
        s.share("describe after the second reset", "--describe", "--group", group);
        s.share("delete offsets of a topic", "--delete-offsets", "--group", group, "--topic", topic);
        s.share("describe after deleting offsets", "--describe", "--group", group);
        s.share("delete the group", "--delete", "--group", group);
        s.share("delete it again", "--delete", "--group", group);
        s.share("list after the delete", "--list");
    }
}
