package dev.minikafka.interop;

import java.nio.file.Files;
import java.util.Map;
import java.util.stream.Collectors;

import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

import org.apache.kafka.clients.admin.StreamsGroupDescription;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.streams.KafkaStreams;

/**
 * kafka-streams-groups against a Kafka Streams application on the Streams rebalance protocol
 * (KIP-1071), one instance of one thread: list, describe (offsets, members, state, topology,
 * verbose) while it runs; after it closes, reset its input offsets (dry run, execute), delete
 * offsets, delete the group with its internal topics; and the errors for an unknown group and for
 * a group that is not empty.
 */
final class StreamsToolScenario {
    private StreamsToolScenario() {}

    static void run(ToolScenarios s) throws Exception {
        String app = s.prefix() + "-app";
        String input = s.prefix() + "-words";
        String output = s.prefix() + "-counts";
        int records = 12;
        s.createTopic(input, 2);
        s.createTopic(output, 1);
        s.produce(input, 2, records);
        KafkaStreams streams = ToolScenarios.wordCount(s.bootstrap(), app, input, output, Files.createTempDirectory("tool-streams").toString());
        streams.start();
        // Settled: the member runs its tasks at the group's epoch and has committed every input record.
        ToolScenarios.await("the application to settle", 90, () -> {
            if (streams.state() == KafkaStreams.State.ERROR) throw new IllegalStateException("Kafka Streams failed");
            StreamsGroupDescription d = s.streamsGroup(app);
            return streams.state() == KafkaStreams.State.RUNNING && d.groupState() == GroupState.STABLE && d.members().size() == 1
                && d.targetAssignmentEpoch() == d.groupEpoch()
                && d.members().stream().allMatch(m -> m.memberEpoch() == d.groupEpoch() && !m.assignment().activeTasks().isEmpty());
        });
        // Every input record committed, and the repartition topic's records too: the tools print the
        // lag of both, and the application commits the repartition topic a commit interval later.
        String repartition = app + "-by-value-repartition";
        ToolScenarios.await("the input and the repartition topic committed to their ends", 90, () -> {
            Map<TopicPartition, OffsetAndMetadata> committed = s.admin().listConsumerGroupOffsets(app).partitionsToOffsetAndMetadata().get();
            long inputCommitted = committed.entrySet().stream()
                .filter(e -> e.getKey().topic().equals(input) && e.getValue() != null).mapToLong(e -> e.getValue().offset()).sum();
            long repartitionPartitions = committed.keySet().stream().filter(tp -> tp.topic().equals(repartition)).count();
            if (inputCommitted != records || repartitionPartitions != 2) return false;
            Map<TopicPartition, OffsetSpec> latest = committed.keySet().stream().collect(Collectors.toMap(tp -> tp, tp -> OffsetSpec.latest()));
            Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> ends = s.admin().listOffsets(latest).all().get();
            return committed.entrySet().stream().allMatch(e -> e.getValue() != null && e.getValue().offset() == ends.get(e.getKey()).offset());
        });

        s.streams("list", "--list");
        s.streams("describe", "--describe", "--group", app);
        s.streams("describe offsets verbose", "--describe", "--group", app, "--offsets", "--verbose");
        s.streams("describe members", "--describe", "--group", app, "--members");
        s.streams("describe members verbose", "--describe", "--group", app, "--members", "--verbose");
        s.streams("describe state", "--describe", "--group", app, "--state");
        s.streams("describe state verbose", "--describe", "--group", app, "--state", "--verbose");
        s.streams("describe topology", "--describe", "--group", app, "--topology");
        s.streams("describe an unknown group", "--describe", "--group", s.prefix() + "-nope");
        s.streams("reset while the application runs", "--reset-offsets", "--group", app, "--input-topic", input, "--to-earliest", "--execute");
        s.streams("delete while the application runs", "--delete", "--group", app);

        streams.close(java.time.Duration.ofSeconds(30));
        ToolScenarios.await("the group to be empty", 60, () -> s.streamsGroup(app).groupState() == GroupState.EMPTY);

        s.streams("list with state", "--list", "--state");
        s.streams("describe state when empty", "--describe", "--group", app, "--state");
        s.streams("reset to earliest, dry run", "--reset-offsets", "--group", app, "--input-topic", input, "--to-earliest", "--dry-run");
        s.streams("reset to earliest", "--reset-offsets", "--group", app, "--input-topic", input, "--to-earliest", "--execute");
        s.streams("describe after the reset", "--describe", "--group", app, "--offsets");
        s.streams("reset every input topic by shifting", "--reset-offsets", "--group", app, "--all-input-topics", "--shift-by", "2", "--execute");
        s.streams("delete offsets of the input", "--delete-offsets", "--group", app, "--input-topic", input);
        s.streams("describe after deleting offsets", "--describe", "--group", app);
        s.streams("delete the group and its internal topics", "--delete", "--group", app, "--delete-all-internal-topics");
        s.streams("list after the delete", "--list");
    }
}
