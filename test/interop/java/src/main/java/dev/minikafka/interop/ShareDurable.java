package dev.minikafka.interop;

import static dev.minikafka.interop.ShareClients.name;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import org.apache.kafka.clients.consumer.AcknowledgeType;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaShareConsumer;
import org.apache.kafka.common.TopicIdPartition;

/**
 * A share consumer (KafkaShareConsumer, explicit acknowledgement) across a broker kill, for
 * test/interop/share-durable.test.ts. Records are named "partition:offset".
 *
 * before --bootstrap B --topic T --group G --records N
 *   Reads until all N records of the topic were delivered. Every record but the last poll's is
 *   acknowledged: REJECT when offset % 7 == 3, else ACCEPT; the acknowledgements of even polls are
 *   committed with commitSync, those of odd polls ride on the next poll (ShareFetch), so both paths
 *   are used. Of the last poll, the first half of each partition's records is accepted (commitSync)
 *   and the rest is left acquired, unacknowledged. The acknowledgement commit callback confirms what
 *   the broker took. Then prints {"event":"held","accepted":[..],"rejected":[..],"held":[..],
 *   "unconfirmed":[..],"ackErrors":[..]} and waits to be killed (it never closes, which would release
 *   the held records).
 *
 * after --bootstrap B --topic T --group G --quiet-ms Q
 *   A new consumer reads, accepting everything, until nothing came for Q ms after the first record;
 *   prints {"event":"after","records":{"p:o":deliveryCount,..}}.
 */
public final class ShareDurable {
    private ShareDurable() {}

    public static void main(String[] argv) throws Exception {
        ShareClients.runScenario(argv, "ShareDurable before|after --bootstrap B --topic T --group G ...",
            Map.of("before", ShareDurable::before, "after", ShareDurable::after));
    }

    static void before(Map<String, String> args) throws Exception {
        String bootstrap = Interop.required(args, "bootstrap");
        int n = Integer.parseInt(Interop.required(args, "records"));
        long deadline = System.currentTimeMillis() + Long.parseLong(args.getOrDefault("timeout-ms", "90000"));
        // What was sent (type by record), and what the broker confirmed through the callback.
        Map<String, AcknowledgeType> sent = new TreeMap<>();
        Set<String> confirmed = new TreeSet<>();
        List<String> ackErrors = new ArrayList<>();
        Set<String> delivered = new TreeSet<>();
        List<String> held = new ArrayList<>();
        KafkaShareConsumer<String, String> c = new KafkaShareConsumer<>(ShareClients.props(bootstrap, Interop.required(args, "group"), "explicit", "share-durable-before"));
        c.setAcknowledgementCommitCallback((Map<TopicIdPartition, Set<Long>> offsets, Exception e) -> {
            offsets.forEach((tp, os) -> os.forEach(o -> {
                if (e == null) confirmed.add(tp.partition() + ":" + o);
                else ackErrors.add(tp.partition() + ":" + o + " " + e.getClass().getSimpleName());
            }));
        });
        c.subscribe(List.of(Interop.required(args, "topic")));
        int polls = 0;
        while (held.isEmpty() && System.currentTimeMillis() < deadline) {
            ConsumerRecords<String, String> records = c.poll(Duration.ofMillis(200));
            if (records.isEmpty()) continue;
            List<ConsumerRecord<String, String>> list = new ArrayList<>();
            records.forEach(list::add);
            list.forEach(r -> delivered.add(name(r)));
            if (delivered.size() < n) {
                for (ConsumerRecord<String, String> r : list) {
                    AcknowledgeType type = r.offset() % 7 == 3 ? AcknowledgeType.REJECT : AcknowledgeType.ACCEPT;
                    c.acknowledge(r, type);
                    sent.put(name(r), type);
                }
                if (polls++ % 2 == 0) c.commitSync();
                continue;
            }
            // The last poll: accept the first half of each partition's records, hold the rest.
            Map<Integer, List<ConsumerRecord<String, String>>> byPartition = new TreeMap<>();
            for (ConsumerRecord<String, String> r : list) byPartition.computeIfAbsent(r.partition(), k -> new ArrayList<>()).add(r);
            for (List<ConsumerRecord<String, String>> rs : byPartition.values()) {
                for (int i = 0; i < rs.size(); i++) {
                    ConsumerRecord<String, String> r = rs.get(i);
                    if (i < rs.size() / 2) {
                        c.acknowledge(r, AcknowledgeType.ACCEPT);
                        sent.put(name(r), AcknowledgeType.ACCEPT);
                    } else {
                        held.add(name(r));
                    }
                }
            }
            c.commitSync();
        }
        List<String> accepted = new ArrayList<>();
        List<String> rejected = new ArrayList<>();
        List<String> unconfirmed = new ArrayList<>();
        sent.forEach((r, type) -> {
            (type == AcknowledgeType.ACCEPT ? accepted : rejected).add(r);
            if (!confirmed.contains(r)) unconfirmed.add(r);
        });
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("event", "held");
        line.put("delivered", delivered.size());
        line.put("accepted", accepted);
        line.put("rejected", rejected);
        line.put("held", held);
        line.put("unconfirmed", unconfirmed);
        line.put("ackErrors", ackErrors);
        System.out.println(Interop.toJson(line));
        System.out.flush();
        // Held until the test kills the broker and this JVM (SIGKILL: no close, no release).
        Thread.sleep(Long.MAX_VALUE);
    }

    static void after(Map<String, String> args) throws Exception {
        String bootstrap = Interop.required(args, "bootstrap");
        long quietMs = Long.parseLong(args.getOrDefault("quiet-ms", "3000"));
        long deadline = System.currentTimeMillis() + Long.parseLong(args.getOrDefault("timeout-ms", "60000"));
        Map<String, Object> records = new TreeMap<>();
        List<String> twice = new ArrayList<>();
        try (KafkaShareConsumer<String, String> c = new KafkaShareConsumer<>(ShareClients.props(bootstrap, Interop.required(args, "group"), "explicit", "share-durable-after"))) {
            c.subscribe(List.of(Interop.required(args, "topic")));
            long lastAt = Long.MAX_VALUE;
            while (System.currentTimeMillis() < deadline && System.currentTimeMillis() - lastAt < quietMs || lastAt == Long.MAX_VALUE && System.currentTimeMillis() < deadline) {
                ConsumerRecords<String, String> polled = c.poll(Duration.ofMillis(200));
                for (ConsumerRecord<String, String> r : polled) {
                    if (records.put(name(r), (int) ShareClients.deliveryCount(r)) != null) twice.add(name(r));
                    c.acknowledge(r, AcknowledgeType.ACCEPT);
                }
                if (!polled.isEmpty()) {
                    c.commitSync();
                    lastAt = System.currentTimeMillis();
                }
            }
        }
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("event", "after");
        line.put("records", records);
        line.put("twice", twice);
        System.out.println(Interop.toJson(line));
    }
}
