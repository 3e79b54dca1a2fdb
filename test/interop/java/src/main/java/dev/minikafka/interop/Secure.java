package dev.minikafka.interop;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;

import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.config.SslConfigs;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The Java client over SASL_SSL, for test/interop/security.test.ts: produce records, consume them
 * in a group and commit, as --user; then, as --denied-user, produce to the same topic, which the
 * broker's ACLs refuse. Trusts the broker through the PKCS12 truststore of its ready line.
 *
 *   java -cp interop.jar dev.minikafka.interop.Secure --bootstrap B --topic T --group G
 *     --truststore FILE --truststore-password P --mechanism SCRAM-SHA-512|PLAIN
 *     --user U --password P --denied-user U2 --denied-password P2 [--records N]
 *
 * Prints one JSON line per step (Interop.step): produce, consume_group (with the values read),
 * denied_produce (ok when the send failed with TopicAuthorizationException; detail: the error).
 */
public final class Secure {
    public static void main(String[] argv) throws Exception {
        Map<String, String> args = Interop.parseArgs(argv);
        String topic = Interop.required(args, "topic");
        int n = Integer.parseInt(args.getOrDefault("records", "20"));

        Properties user = security(args, Interop.required(args, "user"), Interop.required(args, "password"));
        try (KafkaProducer<String, String> p = new KafkaProducer<>(producerProps(user))) {
            for (int i = 0; i < n; i++) p.send(new ProducerRecord<>(topic, "k" + i, "v" + i)).get();
            Interop.step("produce", true, Map.of("records", n));
        } catch (ExecutionException e) {
            Interop.step("produce", false, Map.of("error", e.getCause().getClass().getSimpleName(), "message", String.valueOf(e.getCause().getMessage())));
        }

        List<String> values = new ArrayList<>();
        long total = SecureCases.consumeAndCommit(user, topic, Interop.required(args, "group"), n, values);
        Interop.step("consume_group", values.size() == n && total == n, Map.of("values", values, "committed", total));

        Properties denied = security(args, Interop.required(args, "denied-user"), Interop.required(args, "denied-password"));
        try (KafkaProducer<String, String> p = new KafkaProducer<>(producerProps(denied))) {
            p.send(new ProducerRecord<>(topic, "x", "refused")).get();
            Interop.step("denied_produce", false, Map.of("error", "none: the send succeeded"));
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            Interop.step("denied_produce", cause instanceof org.apache.kafka.common.errors.TopicAuthorizationException,
                Map.of("error", cause.getClass().getSimpleName(), "message", String.valueOf(cause.getMessage())));
        }
        System.exit(Interop.failed ? 1 : 0);
    }

    static Properties producerProps(Properties security) {
        Properties p = new Properties();
        p.putAll(security);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        // A refused write must fail fast, not retry until delivery.timeout.ms.
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "30000");
        return p;
    }

    static Properties security(Map<String, String> args, String user, String password) {
        String mechanism = Interop.required(args, "mechanism");
        String module = mechanism.equals("PLAIN") ? "org.apache.kafka.common.security.plain.PlainLoginModule" : "org.apache.kafka.common.security.scram.ScramLoginModule";
        Properties p = new Properties();
        p.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, Interop.required(args, "bootstrap"));
        p.put(CommonClientConfigs.CLIENT_ID_CONFIG, "interop-java-secure");
        p.put(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, "SASL_SSL");
        p.put(SaslConfigs.SASL_MECHANISM, mechanism);
        p.put(SaslConfigs.SASL_JAAS_CONFIG, module + " required username=\"" + user + "\" password=\"" + password + "\";");
        p.put(SslConfigs.SSL_TRUSTSTORE_LOCATION_CONFIG, Interop.required(args, "truststore"));
        p.put(SslConfigs.SSL_TRUSTSTORE_PASSWORD_CONFIG, Interop.required(args, "truststore-password"));
        p.put(SslConfigs.SSL_TRUSTSTORE_TYPE_CONFIG, "PKCS12");
        return p;
    }
}
