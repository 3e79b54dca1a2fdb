package dev.minikafka.interop;

import static dev.minikafka.interop.StreamsApp.emit;
import static dev.minikafka.interop.StreamsApp.sum;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeSet;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.ThreadMetadata;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.Joined;
import org.apache.kafka.streams.kstream.KGroupedStream;
import org.apache.kafka.streams.kstream.KTable;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.TimeWindows;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.WindowStore;

/**
 * A Kafka Streams application (exactly_once_v2, by default on the Streams rebalance protocol,
 * KIP-1071) whose topology has the three stateful shapes Streams deployments combine:
 *
 * - a word count through a repartition topic: the --input values (words) grouped by word
 *   (groupBy, repartition topic "by-word") and counted into a RocksDB store with its changelog,
 *   every updated count to --counts (word -> count);
 * - a windowed aggregation over the same grouped stream: tumbling event-time windows of
 *   --window-ms with a grace of a day (so that no record is late, whatever the order in which the
 *   input partitions' records reach the repartition topic), a count per word and window, to
 *   --windows as "word@N" -> count, N the window's start minus --base-ms in windows (the input
 *   sets the record timestamps relative to --base-ms, so these keys do not depend on the day);
 * - a KStream-KTable join: the stream of count updates joined with the table of --table (word ->
 *   category, seeded before the application starts, its timestamps older than any input's, so
 *   Streams reads it in before the first count), to --joined as word -> "category:count"; words
 *   without a category give nothing (an inner join).
 *
 * The record cache is off, so every input record gives exactly one record in --counts and one in
 * --windows. The expected output is thus a set of records that does not depend on how the tasks
 * were spread or how often the instances died: each word's counts 1..n, each window's 1..n, each
 * categorised word's "category:1".."category:n".
 *
 * Each input record waits --pause-ms twice, in both subtopologies (before the repartition topic
 * and in the windowed aggregator), so that a kill lands inside a transaction whichever tasks the
 * instance holds; every 25th record processed prints {"event":"processing"}. Whenever this
 * instance's tasks change it prints {"event":"tasks","active":[...],"standby":[...]} from the
 * Streams metadata API (standby tasks are assigned by the broker under group.protocol=streams).
 *
 * It runs until a read_committed consumer sees --counts and --windows each add up to --records
 * and --joined to --joined-total, then closes Streams and prints {"event":"done"}.
 */
public final class StreamsPipeline {
    private StreamsPipeline() {}

    public static void main(String[] argv) throws Exception {
        Map<String, String> args = Interop.parseArgs(argv);
        String bootstrap = Interop.required(args, "bootstrap");
        String input = Interop.required(args, "input");
        String table = Interop.required(args, "table");
        String counts = Interop.required(args, "counts");
        String windows = Interop.required(args, "windows");
        String joined = Interop.required(args, "joined");
        String appId = Interop.required(args, "application-id");
        String stateDir = Interop.required(args, "state-dir");
        long records = Long.parseLong(Interop.required(args, "records"));
        long joinedTotal = Long.parseLong(Interop.required(args, "joined-total"));
        long baseMs = Long.parseLong(Interop.required(args, "base-ms"));
        long windowMs = Long.parseLong(Interop.required(args, "window-ms"));
        long pauseMs = Long.parseLong(args.getOrDefault("pause-ms", "0"));

        // A transaction is Ongoing on the broker from its first record sent (transactions V2 adds
        // partitions with the Produce) to the commit; not during the commit (flush, offsets,
        // EndTxn, markers: a few hundred ms on a loaded machine) nor until the next send (one
        // --pause-ms). With 5 s intervals a kill lands in one nearly always (at Streams' 100 ms
        // default under exactly-once a kill missed one about once in five, at 1 s once in six
        // against Apache Kafka on a loaded machine). Below the transaction timeout (10 s).
        Properties p = StreamsApp.exactlyOnce(appId, bootstrap, stateDir, "5000");
        p.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, args.getOrDefault("threads", "1"));
        // Under group.protocol=streams the broker's group.streams.num.standby.replicas decides; set
        // here too, so that the classic protocol (--group-protocol classic) assigns the same.
        p.put(StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG, "1");
        p.put(StreamsConfig.GROUP_PROTOCOL_CONFIG, args.getOrDefault("group-protocol", "streams"));

        StreamsBuilder b = new StreamsBuilder();
        KTable<String, String> categories = b.table(table, Consumed.with(Serdes.String(), Serdes.String()),
            Materialized.<String, String, KeyValueStore<Bytes, byte[]>>as("categories").withKeySerde(Serdes.String()).withValueSerde(Serdes.String()));
        KGroupedStream<String, String> byWord = b.stream(input, Consumed.with(Serdes.String(), Serdes.String()))
            .peek((key, word) -> StreamsApp.processed(pauseMs))
            .groupBy((key, word) -> word, Grouped.with("by-word", Serdes.String(), Serdes.String()));

        KTable<String, Long> wordCounts = byWord.count(Materialized.<String, Long, KeyValueStore<Bytes, byte[]>>as("word-counts").withKeySerde(Serdes.String()).withValueSerde(Serdes.Long()));
        wordCounts.toStream()
            .mapValues(count -> Long.toString(count))
            .to(counts, Produced.with(Serdes.String(), Serdes.String()));

        byWord.windowedBy(TimeWindows.ofSizeAndGrace(Duration.ofMillis(windowMs), Duration.ofDays(1)))
            .aggregate(() -> 0L, (word, value, n) -> {
                StreamsApp.processed(pauseMs);
                return n + 1;
            }, Materialized.<String, Long, WindowStore<Bytes, byte[]>>as("window-counts").withKeySerde(Serdes.String()).withValueSerde(Serdes.Long()))
            .toStream()
            .map((w, n) -> KeyValue.pair(w.key() + "@" + Math.floorDiv(w.window().start() - baseMs, windowMs), Long.toString(n)))
            .to(windows, Produced.with(Serdes.String(), Serdes.String()));

        wordCounts.toStream()
            .join(categories, (count, category) -> category + ":" + count, Joined.with(Serdes.String(), Serdes.Long(), Serdes.String()))
            .to(joined, Produced.with(Serdes.String(), Serdes.String()));

        KafkaStreams streams = StreamsApp.start(b.build(), p);

        Map<String, Map<String, Long>> latest = Map.of(counts, new HashMap<>(), windows, new HashMap<>(), joined, new HashMap<>());
        String tasks = "";
        try (KafkaConsumer<String, String> watcher = new KafkaConsumer<>(Interop.readCommittedStrings(bootstrap))) {
            List<TopicPartition> parts = new java.util.ArrayList<>();
            for (String topic : latest.keySet()) watcher.partitionsFor(topic).forEach(i -> parts.add(new TopicPartition(topic, i.partition())));
            watcher.assign(parts);
            long deadline = System.currentTimeMillis() + Long.parseLong(args.getOrDefault("timeout-ms", "180000"));
            while (sum(latest.get(counts)) < records || sum(latest.get(windows)) < records || sum(latest.get(joined)) < joinedTotal) {
                StreamsApp.exitUnlessRunning(streams, deadline, () -> "\"counts\":" + sum(latest.get(counts)) + ",\"windows\":" + sum(latest.get(windows)) + ",\"joined\":" + sum(latest.get(joined)));
                String now = tasksJson(streams);
                if (!now.equals(tasks)) {
                    tasks = now;
                    emit("{\"event\":\"tasks\"," + now + "}");
                }
                for (ConsumerRecord<String, String> r : watcher.poll(Duration.ofMillis(200))) {
                    long n = r.topic().equals(joined) ? Long.parseLong(r.value().substring(r.value().lastIndexOf(':') + 1)) : Long.parseLong(r.value());
                    latest.get(r.topic()).put(r.key(), n);
                }
            }
        }
        streams.close(Duration.ofSeconds(30));
        emit("{\"event\":\"done\",\"counted\":" + sum(latest.get(counts)) + ",\"windowed\":" + sum(latest.get(windows)) + ",\"joined\":" + sum(latest.get(joined)) + "}");
        System.exit(0);
    }

    /** This instance's active and standby task ids ("subtopology_partition"), sorted, as JSON fields. */
    private static String tasksJson(KafkaStreams streams) {
        TreeSet<String> active = new TreeSet<>();
        TreeSet<String> standby = new TreeSet<>();
        for (ThreadMetadata t : streams.metadataForLocalThreads()) {
            t.activeTasks().forEach(x -> active.add(x.taskId().toString()));
            t.standbyTasks().forEach(x -> standby.add(x.taskId().toString()));
        }
        return "\"active\":" + Interop.toJson(List.copyOf(active)) + ",\"standby\":" + Interop.toJson(List.copyOf(standby));
    }
}
