package dev.minikafka.interop;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * A Kafka Streams application with processing.guarantee=exactly_once_v2: counts the words of
 * --input (values) through a repartition topic (groupBy) into a persistent store (RocksDB, as
 * Streams' default) backed by a changelog topic, and writes every updated count, as decimal text,
 * to --output (the record cache is off, so each input record gives exactly one output record).
 * Streams creates its internal topics itself. --pause-ms slows each input record down, so that a
 * kill lands in the middle of the work; every 25th record processed prints {"event":"processing"}.
 *
 * It runs until a read_committed consumer of --output sees counts that add up to --records (every
 * input record counted), then closes Streams and prints {"event":"done"}. The test kills it
 * (SIGKILL) at random points and restarts it with the same --state-dir: the restart keeps its
 * process id (a persistent store makes Streams keep it there), hence its transactional ids, so
 * initTransactions fences the dead instance and aborts its open transactions; with exactly-once
 * the store is wiped after a crash and restored from the changelog. Exactly once means each
 * word's committed counts in --output are 1, 2, ..., n with nothing twice.
 *
 * --group-protocol streams runs it on the Streams rebalance protocol (KIP-1071, the broker assigns
 * the tasks); --endpoint host:port sets application.server (interactive queries).
 */
public final class StreamsEos {
    private StreamsEos() {}

    public static void main(String[] argv) throws Exception {
        Map<String, String> args = Interop.parseArgs(argv);
        String bootstrap = Interop.required(args, "bootstrap");
        String input = Interop.required(args, "input");
        String output = Interop.required(args, "output");
        String appId = Interop.required(args, "application-id");
        String stateDir = Interop.required(args, "state-dir");
        long records = Long.parseLong(Interop.required(args, "records"));

        Properties p = new Properties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, appId);
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        p.put(StreamsConfig.STATE_DIR_CONFIG, stateDir);
        p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, "100");
        p.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, "0");
        // Records go out as they are processed (Streams' producer default is linger.ms 100, which
        // holds them until the commit's flush). Under transactions V2 a partition joins the
        // transaction only when its first Produce arrives, so with lingering the coordinator sees a
        // transaction Ongoing only for the moment between flush and EndTxn, and a kill almost never
        // lands inside one; the kill tests prove their kills by that Ongoing state.
        p.put(StreamsConfig.producerPrefix(ProducerConfig.LINGER_MS_CONFIG), "0");
        p.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, args.getOrDefault("threads", "2"));
        String protocol = args.getOrDefault("group-protocol", "classic");
        if (protocol.equals("streams")) {
            // KIP-1071: the broker assigns the tasks; session timeout and standby replicas are the
            // group's (broker) configs, not the client's. --instance tells two instances apart
            // (each its own state directory and process id).
            p.put(StreamsConfig.GROUP_PROTOCOL_CONFIG, "streams");
        } else {
            // A static member, as Streams deployments run: a restart takes the dead member's place
            // without waiting for its session to expire.
            p.put(StreamsConfig.consumerPrefix(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG), appId + "-instance");
            p.put(StreamsConfig.consumerPrefix(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG), "10000");
        }
        if (args.containsKey("endpoint")) p.put(StreamsConfig.APPLICATION_SERVER_CONFIG, args.get("endpoint"));

        long pauseMs = Long.parseLong(args.getOrDefault("pause-ms", "0"));
        StreamsBuilder b = new StreamsBuilder();
        b.stream(input, Consumed.with(Serdes.String(), Serdes.String()))
            .peek((key, word) -> processed(pauseMs))
            .groupBy((key, word) -> word, Grouped.with("by-word", Serdes.String(), Serdes.String()))
            .count(Materialized.<String, Long, KeyValueStore<Bytes, byte[]>>as("word-counts").withKeySerde(Serdes.String()).withValueSerde(Serdes.Long()))
            .toStream()
            .mapValues(count -> Long.toString(count))
            .to(output, Produced.with(Serdes.String(), Serdes.String()));

        KafkaStreams streams = new KafkaStreams(b.build(), p);
        streams.setUncaughtExceptionHandler(e -> {
            System.out.println("{\"event\":\"error\",\"detail\":" + Interop.toJson(String.valueOf(e)) + "}");
            System.out.flush();
            return org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
        });
        streams.start();
        // The first thread's consumer client id, "<application.id>-<process id>-StreamThread-1-consumer":
        // the process id names this instance's transactional ids ("<application.id>-<process id>-<n>").
        String client = streams.metadataForLocalThreads().stream().map(m -> m.consumerClientId()).sorted().findFirst().orElse("");
        System.out.println("{\"event\":\"started\",\"client\":" + Interop.toJson(client) + "}");
        System.out.flush();

        Properties cp = Interop.readCommittedStrings(bootstrap);
        Map<String, Long> latest = new HashMap<>();
        try (KafkaConsumer<String, String> watcher = new KafkaConsumer<>(cp)) {
            watcher.assign(watcher.partitionsFor(output).stream().map(i -> new org.apache.kafka.common.TopicPartition(output, i.partition())).toList());
            long deadline = System.currentTimeMillis() + Long.parseLong(args.getOrDefault("timeout-ms", "120000"));
            while (sum(latest) < records) {
                if (streams.state() == KafkaStreams.State.ERROR || streams.state() == KafkaStreams.State.NOT_RUNNING) {
                    System.out.println("{\"event\":\"stopped\",\"state\":\"" + streams.state() + "\"}");
                    System.exit(2);
                }
                if (System.currentTimeMillis() > deadline) {
                    System.out.println("{\"event\":\"timeout\",\"counted\":" + sum(latest) + "}");
                    System.exit(3);
                }
                for (ConsumerRecord<String, String> r : watcher.poll(Duration.ofMillis(200))) latest.put(r.key(), Long.parseLong(r.value()));
            }
        }
        streams.close(Duration.ofSeconds(30));
        System.out.println("{\"event\":\"done\",\"words\":" + latest.size() + ",\"counted\":" + sum(latest) + "}");
        System.exit(0);
    }

    private static final java.util.concurrent.atomic.AtomicLong PROCESSED = new java.util.concurrent.atomic.AtomicLong();

    /**
     * Each input record on its way through the topology: every 25th prints {"event":"processing"}
     * (Streams is then inside a transaction of its exactly-once commit interval, which the test
     * checks on the broker after a kill), then the record waits --pause-ms.
     */
    private static void processed(long ms) {
        long n = PROCESSED.incrementAndGet();
        if (n % 25 == 0) {
            System.out.println("{\"event\":\"processing\",\"records\":" + n + "}");
            System.out.flush();
        }
        if (ms <= 0) return;
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static long sum(Map<String, Long> m) {
        long s = 0;
        for (long v : m.values()) s += v;
        return s;
    }
}
