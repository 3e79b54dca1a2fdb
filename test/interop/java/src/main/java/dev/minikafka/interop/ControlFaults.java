package dev.minikafka.interop;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Fault injection from Java with nothing but java.net.http: asks the broker's control API to answer
 * the next 3 Produce requests to --topic with NOT_LEADER_OR_FOLLOWER, sends one record with an
 * idempotent, acks=all KafkaProducer, and prints one JSON line: the delivery (or its error), and
 * how many Produce requests the broker saw (a second, no-op rule counts them), so the test sees the
 * client retry 3 times and then succeed.
 *
 * usage: ControlFaults --bootstrap HOST:PORT --control-url URL --topic TOPIC
 */
public final class ControlFaults {
    private ControlFaults() {}

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    /** One control API call: the status and the body text. */
    record Answer(int status, String body) {}

    static Answer control(String base, String method, String path, String json) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(10)).header("content-type", "application/json");
        b.method(method, json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json));
        HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
        return new Answer(r.statusCode(), r.body());
    }

    /** The n-th (0-based) integer value of a field in a JSON text (enough for the control API's flat rule objects). */
    static long field(String json, String name, int n) {
        Matcher m = Pattern.compile("\"" + name + "\"\\s*:\\s*(-?\\d+)").matcher(json);
        for (int i = 0; i <= n; i++) if (!m.find()) throw new IllegalStateException("no " + name + " #" + n + " in " + json);
        return Long.parseLong(m.group(1));
    }

    public static void main(String[] argv) throws Exception {
        Map<String, String> args = Interop.parseArgs(argv);
        String bootstrap = Interop.required(args, "bootstrap");
        String base = Interop.required(args, "control-url");
        String topic = Interop.required(args, "topic");

        Answer added = control(base, "POST", "/faults", "["
                + "{\"api\":\"Produce\",\"topic\":\"" + topic + "\",\"action\":\"error\",\"error\":\"NOT_LEADER_OR_FOLLOWER\",\"count\":3},"
                // Matches every Produce and does nothing: its hit count is the number of attempts.
                + "{\"api\":\"Produce\",\"topic\":\"" + topic + "\",\"action\":\"latency\",\"ms\":0}]");
        Map<String, Object> result = new LinkedHashMap<>();
        if (added.status() != 201) {
            result.put("error", "adding faults: HTTP " + added.status() + " " + added.body());
            System.out.println(Interop.toJson(result));
            return;
        }
        long failing = field(added.body(), "id", 0);
        long counter = field(added.body(), "id", 1);

        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.CLIENT_ID_CONFIG, "interop-java-control-faults");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        p.put(ProducerConfig.RETRY_BACKOFF_MS_CONFIG, 50);
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 30_000);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        long start = System.nanoTime();
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p)) {
            RecordMetadata md = producer.send(new ProducerRecord<>(topic, Interop.utf8("survives three NOT_LEADER_OR_FOLLOWER"))).get();
            result.put("error", null);
            result.put("partition", md.partition());
            result.put("offset", md.offset());
        } catch (Exception e) {
            result.put("error", String.valueOf(Interop.rootCause(e)));
        }
        result.put("ms", (System.nanoTime() - start) / 1_000_000);
        result.put("failingRuleStatus", control(base, "GET", "/faults/" + failing, null).status());
        result.put("produceRequests", field(control(base, "GET", "/faults/" + counter, null).body(), "hits", 0));
        control(base, "DELETE", "/faults", null);
        System.out.println(Interop.toJson(result));
    }
}
