package dev.minikafka.interop;

import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.ThreadMetadata;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;

/**
 * What the exactly-once Streams applications the kill tests run (StreamsEos, StreamsPipeline)
 * share: their base configuration, the JSON event lines they print (started, processing, error,
 * stopped, timeout), the per-record pause that makes a kill land inside a transaction, and the
 * check that ends a run whose Streams stopped or that took too long.
 */
final class StreamsApp {
    private StreamsApp() {}

    private static final AtomicLong PROCESSED = new AtomicLong();

    /**
     * exactly_once_v2 with a state directory (a restart keeps its process id there, hence its
     * transactional ids), the record cache off (each input record gives exactly one output record
     * per store) and records sent as they are processed: Streams' producer default of linger.ms
     * 100 holds them until the commit's flush, and under transactions V2 a partition joins the
     * transaction only with its first Produce, so the coordinator would see a transaction Ongoing
     * only between the flush and EndTxn and a kill would almost never land inside one; the kill
     * tests prove their kills by that Ongoing state.
     */
    static Properties exactlyOnce(String appId, String bootstrap, String stateDir, String commitIntervalMs) {
        Properties p = new Properties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, appId);
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        p.put(StreamsConfig.STATE_DIR_CONFIG, stateDir);
        p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, commitIntervalMs);
        p.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, "0");
        p.put(StreamsConfig.producerPrefix(ProducerConfig.LINGER_MS_CONFIG), "0");
        return p;
    }

    /**
     * Starts Streams (an uncaught exception prints {"event":"error"} and shuts the client down) and
     * prints {"event":"started","client":...}: the first thread's consumer client id,
     * "<application.id>-<process id>-StreamThread-1-consumer", whose process id names this
     * instance's transactional ids ("<application.id>-<process id>-<thread>") and group members.
     */
    static KafkaStreams start(Topology topology, Properties p) {
        KafkaStreams streams = new KafkaStreams(topology, p);
        streams.setUncaughtExceptionHandler(e -> {
            emit("{\"event\":\"error\",\"detail\":" + Interop.toJson(String.valueOf(e)) + "}");
            return StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
        });
        streams.start();
        String client = streams.metadataForLocalThreads().stream().map(ThreadMetadata::consumerClientId).sorted().findFirst().orElse("");
        emit("{\"event\":\"started\",\"client\":" + Interop.toJson(client) + "}");
        return streams;
    }

    /**
     * Ends the run when Streams stopped ({"event":"stopped"}, exit 2) or the deadline passed
     * ({"event":"timeout", timeoutFields...}, exit 3).
     */
    static void exitUnlessRunning(KafkaStreams streams, long deadline, Supplier<String> timeoutFields) {
        KafkaStreams.State state = streams.state();
        if (state == KafkaStreams.State.ERROR || state == KafkaStreams.State.NOT_RUNNING) {
            emit("{\"event\":\"stopped\",\"state\":\"" + state + "\"}");
            System.exit(2);
        }
        if (System.currentTimeMillis() > deadline) {
            emit("{\"event\":\"timeout\"," + timeoutFields.get() + "}");
            System.exit(3);
        }
    }

    /**
     * A record on its way through a subtopology: every 25th prints {"event":"processing"} (Streams
     * is then inside a transaction of its exactly-once commit interval, which the tests check on
     * the broker after a kill), then it waits --pause-ms so that a kill lands in the middle of the
     * work.
     */
    static void processed(long ms) {
        long n = PROCESSED.incrementAndGet();
        if (n % 25 == 0) emit("{\"event\":\"processing\",\"records\":" + n + "}");
        if (ms <= 0) return;
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** One JSON line, whole: Streams' threads and the main thread both print. */
    static synchronized void emit(String line) {
        System.out.println(line);
        System.out.flush();
    }

    /** The sum of the latest counts: what the run waits for. */
    static long sum(Map<String, Long> m) {
        long s = 0;
        for (long v : m.values()) s += v;
        return s;
    }
}
