package dev.minikafka.interop;

import static dev.minikafka.interop.StreamsApp.sum;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;

import org.apache.kafka.clients.consumer.ConsumerConfig;
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

        Properties p = StreamsApp.exactlyOnce(appId, bootstrap, stateDir, "100");
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
            .peek((key, word) -> StreamsApp.processed(pauseMs))
            .groupBy((key, word) -> word, Grouped.with("by-word", Serdes.String(), Serdes.String()))
            .count(Materialized.<String, Long, KeyValueStore<Bytes, byte[]>>as("word-counts").withKeySerde(Serdes.String()).withValueSerde(Serdes.Long()))
            .toStream()
            .mapValues(count -> Long.toString(count))
            .to(output, Produced.with(Serdes.String(), Serdes.String()));

        KafkaStreams streams = StreamsApp.start(b.build(), p);

        Properties cp = Interop.readCommittedStrings(bootstrap);
        Map<String, Long> latest = new HashMap<>();
        try (KafkaConsumer<String, String> watcher = new KafkaConsumer<>(cp)) {
            watcher.assign(watcher.partitionsFor(output).stream().map(i -> new org.apache.kafka.common.TopicPartition(output, i.partition())).toList());
            long deadline = System.currentTimeMillis() + Long.parseLong(args.getOrDefault("timeout-ms", "120000"));
            while (sum(latest) < records) {
                StreamsApp.exitUnlessRunning(streams, deadline, () -> "\"counted\":" + sum(latest));
                for (ConsumerRecord<String, String> r : watcher.poll(Duration.ofMillis(200))) latest.put(r.key(), Long.parseLong(r.value()));
            }
        }
        streams.close(Duration.ofSeconds(30));
        System.out.println("{\"event\":\"done\",\"words\":" + latest.size() + ",\"counted\":" + sum(latest) + "}");
        System.exit(0);
    }
}
