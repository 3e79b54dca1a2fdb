package dev.minikafka.interop;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.connect.cli.ConnectDistributed;
import org.apache.kafka.connect.runtime.Connect;
import org.apache.kafka.connect.runtime.Herder;
import org.apache.kafka.connect.runtime.distributed.DistributedHerder;
import org.apache.kafka.connect.runtime.rest.entities.ConnectorInfo;
import org.apache.kafka.connect.util.FutureCallback;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Kafka Connect and Kafka Streams, unchanged, against a locked-down cluster (SASL_SSL, an
 * authorizer, each workload its own principal with the ACLs Kafka's documentation prescribes),
 * for test/interop/locked-down.test.ts. One JVM runs, as a pipeline:
 *
 *   - a distributed Connect worker (principal --connect-user, group --group) with
 *     exactly.once.source.support=enabled, running CounterSourceConnector ("counter", exactly-once
 *     required) that writes v0 .. v{records-1} (keys k0 ..) to --connect-topic;
 *   - Kafka Streams (principal --streams-user, --application-id), exactly_once_v2, reading
 *     --connect-topic and counting its records by bucket ("b" + i % 4, through a repartition topic
 *     into a store with a changelog: internal topics Streams creates under the application id),
 *     each updated count to --streams-topic;
 *   - a read_committed consumer (principal --reader-user, no group) of both topics, until it has
 *     every record and every count. It prints them: {"event":"read","topic":T,"records":[[p,k,v],..]}.
 *
 * Then, with --denied-connector NAME, a second CounterSourceConnector on the same worker whose
 * task's transactional id (<group>-NAME-0) the worker's principal has no ACL for: its task must
 * fail, {"event":"connect_denied","state":"FAILED","trace":..}. With --denied-user, a second Streams application (--denied-application-id) whose principal
 * has every ACL of the first but one (the test leaves out its transactional ids): it must fail,
 * and {"event":"denied","error":<the exception chain's class names>} says with what.
 *
 * The security flags are Secure's: --bootstrap --truststore --truststore-password --mechanism, and
 * --<role>-user / --<role>-password per principal. Ends with {"event":"done"} and exit 0.
 */
public final class LockedDown {
    private LockedDown() {}

    public static void main(String[] argv) {
        try {
            run(Interop.parseArgs(argv));
        } catch (Throwable e) {
            // Connect's and Streams' threads would keep the JVM alive: report and exit.
            event("error", Map.of("detail", chain(e)));
            System.exit(1);
        }
    }

    private static void run(Map<String, String> args) throws Exception {
        String group = Interop.required(args, "group");
        String connectTopic = Interop.required(args, "connect-topic");
        String streamsTopic = Interop.required(args, "streams-topic");
        long records = Long.parseLong(Interop.required(args, "records"));
        long deadline = System.currentTimeMillis() + Long.parseLong(args.getOrDefault("timeout-ms", "150000"));

        Connect<DistributedHerder> connect = startConnect(args, group, connectTopic, records);
        event("connector_configured", Map.of());
        KafkaStreams streams = startStreams(args, as(args, "streams"), Interop.required(args, "application-id"), connectTopic, streamsTopic, null);

        // Every record of the Connect topic, and counts adding up to `records` in the Streams topic.
        Properties rp = Interop.readCommittedStrings(Interop.required(args, "bootstrap"));
        rp.putAll(as(args, "reader"));
        Map<String, List<List<Object>>> read = new LinkedHashMap<>();
        read.put(connectTopic, new ArrayList<>());
        read.put(streamsTopic, new ArrayList<>());
        Map<String, Long> latest = new HashMap<>();
        try (KafkaConsumer<String, String> reader = new KafkaConsumer<>(rp)) {
            List<TopicPartition> tps = new ArrayList<>();
            for (String topic : read.keySet()) reader.partitionsFor(topic).forEach(i -> tps.add(new TopicPartition(topic, i.partition())));
            reader.assign(tps);
            while (read.get(connectTopic).size() < records || latest.values().stream().mapToLong(Long::longValue).sum() < records) {
                if (System.currentTimeMillis() > deadline) {
                    event("timeout", Map.of("connect", read.get(connectTopic).size(), "counted", latest.values().stream().mapToLong(Long::longValue).sum(), "streams", String.valueOf(streams.state())));
                    System.exit(3);
                }
                if (streams.state() == KafkaStreams.State.ERROR || streams.state() == KafkaStreams.State.NOT_RUNNING) {
                    event("stopped", Map.of("state", String.valueOf(streams.state())));
                    System.exit(2);
                }
                for (ConsumerRecord<String, String> r : reader.poll(Duration.ofMillis(200))) {
                    read.get(r.topic()).add(List.of(r.partition(), r.key(), r.value()));
                    if (r.topic().equals(streamsTopic)) latest.put(r.key(), Long.parseLong(r.value()));
                }
            }
        }
        streams.close(Duration.ofSeconds(30));
        for (var e : read.entrySet()) event("read", Map.of("topic", e.getKey(), "records", e.getValue()));

        if (args.containsKey("denied-connector")) deniedConnector(connect, args.get("denied-connector"), connectTopic, deadline);
        connect.stop();

        if (args.containsKey("denied-user")) denied(args, connectTopic, streamsTopic, deadline);
        event("done", Map.of());
        System.exit(0);
    }

    /**
     * ConnectEos's worker over SASL_SSL: every client it makes (its own, the tasks' producers, their
     * admin and offsets consumer) as --connect-user.
     */
    private static Connect<DistributedHerder> startConnect(Map<String, String> args, String group, String topic, long records) throws Exception {
        Properties security = as(args, "connect");
        Map<String, String> w = ConnectEos.workerConfig(Interop.required(args, "bootstrap"), group);
        for (String prefix : List.of("", "producer.", "consumer.", "admin.")) security.forEach((k, v) -> w.put(prefix + k, String.valueOf(v)));
        Connect<DistributedHerder> connect = new ConnectDistributed().startConnect(w);

        configureCounter(connect, "counter", topic, records);
        return connect;
    }

    /** CounterSourceConnector `name` (exactly-once required, one task) writing `records` records to `topic`. */
    private static void configureCounter(Connect<DistributedHerder> connect, String name, String topic, long records) throws Exception {
        Map<String, String> c = ConnectEos.counterConfig(name, topic, records, 20);
        FutureCallback<Herder.Created<ConnectorInfo>> created = new FutureCallback<>();
        connect.herder().putConnectorConfig(name, c, true, created);
        created.get(90, TimeUnit.SECONDS);
    }

    /**
     * A second connector on the same worker, whose task's transactional id (<group>-<name>-0) the
     * worker's principal has no ACL for: its task must fail. Prints {"event":"connect_denied",
     * "state":S,"trace":T} with the task's state and the first lines of its trace.
     */
    private static void deniedConnector(Connect<DistributedHerder> connect, String name, String topic, long deadline) throws Exception {
        configureCounter(connect, name, topic, 10);
        while (true) {
            if (System.currentTimeMillis() > deadline) {
                event("timeout", Map.of("denied-connector", name));
                System.exit(3);
            }
            try {
                for (var task : connect.herder().connectorStatus(name).tasks()) {
                    if (task.state().equals("FAILED")) {
                        String trace = String.valueOf(task.trace());
                        event("connect_denied", Map.of("state", task.state(), "trace", trace.substring(0, Math.min(trace.length(), 2000))));
                        return;
                    }
                }
            } catch (org.apache.kafka.connect.errors.NotFoundException e) {
                // Not yet assigned a status: the rebalance that starts the task is under way.
            }
            Thread.sleep(100);
        }
    }

    /**
     * Streams exactly_once_v2: counts --input's records by bucket (i % 4 of value "v<i>") through a
     * repartition topic into a RocksDB store with its changelog; each updated count to `output`.
     * `failure`, when given, receives the exception that kills a stream thread.
     */
    private static KafkaStreams startStreams(Map<String, String> args, Properties security, String appId, String input, String output, AtomicReference<Throwable> failure) {
        Properties p = StreamsApp.exactlyOnce(appId, Interop.required(args, "bootstrap"), Interop.required(args, "state-dir"), "100");
        p.putAll(security);
        StreamsBuilder b = new StreamsBuilder();
        b.stream(input, Consumed.with(Serdes.String(), Serdes.String()))
            .groupBy((key, value) -> "b" + (Long.parseLong(value.substring(1)) % 4), Grouped.with("by-bucket", Serdes.String(), Serdes.String()))
            .count(Materialized.<String, Long, KeyValueStore<Bytes, byte[]>>as("bucket-counts").withKeySerde(Serdes.String()).withValueSerde(Serdes.Long()))
            .toStream()
            .mapValues(count -> Long.toString(count))
            .to(output, Produced.with(Serdes.String(), Serdes.String()));
        KafkaStreams streams = new KafkaStreams(b.build(), p);
        streams.setUncaughtExceptionHandler(e -> {
            if (failure != null) failure.compareAndSet(null, e);
            else event("error", Map.of("detail", chain(e)));
            return StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
        });
        streams.start();
        return streams;
    }

    /** The second Streams application, one ACL short: runs until it fails (or the deadline passes). */
    private static void denied(Map<String, String> args, String input, String output, long deadline) throws Exception {
        AtomicReference<Throwable> failure = new AtomicReference<>();
        KafkaStreams streams = startStreams(args, as(args, "denied"), Interop.required(args, "denied-application-id"), input, output, failure);
        while (failure.get() == null && streams.state() != KafkaStreams.State.ERROR && streams.state() != KafkaStreams.State.NOT_RUNNING) {
            if (System.currentTimeMillis() > deadline) {
                event("timeout", Map.of("denied", String.valueOf(streams.state())));
                System.exit(3);
            }
            Thread.sleep(100);
        }
        streams.close(Duration.ofSeconds(10));
        event("denied", Map.of("error", failure.get() == null ? List.of() : chain(failure.get()), "state", String.valueOf(streams.state())));
    }

    /** Secure's client security settings for --<role>-user / --<role>-password; each client keeps its own id. */
    private static Properties as(Map<String, String> args, String role) {
        Properties p = Secure.security(args, Interop.required(args, role + "-user"), Interop.required(args, role + "-password"));
        p.remove(CommonClientConfigs.CLIENT_ID_CONFIG);
        return p;
    }

    /** The class names of an exception and its causes, outermost first. */
    private static List<String> chain(Throwable e) {
        List<String> names = new ArrayList<>();
        for (Throwable t = e; t != null && names.size() < 10; t = t.getCause()) names.add(t.getClass().getSimpleName() + ": " + t.getMessage());
        return names;
    }

    private static final long STARTED = System.currentTimeMillis();

    /** An event line; "ms" is the time since this JVM's start, for the test's per-phase figures. */
    private static void event(String name, Map<String, ?> fields) {
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("event", name);
        line.put("ms", System.currentTimeMillis() - STARTED);
        line.putAll(fields);
        System.out.println(Interop.toJson(line));
        System.out.flush();
    }
}
