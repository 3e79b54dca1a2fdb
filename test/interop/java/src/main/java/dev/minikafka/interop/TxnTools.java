package dev.minikafka.interop;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeProducersResult;
import org.apache.kafka.clients.admin.ListTransactionsOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.ProducerState;
import org.apache.kafka.clients.admin.TransactionDescription;
import org.apache.kafka.clients.admin.TransactionListing;
import org.apache.kafka.clients.admin.TransactionState;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.TransactionalIdNotFoundException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The transaction tools of the Java Admin against an open transaction (issue 5): listTransactions
 * (with state, producer id and duration filters), describeTransactions, describeProducers, then
 * fenceProducers, after which the open transaction is aborted and its producer fenced. Prints a
 * JSON line per step, as the scenarios do; --bootstrap and --topic.
 */
public final class TxnTools {
    private TxnTools() {}

    public static void main(String[] argv) throws Exception {
        Map<String, String> args = Interop.parseArgs(argv);
        String bootstrap = Interop.required(args, "bootstrap");
        String topic = Interop.required(args, "topic");
        String txnId = topic + "-tools";
        Interop.step("client_info", true, Map.of("library", "org.apache.kafka:kafka-clients", "version", Interop.kafkaClientsVersion()));
        Properties ap = new Properties();
        ap.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        try (Admin admin = Admin.create(ap)) {
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get();
            TopicPartition tp = new TopicPartition(topic, 0);
            KafkaProducer<byte[], byte[]> producer = producer(bootstrap, txnId);
            try {
                producer.initTransactions();
                producer.beginTransaction();
                for (int i = 0; i < 5; i++) producer.send(new ProducerRecord<>(topic, Interop.utf8("k"), Interop.utf8("open-" + i)));
                producer.flush();

                Thread.sleep(50);
                Map<String, Object> listed = new LinkedHashMap<>();
                TransactionListing mine = null;
                for (TransactionListing l : admin.listTransactions().all().get()) if (l.transactionalId().equals(txnId)) mine = l;
                listed.put("state", mine == null ? null : mine.state().toString());
                long pid = mine == null ? -1 : mine.producerId();
                int ongoing = count(admin, new ListTransactionsOptions().filterStates(List.of(TransactionState.ONGOING)), txnId);
                int complete = count(admin, new ListTransactionsOptions().filterStates(List.of(TransactionState.COMPLETE_COMMIT)), txnId);
                int byPid = count(admin, new ListTransactionsOptions().filterProducerIds(List.of(pid)), txnId);
                int longer = count(admin, new ListTransactionsOptions().filterOnDuration(3_600_000), txnId);
                int shorter = count(admin, new ListTransactionsOptions().filterOnDuration(10), txnId);
                listed.putAll(Map.of("ongoingFilter", ongoing, "completeCommitFilter", complete, "producerIdFilter", byPid, "running1h", longer, "running10ms", shorter));
                Interop.step("list_transactions", mine != null && mine.state() == TransactionState.ONGOING && ongoing == 1 && complete == 0 && byPid == 1 && longer == 0 && shorter == 1, listed);

                TransactionDescription d = admin.describeTransactions(List.of(txnId)).description(txnId).get();
                Map<String, Object> described = new LinkedHashMap<>();
                described.put("state", d.state().toString());
                described.put("producerId", d.producerId());
                described.put("producerEpoch", d.producerEpoch());
                described.put("timeoutMs", d.transactionTimeoutMs());
                described.put("started", d.transactionStartTimeMs().isPresent());
                described.put("partitions", d.topicPartitions().toString());
                Interop.step("describe_transactions", d.state() == TransactionState.ONGOING && d.producerId() == pid && d.producerEpoch() == 0
                        && d.transactionTimeoutMs() == 60000 && d.transactionStartTimeMs().isPresent() && d.topicPartitions().equals(java.util.Set.of(tp)), described);

                String unknown;
                try {
                    admin.describeTransactions(List.of(txnId + "-nope")).all().get();
                    unknown = "no error";
                } catch (ExecutionException e) {
                    unknown = e.getCause().getClass().getSimpleName();
                }
                Interop.step("describe_transactions_unknown", unknown.equals(TransactionalIdNotFoundException.class.getSimpleName()), Map.of("error", unknown));

                DescribeProducersResult.PartitionProducerState ps = admin.describeProducers(List.of(tp)).partitionResult(tp).get();
                List<Map<String, Object>> producers = new ArrayList<>();
                for (ProducerState s : ps.activeProducers()) {
                    producers.add(Map.of("producerId", s.producerId(), "epoch", s.producerEpoch(), "lastSequence", s.lastSequence(),
                            "txnStartOffset", s.currentTransactionStartOffset().orElse(-1L), "coordinatorEpoch", s.coordinatorEpoch().orElse(-1)));
                }
                boolean psOk = ps.activeProducers().size() == 1 && ps.activeProducers().get(0).producerId() == pid
                        && ps.activeProducers().get(0).currentTransactionStartOffset().orElse(-1L) == 0L && ps.activeProducers().get(0).lastSequence() == 4;
                Interop.step("describe_producers", psOk, Map.of("producers", producers));

                admin.fenceProducers(List.of(txnId)).all().get();
                TransactionDescription after = admin.describeTransactions(List.of(txnId)).description(txnId).get();
                // As on Kafka: the open transaction is aborted at epoch + 1 (the client is told to retry),
                // and the retry bumps once more and leaves the id Empty.
                Interop.step("fence_producers", after.state() == TransactionState.EMPTY && after.producerEpoch() == d.producerEpoch() + 2,
                        Map.of("state", after.state().toString(), "epoch", after.producerEpoch()));

                String commit;
                try {
                    producer.commitTransaction();
                    commit = "committed";
                } catch (ProducerFencedException e) {
                    commit = "ProducerFencedException";
                } catch (Exception e) {
                    commit = e.getClass().getSimpleName() + ": " + e.getMessage();
                }
                Interop.step("fenced_producer_commit", commit.equals("ProducerFencedException"), Map.of("result", commit));
            } finally {
                producer.close(Duration.ofSeconds(5));
            }

            Properties cp = new Properties();
            cp.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
            cp.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
            cp.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
            cp.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
            try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(cp)) {
                c.assign(List.of(tp));
                c.seekToBeginning(List.of(tp));
                int read = c.poll(Duration.ofMillis(1500)).count();
                long end = c.endOffsets(List.of(tp)).get(tp);
                long position = c.position(tp);
                Interop.step("fenced_transaction_invisible", read == 0 && position == end, Map.of("read", read, "position", position, "end", end));
            }
            admin.deleteTopics(List.of(topic)).all().get();
            Interop.step("delete_topic", true, Map.of("topic", topic));
        } catch (Exception e) {
            Interop.step("error", false, Map.of("error", String.valueOf(Interop.rootCause(e))));
        }
        System.out.flush();
        System.exit(Interop.failed ? 1 : 0);
    }

    static KafkaProducer<byte[], byte[]> producer(String bootstrap, String txnId) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, txnId);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        return new KafkaProducer<>(p);
    }

    static int count(Admin admin, ListTransactionsOptions options, String txnId) throws Exception {
        int n = 0;
        for (TransactionListing l : admin.listTransactions(options).all().get()) if (l.transactionalId().equals(txnId)) n++;
        return n;
    }
}
