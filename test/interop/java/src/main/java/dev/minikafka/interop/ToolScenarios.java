package dev.minikafka.interop;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.ShareGroupDescription;
import org.apache.kafka.clients.admin.StreamsGroupDescription;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaShareConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.Produced;

/**
 * Kafka 4.4's command-line tools against a group, application or transaction that this program
 * sets up with Kafka's own clients, all in one JVM (ToolRunner): the test compares the printed
 * outputs, masked, with the same scenario's outputs against Apache Kafka 4.4.
 *
 * ToolScenarios share|consumer|streams|acls|txn --bootstrap B --prefix P
 *
 * Prints "### step" then the tool's output and "rc=N" for each command; names of topics, groups
 * and transactional ids start with P. Setup failures end the program with status 2.
 */
public final class ToolScenarios {
    private static final String SHARE = "org.apache.kafka.tools.consumer.group.ShareGroupCommand";
    private static final String STREAMS = "org.apache.kafka.tools.streams.StreamsGroupCommand";
    private static final String ACLS = "org.apache.kafka.tools.AclCommand";
    private static final String TXNS = "org.apache.kafka.tools.TransactionsCommand";

    private final String bootstrap;
    private final String prefix;
    private final Admin admin;

    private ToolScenarios(String bootstrap, String prefix) {
        this.bootstrap = bootstrap;
        this.prefix = prefix;
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        this.admin = Admin.create(p);
    }

    public static void main(String[] argv) throws Exception {
        if (argv.length == 0) Interop.usage("ToolScenarios share|consumer|streams|acls|txn --bootstrap B --prefix P");
        Map<String, String> args = Interop.parseArgs(java.util.Arrays.copyOfRange(argv, 1, argv.length));
        ToolScenarios s = new ToolScenarios(Interop.required(args, "bootstrap"), Interop.required(args, "prefix"));
        try {
            switch (argv[0]) {
                case "share" -> ShareToolScenario.run(s);
                case "consumer" -> ConsumerToolScenario.run(s);
                case "streams" -> StreamsToolScenario.run(s);
                case "acls" -> s.acls();
                case "txn" -> TxnToolScenario.run(s);
                default -> Interop.usage("unknown scenario " + argv[0]);
            }
        } catch (Exception e) {
            System.err.println("ToolScenarios " + argv[0] + " failed: " + e);
            e.printStackTrace();
            Runtime.getRuntime().halt(2);
        }
        System.out.flush();
        // Parked tool threads and the clients they hold must not keep the JVM up.
        Runtime.getRuntime().halt(0);
    }

    String bootstrap() { return bootstrap; }
    String prefix() { return prefix; }
    Admin admin() { return admin; }

    /** Runs one tool command with --bootstrap-server and prints its step. */
    void step(String name, String mainClass, String... args) throws Exception {
        String[] all = new String[args.length + 2];
        all[0] = "--bootstrap-server";
        all[1] = bootstrap;
        System.arraycopy(args, 0, all, 2, args.length);
        // TransactionsCommand takes --bootstrap-server before its sub-command, as the others anywhere.
        System.out.print("### " + name + "\n" + ToolRunner.run(mainClass, all));
        System.out.flush();
    }

    void share(String name, String... args) throws Exception { step(name, SHARE, args); }
    void streams(String name, String... args) throws Exception { step(name, STREAMS, args); }
    void txns(String name, String... args) throws Exception { step(name, TXNS, args); }

    /**
     * Polls `ok` every 100 ms for up to `seconds`, else fails the scenario naming `what` and the
     * last exception (a group is not found until its first member joined).
     */
    static void await(String what, int seconds, Callable<Boolean> ok) throws Exception {
        long deadline = System.currentTimeMillis() + seconds * 1000L;
        Exception last = null;
        for (;;) {
            try {
                if (ok.call()) return;
            } catch (Exception e) {
                last = e;
            }
            if (System.currentTimeMillis() > deadline) throw new IllegalStateException("timed out waiting for " + what, last);
            Thread.sleep(100);
        }
    }

    /**
     * Starts one client after the other, each once the group has settled with it (`settled` gets
     * the member count), so that the group's epochs do not depend on how their first heartbeats
     * interleave.
     */
    static List<Thread> joinOneByOne(List<String> clients, java.util.function.Function<String, Thread> start, java.util.function.IntFunction<Callable<Boolean>> settled) throws Exception {
        List<Thread> started = new java.util.ArrayList<>();
        for (String client : clients) {
            started.add(start.apply(client));
            await("the group to settle with " + started.size() + " members", 60, settled.apply(started.size()));
        }
        return started;
    }

    void createTopic(String topic, int partitions) throws Exception {
        admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1))).all().get();
        await("topic " + topic, 30, () -> admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions().stream().allMatch(p -> p.leader() != null));
    }

    /** Produces `n` records "k<i>" / "v<i>", record i to partition i % partitions, and flushes. */
    void produce(String topic, int partitions, int n) throws Exception {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(p)) {
            for (int i = 0; i < n; i++) producer.send(new ProducerRecord<>(topic, i % partitions, "k" + i, "v" + i)).get();
        }
    }

    void setGroupConfig(String group, String name, String value) throws Exception {
        ConfigResource r = new ConfigResource(ConfigResource.Type.GROUP, group);
        admin.incrementalAlterConfigs(Map.of(r, List.of(new AlterConfigOp(new ConfigEntry(name, value), AlterConfigOp.OpType.SET)))).all().get();
    }

    ShareGroupDescription shareGroup(String group) throws Exception {
        return admin.describeShareGroups(List.of(group)).describedGroups().get(group).get();
    }

    StreamsGroupDescription streamsGroup(String group) throws Exception {
        return admin.describeStreamsGroups(List.of(group)).describedGroups().get(group).get();
    }

    /** kafka-acls: add (literal, prefixed, deny, hosts, the --producer/--consumer shortcuts), list, remove. */
    void acls() throws Exception {
        String t = prefix + "-orders";
        String g = prefix + "-group";
        step("add read on a topic", ACLS, "--add", "--allow-principal", "User:alice", "--operation", "Read", "--topic", t);
        step("add write and describe from two hosts", ACLS, "--add", "--allow-principal", "User:bob", "--allow-host", "10.0.0.1", "--allow-host", "10.0.0.2", "--operation", "Write", "--operation", "Describe", "--topic", t);
        step("add prefixed", ACLS, "--add", "--allow-principal", "User:alice", "--operation", "All", "--topic", prefix + "-", "--resource-pattern-type", "prefixed");
        step("add deny", ACLS, "--add", "--deny-principal", "User:mallory", "--operation", "Read", "--topic", t);
        step("add group read and describe", ACLS, "--add", "--allow-principal", "User:alice", "--operation", "Read", "--group", g, "--operation", "Describe");
        step("add cluster", ACLS, "--add", "--allow-principal", "User:admin2", "--operation", "AlterConfigs", "--cluster");
        step("add transactional id", ACLS, "--add", "--allow-principal", "User:tx", "--operation", "Write", "--transactional-id", prefix + "-tx");
        step("add producer shortcut", ACLS, "--add", "--allow-principal", "User:prod", "--producer", "--topic", prefix + "-events", "--idempotent");
        step("add consumer shortcut", ACLS, "--add", "--allow-principal", "User:cons", "--consumer", "--topic", prefix + "-events", "--group", prefix + "-cg");
        step("list all", ACLS, "--list");
        step("list a topic", ACLS, "--list", "--topic", t);
        step("list a topic, matching patterns", ACLS, "--list", "--topic", t, "--resource-pattern-type", "match");
        step("list a principal", ACLS, "--list", "--principal", "User:alice");
        step("list a group", ACLS, "--list", "--group", g);
        step("remove one", ACLS, "--remove", "--force", "--allow-principal", "User:bob", "--allow-host", "10.0.0.1", "--operation", "Write", "--topic", t);
        step("list the topic after removing one", ACLS, "--list", "--topic", t);
        step("remove a topic's", ACLS, "--remove", "--force", "--topic", t);
        step("remove prefixed", ACLS, "--remove", "--force", "--topic", prefix + "-", "--resource-pattern-type", "prefixed");
        step("remove the rest", ACLS, "--remove", "--force", "--group", g);
        step("remove the consumer shortcut", ACLS, "--remove", "--force", "--allow-principal", "User:cons", "--consumer", "--topic", prefix + "-events", "--group", prefix + "-cg");
        step("remove every cluster acl", ACLS, "--remove", "--force", "--cluster");
        step("list all after removing", ACLS, "--list");
    }

    /** A share consumer of `group` on `topic` that accepts what it gets until `stop` is set. */
    static Thread shareConsumer(String bootstrap, String topic, String group, String client, AtomicInteger received, AtomicBoolean stop, List<String> errors) {
        Thread th = new Thread(() -> {
            try (KafkaShareConsumer<String, String> c = new KafkaShareConsumer<>(ShareClients.props(bootstrap, group, "explicit", client))) {
                c.subscribe(List.of(topic));
                while (!stop.get()) {
                    var records = c.poll(Duration.ofMillis(100));
                    for (ConsumerRecord<String, String> r : records) c.acknowledge(r);
                    if (!records.isEmpty()) {
                        c.commitSync();
                        received.addAndGet(records.count());
                    }
                }
            } catch (Exception e) {
                errors.add(client + ": " + e);
            }
        }, client);
        th.start();
        return th;
    }

    /** A word count through a repartition topic on the Streams rebalance protocol, one thread. */
    static KafkaStreams wordCount(String bootstrap, String app, String input, String output, String stateDir) {
        Properties p = new Properties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, app);
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(StreamsConfig.STATE_DIR_CONFIG, stateDir);
        p.put(StreamsConfig.GROUP_PROTOCOL_CONFIG, "streams");
        p.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, "1");
        p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, "100");
        p.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, "0");
        p.put(StreamsConfig.CLIENT_ID_CONFIG, app + "-client");
        StreamsBuilder b = new StreamsBuilder();
        b.stream(input, Consumed.with(Serdes.String(), Serdes.String()))
            .groupBy((k, v) -> v, Grouped.with("by-value", Serdes.String(), Serdes.String()))
            .count()
            .toStream()
            .mapValues(c -> Long.toString(c))
            .to(output, Produced.with(Serdes.String(), Serdes.String()));
        return new KafkaStreams(b.build(), p);
    }

    static boolean stable(GroupState s) {
        return s == GroupState.STABLE;
    }
}
