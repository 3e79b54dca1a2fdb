package dev.minikafka.interop;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.kafka.clients.consumer.AcknowledgeType;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaShareConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicIdPartition;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Kafka's own share consumer (KafkaShareConsumer, KIP-932) against a broker. Two scenarios, each
 * printing JSON lines:
 *
 * exactly-once --bootstrap B --topic T --group G --consumers N --expect R --mode implicit|explicit
 *   N consumers (threads) of one share group read until R distinct records arrived, accepting
 *   each (explicit: acknowledge(record) then commitSync(); implicit: the next poll acknowledges),
 *   then close. Prints {"event":"exactly-once","distinct":..,"deliveries":..,"duplicates":..,
 *   "perConsumer":[..]}.
 *
 * redelivery --bootstrap B --topic T --group G --records R --control URL
 *   (topic of one partition holding R records; the group's share.delivery.count.limit set to 2)
 *   Explicit mode. Consumer A reads the R records: offset%3==0 RELEASE, %3==1 REJECT, else ACCEPT;
 *   reads the released ones again (their delivery count must be 2) and releases them again (the
 *   limit archives them); then sees nothing more for 3 s. Then 5 new records are produced; A
 *   acquires them and holds them while the broker clock is advanced past the lock duration (the
 *   control API at URL); consumer B then gets them with delivery count 2 and accepts them, and
 *   A's late ACCEPT fails. Prints one {"event":"redelivery",...} line.
 */
public final class ShareConsumers {
    private ShareConsumers() {}

    public static void main(String[] argv) throws Exception {
        ShareClients.runScenario(argv, "ShareConsumers exactly-once|redelivery --bootstrap B --topic T --group G ...",
            Map.of("exactly-once", ShareConsumers::exactlyOnce, "redelivery", ShareConsumers::redelivery));
    }

    static void exactlyOnce(Map<String, String> args) throws Exception {
        String bootstrap = Interop.required(args, "bootstrap");
        String topic = Interop.required(args, "topic");
        String group = Interop.required(args, "group");
        String mode = args.getOrDefault("mode", "implicit");
        int consumers = Integer.parseInt(args.getOrDefault("consumers", "3"));
        int expect = Integer.parseInt(Interop.required(args, "expect"));
        long deadline = System.currentTimeMillis() + Long.parseLong(args.getOrDefault("timeout-ms", "90000"));

        Map<String, AtomicInteger> seen = new ConcurrentHashMap<>();
        AtomicInteger deliveries = new AtomicInteger();
        AtomicBoolean done = new AtomicBoolean(false);
        // From the first record received to the last distinct one: the consumers' throughput,
        // without the JVM start and the group join.
        java.util.concurrent.atomic.AtomicLong firstAt = new java.util.concurrent.atomic.AtomicLong(0);
        java.util.concurrent.atomic.AtomicLong doneAt = new java.util.concurrent.atomic.AtomicLong(0);
        int[] perConsumer = new int[consumers];
        List<String> errors = java.util.Collections.synchronizedList(new ArrayList<>());
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < consumers; i++) {
            final int me = i;
            Thread th = new Thread(() -> {
                try (KafkaShareConsumer<String, String> c = new KafkaShareConsumer<>(ShareClients.props(bootstrap, group, mode, "share-" + me))) {
                    c.subscribe(List.of(topic));
                    while (!done.get() && System.currentTimeMillis() < deadline) {
                        ConsumerRecords<String, String> records = c.poll(Duration.ofMillis(200));
                        for (ConsumerRecord<String, String> r : records) {
                            firstAt.compareAndSet(0, System.nanoTime());
                            deliveries.incrementAndGet();
                            perConsumer[me]++;
                            seen.computeIfAbsent(ShareClients.name(r), k -> new AtomicInteger()).incrementAndGet();
                            if (mode.equals("explicit")) c.acknowledge(r, AcknowledgeType.ACCEPT);
                        }
                        if (mode.equals("explicit") && !records.isEmpty()) c.commitSync();
                        if (seen.size() >= expect && done.compareAndSet(false, true)) doneAt.set(System.nanoTime());
                    }
                    // Implicit mode: the records of the last poll are accepted by this commit.
                    c.commitSync();
                } catch (Exception e) {
                    errors.add(e.toString());
                }
            });
            th.start();
            threads.add(th);
        }
        for (Thread th : threads) th.join();
        long duplicates = seen.values().stream().filter(n -> n.get() > 1).count();
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("event", "exactly-once");
        line.put("mode", mode);
        line.put("distinct", seen.size());
        line.put("deliveries", deliveries.get());
        line.put("duplicates", duplicates);
        List<Integer> per = new ArrayList<>();
        for (int n : perConsumer) per.add(n);
        line.put("perConsumer", per);
        line.put("errors", errors);
        long ms = Math.max(1, (doneAt.get() - firstAt.get()) / 1_000_000);
        line.put("readMs", ms);
        line.put("recordsPerSecond", firstAt.get() == 0 || doneAt.get() == 0 ? 0 : expect * 1000L / ms);
        System.out.println(Interop.toJson(line));
    }

    static void advanceClock(String control, long ms) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        HttpRequest req = HttpRequest.newBuilder(URI.create(control + "/clock/advance"))
            .POST(HttpRequest.BodyPublishers.ofString("{\"ms\":" + ms + "}")).build();
        HttpResponse<String> resp = http.send(req, HttpResponse.BodyHandlers.ofString());
        if (resp.statusCode() != 200) throw new IllegalStateException("clock advance: " + resp.statusCode() + " " + resp.body());
    }

    static void redelivery(Map<String, String> args) throws Exception {
        String bootstrap = Interop.required(args, "bootstrap");
        String topic = Interop.required(args, "topic");
        String group = Interop.required(args, "group");
        String control = Interop.required(args, "control");
        int n = Integer.parseInt(Interop.required(args, "records"));
        long deadline = System.currentTimeMillis() + Long.parseLong(args.getOrDefault("timeout-ms", "90000"));
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("event", "redelivery");

        try (KafkaShareConsumer<String, String> a = new KafkaShareConsumer<>(ShareClients.props(bootstrap, group, "explicit", "share-a"))) {
            a.subscribe(List.of(topic));
            // 1. every record once: release, reject or accept by offset.
            Map<Long, Short> first = new TreeMap<>();
            while (first.size() < n && System.currentTimeMillis() < deadline) {
                for (ConsumerRecord<String, String> r : a.poll(Duration.ofMillis(200))) {
                    first.put(r.offset(), ShareClients.deliveryCount(r));
                    a.acknowledge(r, r.offset() % 3 == 0 ? AcknowledgeType.RELEASE : r.offset() % 3 == 1 ? AcknowledgeType.REJECT : AcknowledgeType.ACCEPT);
                }
                a.commitSync();
            }
            out.put("firstCount", first.size());
            out.put("firstDeliveryCounts", Set.copyOf(first.values()));
            // 2. the released ones come back, with delivery count 2; released again: archived at the limit.
            long released = first.keySet().stream().filter(o -> o % 3 == 0).count();
            Map<Long, Short> second = new TreeMap<>();
            List<Long> unexpected = new ArrayList<>();
            while (second.size() < released && System.currentTimeMillis() < deadline) {
                for (ConsumerRecord<String, String> r : a.poll(Duration.ofMillis(200))) {
                    if (r.offset() % 3 == 0) second.put(r.offset(), ShareClients.deliveryCount(r));
                    else unexpected.add(r.offset());
                    a.acknowledge(r, AcknowledgeType.RELEASE);
                }
                a.commitSync();
            }
            out.put("secondCount", second.size());
            out.put("secondDeliveryCounts", Set.copyOf(second.values()));
            // 3. nothing more: rejected and over-limit records are archived.
            long quietUntil = System.currentTimeMillis() + 3000;
            while (System.currentTimeMillis() < quietUntil) {
                for (ConsumerRecord<String, String> r : a.poll(Duration.ofMillis(200))) {
                    unexpected.add(r.offset());
                    a.acknowledge(r, AcknowledgeType.ACCEPT);
                }
                a.commitSync();
            }
            out.put("unexpected", unexpected);

            // 4. lock expiry: A holds 5 new records while the broker clock passes the lock duration.
            try (KafkaProducer<String, String> p = new KafkaProducer<>(Map.of(
                    ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                    ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName(),
                    ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName(),
                    ProducerConfig.LINGER_MS_CONFIG, "200"))) {
                // One batch (sent together, then flushed): acquired, and so delivered, as a whole.
                for (int i = 0; i < 5; i++) p.send(new ProducerRecord<>(topic, 0, null, "late-" + i));
                p.flush();
            }
            // Explicit mode forbids another poll while these are unacknowledged: one non-empty poll.
            List<ConsumerRecord<String, String>> held = new ArrayList<>();
            while (held.isEmpty() && System.currentTimeMillis() < deadline) {
                for (ConsumerRecord<String, String> r : a.poll(Duration.ofMillis(200))) held.add(r);
            }
            out.put("held", held.size());
            advanceClock(control, 31_000);
            Map<Long, Short> taken = new TreeMap<>();
            try (KafkaShareConsumer<String, String> b = new KafkaShareConsumer<>(ShareClients.props(bootstrap, group, "explicit", "share-b"))) {
                b.subscribe(List.of(topic));
                while (taken.size() < held.size() && System.currentTimeMillis() < deadline) {
                    for (ConsumerRecord<String, String> r : b.poll(Duration.ofMillis(200))) {
                        taken.put(r.offset(), ShareClients.deliveryCount(r));
                        b.acknowledge(r, AcknowledgeType.ACCEPT);
                    }
                    b.commitSync();
                }
            }
            out.put("takenByB", taken.size());
            out.put("takenDeliveryCounts", Set.copyOf(taken.values()));
            for (ConsumerRecord<String, String> r : held) a.acknowledge(r, AcknowledgeType.ACCEPT);
            Map<TopicIdPartition, java.util.Optional<KafkaException>> late = a.commitSync();
            List<String> lateErrors = new ArrayList<>();
            late.forEach((tp, e) -> e.ifPresent(x -> lateErrors.add(x.getClass().getSimpleName())));
            out.put("lateAckErrors", lateErrors);
        }
        System.out.println(Interop.toJson(out));
    }
}
