package dev.minikafka.mirror;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.mirror.MirrorMaker;

import static dev.minikafka.mirror.Mirror.*;

/**
 * MirrorMaker 2 in dedicated mode, unchanged, from cluster "source" (--source) to cluster "target"
 * (--target): MirrorSourceConnector copies --topic to "source.<topic>", MirrorCheckpointConnector
 * translates the committed offsets of --group, MirrorHeartbeatConnector beats. Each flow is a
 * Connect distributed herder whose configs, offsets and status live in topics on the target.
 *
 * Before starting, it commits for --group, on the source, half of each partition's end offset.
 * It runs until the mirrored topic holds as many records as the source topic and the group's
 * offsets synced to the target have not changed for 3 s, then prints {"event":"done",...} with the committed and
 * translated offsets by partition, and stops MirrorMaker.
 */
public final class MirrorRun {
    private MirrorRun() {}

    public static void main(String[] argv) {
        try {
            run(parseArgs(argv, List.of("source", "target", "topic", "group")));
        } catch (Throwable e) {
            fail(e);
        }
    }

    private static void run(Map<String, String> args) throws Exception {
        String source = args.get("source");
        String target = args.get("target");
        String topic = args.get("topic");
        String group = args.get("group");
        String mirrored = "source." + topic;
        long timeoutMs = Long.parseLong(args.getOrDefault("timeout-ms", "120000"));

        Map<TopicPartition, Long> committed = new TreeMap<>((a, b) -> Integer.compare(a.partition(), b.partition()));
        long total = 0;
        try (Admin admin = admin(source)) {
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            for (var p : admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions()) latest.put(new TopicPartition(topic, p.partition()), OffsetSpec.latest());
            Map<TopicPartition, OffsetAndMetadata> commit = new HashMap<>();
            for (var e : admin.listOffsets(latest).all().get().entrySet()) {
                total += e.getValue().offset();
                committed.put(e.getKey(), e.getValue().offset() / 2);
                commit.put(e.getKey(), new OffsetAndMetadata(e.getValue().offset() / 2));
            }
            admin.alterConsumerGroupOffsets(group, commit).all().get();
        }
        event("committed", "\"records\":" + total + ",\"offsets\":" + json(committed));

        Map<String, String> mm = baseConfig(source, target, topic);
        mm.put("source->target.groups", group);
        mm.put("sync.group.offsets.enabled", "true");
        mm.put("sync.group.offsets.interval.seconds", "1");
        mm.put("emit.checkpoints.interval.seconds", "1");
        mm.put("emit.heartbeats.interval.seconds", "1");
        mm.put("refresh.groups.interval.seconds", "1");
        // An offset sync for every record, so that translation is exact.
        mm.put("offset.lag.max", "0");
        MirrorMaker mirrorMaker = new MirrorMaker(mm, List.of("target"));
        mirrorMaker.start();
        event("started", null);

        long deadline = System.currentTimeMillis() + timeoutMs;
        Map<TopicPartition, Long> translated = new TreeMap<>((a, b) -> Integer.compare(a.partition(), b.partition()));
        long mirroredRecords = 0;
        Map<TopicPartition, Long> lastTranslated = Map.of();
        long stableSince = System.currentTimeMillis();
        try (Admin admin = admin(target)) {
            while (true) {
                if (System.currentTimeMillis() > deadline) {
                    event("timeout", "\"mirrored\":" + mirroredRecords + ",\"translated\":" + json(translated));
                    System.exit(3);
                }
                Thread.sleep(500);
                if (!admin.listTopics().names().get().contains(mirrored)) continue;
                Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
                for (var p : admin.describeTopics(List.of(mirrored)).allTopicNames().get().get(mirrored).partitions()) latest.put(new TopicPartition(mirrored, p.partition()), OffsetSpec.latest());
                mirroredRecords = 0;
                for (var e : admin.listOffsets(latest).all().get().values()) mirroredRecords += e.offset();
                translated.clear();
                for (var e : admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get().entrySet()) {
                    if (e.getValue() != null && e.getKey().topic().equals(mirrored)) translated.put(e.getKey(), e.getValue().offset());
                }
                // Done when everything is mirrored and the translation has stopped moving for 3 s
                // (it improves as the checkpoint task reads more offset syncs).
                boolean complete = mirroredRecords >= total && translated.size() == committed.size();
                if (!complete || !translated.equals(lastTranslated)) {
                    lastTranslated = new HashMap<>(translated);
                    stableSince = System.currentTimeMillis();
                } else if (System.currentTimeMillis() - stableSince >= 3000) {
                    break;
                }
            }
        }
        mirrorMaker.stop();
        event("done", "\"mirrored\":" + mirroredRecords + ",\"committed\":" + json(committed) + ",\"translated\":" + json(translated));
        System.exit(0);
    }
}
