package dev.minikafka.interop;

import java.io.FileReader;
import java.io.Reader;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * The Java client over each way of authenticating, for test/interop/security-java.test.ts and
 * scripts/record-kafka-security.mjs: one JVM runs every step of a plan (a JVM start costs more
 * than a step), each step with its own client configs.
 *
 *   java -cp interop.jar dev.minikafka.interop.SecureCases PLAN
 *
 * PLAN is a java.util.Properties file:
 *   steps=a,b,...                   the steps, run in this order
 *   system.NAME=VALUE               system properties set first (Kafka 4.x reads
 *                                   org.apache.kafka.sasl.oauthbearer.allowed.urls before it
 *                                   fetches a token from an endpoint)
 *   STEP.kind=roundtrip|refused
 *   STEP.topic=T, STEP.group=G, STEP.records=N
 *   STEP.client.CONFIG=VALUE        the clients' configs (bootstrap.servers, security.protocol,
 *                                   sasl.*, ssl.*)
 * roundtrip: produce N records, consume them in group G, commitSync; ok when all N were read and
 *   the committed offsets add up to N. refused: send one record; ok when the send fails with an
 *   AuthenticationException. Detail: the exception and its causes, class and message each, as
 *   the application sees them.
 * Prints one JSON line per step (Interop.step).
 */
public final class SecureCases {
    public static void main(String[] argv) throws Exception {
        if (argv.length != 1) Interop.usage("usage: SecureCases PLAN");
        Properties plan = new Properties();
        try (Reader r = new FileReader(argv[0])) {
            plan.load(r);
        }
        for (String name : plan.stringPropertyNames()) {
            if (name.startsWith("system.")) System.setProperty(name.substring("system.".length()), plan.getProperty(name));
        }
        for (String step : plan.getProperty("steps", "").split(",")) {
            if (step.isBlank()) continue;
            Properties client = clientConfigs(plan, step);
            String topic = need(plan, step + ".topic");
            String kind = need(plan, step + ".kind");
            if (kind.equals("roundtrip")) {
                roundtrip(step, client, topic, need(plan, step + ".group"), Integer.parseInt(plan.getProperty(step + ".records", "10")));
            } else if (kind.equals("refused")) {
                refused(step, client, topic);
            } else {
                Interop.usage("unknown kind " + kind + " of step " + step);
            }
        }
        System.exit(Interop.failed ? 1 : 0);
    }

    static String need(Properties plan, String key) {
        String v = plan.getProperty(key);
        if (v == null) Interop.usage("the plan has no " + key);
        return v;
    }

    static Properties clientConfigs(Properties plan, String step) {
        String prefix = step + ".client.";
        Properties p = new Properties();
        for (String name : plan.stringPropertyNames()) {
            if (name.startsWith(prefix)) p.put(name.substring(prefix.length()), plan.getProperty(name));
        }
        p.putIfAbsent("client.id", "interop-java-" + step);
        return p;
    }

    static void roundtrip(String step, Properties client, String topic, String group, int n) {
        List<String> sent = new ArrayList<>();
        try (KafkaProducer<String, String> p = new KafkaProducer<>(Secure.producerProps(client))) {
            for (int i = 0; i < n; i++) {
                String v = step + "-" + i;
                p.send(new ProducerRecord<>(topic, "k" + i, v)).get();
                sent.add(v);
            }
        } catch (ExecutionException | InterruptedException | RuntimeException e) {
            Interop.step(step, false, Map.of("phase", "produce", "sent", sent.size(), "error", chain(e instanceof ExecutionException ? e.getCause() : e)));
            return;
        }
        List<String> values = new ArrayList<>();
        try {
            long committed = consumeAndCommit(client, topic, group, n, values);
            Interop.step(step, values.equals(sent) && committed == n, Map.of("values", values, "committed", committed));
        } catch (RuntimeException e) {
            Interop.step(step, false, Map.of("phase", "consume", "read", values.size(), "error", chain(e)));
        }
    }

    /**
     * Subscribes in `group`, reads until `n` records are in `values` (or a minute passed), commits
     * and returns the sum of the committed offsets of the assigned partitions.
     */
    static long consumeAndCommit(Properties client, String topic, String group, int n, List<String> values) {
        Properties c = new Properties();
        c.putAll(client);
        c.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(c)) {
            consumer.subscribe(List.of(topic));
            // Generous for a loaded machine: a group join and a few fetches take well under a second here.
            long deadline = System.currentTimeMillis() + 60_000;
            while (values.size() < n && System.currentTimeMillis() < deadline) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(500))) values.add(r.value());
            }
            consumer.commitSync();
            Map<TopicPartition, OffsetAndMetadata> committed = consumer.committed(consumer.assignment());
            return committed.values().stream().mapToLong(o -> o == null ? 0 : o.offset()).sum();
        }
    }

    static void refused(String step, Properties client, String topic) {
        try (KafkaProducer<String, String> p = new KafkaProducer<>(Secure.producerProps(client))) {
            p.send(new ProducerRecord<>(topic, "k", "refused")).get();
            Interop.step(step, false, Map.of("error", List.of(), "note", "the send succeeded"));
        } catch (ExecutionException e) {
            Interop.step(step, e.getCause() instanceof AuthenticationException, Map.of("error", chain(e.getCause())));
        } catch (InterruptedException | RuntimeException e) {
            Interop.step(step, false, Map.of("error", chain(e)));
        }
    }

    /** The exception and its causes, outermost first: class name and message each. */
    static List<Map<String, String>> chain(Throwable e) {
        List<Map<String, String>> out = new ArrayList<>();
        for (Throwable t = e; t != null && out.size() < 8; t = t.getCause()) {
            Map<String, String> one = new LinkedHashMap<>();
            one.put("class", t.getClass().getName());
            one.put("message", String.valueOf(t.getMessage()));
            out.add(one);
        }
        return out;
    }
}
