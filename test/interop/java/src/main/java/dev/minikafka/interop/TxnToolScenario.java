package dev.minikafka.interop;

import java.util.List;
import java.util.Properties;

import org.apache.kafka.clients.admin.TransactionState;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * kafka-transactions against the Java 4.4 producer's transactions (on transactions V2 when the
 * broker finalizes it): describe and describe-producers while a transaction is open, after its
 * commit, after an aborted one and after a new producer of the same id fenced the first; list.
 */
final class TxnToolScenario {
    private TxnToolScenario() {}

    static void run(ToolScenarios s) throws Exception {
        String topic = s.prefix() + "-txn";
        String id = s.prefix() + "-tx";
        s.createTopic(topic, 2);
        String[] describe = {"describe", "--transactional-id", id};
        String[] producers0 = {"describe-producers", "--topic", topic, "--partition", "0"};
        try (KafkaProducer<String, String> p = producer(s.bootstrap(), id)) {
            p.initTransactions();
            s.txns("describe after init", describe);
            p.beginTransaction();
            for (int i = 0; i < 3; i++) p.send(new ProducerRecord<>(topic, i % 2, "k" + i, "v" + i)).get();
            s.txns("describe an open transaction", describe);
            s.txns("describe-producers in the open transaction", producers0);
            p.commitTransaction();
            // On transactions V2, commitTransaction returns once PrepareCommit is logged; the
            // markers and CompleteCommit follow asynchronously (Kafka's and ours alike). Describe
            // the settled state, not whichever one a loaded machine happens to show.
            awaitState(s, id, TransactionState.COMPLETE_COMMIT);
            s.txns("describe after the commit", describe);
            s.txns("describe-producers after the commit", producers0);
            p.beginTransaction();
            for (int i = 0; i < 4; i++) p.send(new ProducerRecord<>(topic, 0, "k" + i, "v" + i)).get();
            p.abortTransaction();
            awaitState(s, id, TransactionState.COMPLETE_ABORT);
            s.txns("describe after an abort", describe);
            s.txns("describe-producers after an abort", producers0);
        }
        try (KafkaProducer<String, String> p = producer(s.bootstrap(), id)) {
            p.initTransactions();
            s.txns("describe after a second producer's init", describe);
        }
        s.txns("describe an unknown id", "describe", "--transactional-id", s.prefix() + "-nope");
        s.txns("describe-producers of a partition without producers", "describe-producers", "--topic", topic, "--partition", "1");
    }

    static void awaitState(ToolScenarios s, String id, TransactionState state) throws Exception {
        ToolScenarios.await("transaction " + id + " to reach " + state, 60,
            () -> s.admin().describeTransactions(List.of(id)).description(id).get().state() == state);
    }

    static KafkaProducer<String, String> producer(String bootstrap, String id) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, id);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        return new KafkaProducer<>(p);
    }
}
