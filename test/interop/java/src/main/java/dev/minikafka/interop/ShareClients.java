package dev.minikafka.interop;

import java.util.Arrays;
import java.util.Map;
import java.util.Properties;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * What the share-consumer programs (ShareConsumers, ShareDurable, and ToolScenarios' share part)
 * share: the consumer's configuration, how a record is named and its delivery count read, and the
 * command line "SCENARIO --flag value ...".
 */
final class ShareClients {
    private ShareClients() {}

    /** A KafkaShareConsumer of strings in `mode` ("implicit" or "explicit" acknowledgement). */
    static Properties props(String bootstrap, String group, String mode, String clientId) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put("share.acknowledgement.mode", mode);
        return p;
    }

    /** "partition:offset", the name the tests give a record. */
    static String name(ConsumerRecord<?, ?> r) {
        return r.partition() + ":" + r.offset();
    }

    /** The record's delivery count, -1 when the broker sent none. */
    static short deliveryCount(ConsumerRecord<?, ?> r) {
        return r.deliveryCount().orElse((short) -1);
    }

    interface Scenario {
        void run(Map<String, String> args) throws Exception;
    }

    /** Runs the scenario argv[0] names with the flags after it, then exits 0; usage on a wrong name. */
    static void runScenario(String[] argv, String usage, Map<String, Scenario> scenarios) throws Exception {
        if (argv.length == 0) Interop.usage(usage);
        Scenario s = scenarios.get(argv[0]);
        if (s == null) Interop.usage("unknown scenario " + argv[0]);
        s.run(Interop.parseArgs(Arrays.copyOfRange(argv, 1, argv.length)));
        System.exit(0);
    }
}
