package dev.minikafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

/** Reset between tests, faults and the clock, through the control API (kafka-clients). */
@ExtendWith(MiniKafkaExtension.class)
@ResetBetweenTests
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MiniKafkaControlTest {
  @Test
  @Order(1)
  void aTestLeavesATopicBehind(MiniKafka kafka) throws Exception {
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.getBootstrapServers()))) {
      admin.createTopics(List.of(new NewTopic("left-behind", 2, (short) 1))).all().get();
      assertTrue(admin.listTopics().names().get().contains("left-behind"));
    }
    kafka.control().addFault("{\"api\":\"Metadata\",\"action\":\"latency\",\"ms\":1}");
  }

  @Test
  @Order(2)
  void theNextTestSeesNoneOfIt(MiniKafka kafka) throws Exception {
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.getBootstrapServers()))) {
      assertFalse(admin.listTopics().names().get().contains("left-behind"), "the extension reset the broker before this test");
    }
    assertEquals("[]", kafka.control().faults());
  }

  @Test
  @Order(3)
  void produceRetriesPastThreeNotLeaderFaults(MiniKafka kafka) throws Exception {
    String rule = kafka.control().addFault("{\"api\":\"Produce\",\"action\":\"error\",\"error\":\"NOT_LEADER_OR_FOLLOWER\",\"count\":3}");
    assertEquals(3, Control.number(rule, "remaining"));
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.getBootstrapServers());
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    p.put(ProducerConfig.RETRY_BACKOFF_MS_CONFIG, 10);
    try (KafkaProducer<String, String> producer = new KafkaProducer<>(p)) {
      RecordMetadata m = producer.send(new ProducerRecord<>("faulty", "k", "once")).get();
      assertEquals(0, m.offset(), "retried past the faults and written once");
    }
    assertEquals("[]", kafka.control().faults(), "the three failures used the rule up");
    kafka.control().waitForOffset("faulty", 0, 1, Duration.ofSeconds(10));
  }

  @Test
  @Order(4)
  void theClockFreezesAndAdvances(MiniKafka kafka) {
    long frozenAt = Control.number(kafka.control().freezeClock(), "now");
    long movedTo = Control.number(kafka.control().advanceClock(Duration.ofHours(1)), "now");
    assertEquals(3_600_000, movedTo - frozenAt);
    kafka.control().resumeClock();
    MiniKafkaException e = assertThrows(MiniKafkaException.class, () -> kafka.control().addFault("{\"api\":\"Produce\",\"action\":\"explode\"}"));
    assertTrue(e.getMessage().contains("400"), e.getMessage());
  }

  @Test
  @Order(5)
  void aSnapshotRestoresTheRecordsItSaved(MiniKafka kafka) throws Exception {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.getBootstrapServers());
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    try (KafkaProducer<String, String> producer = new KafkaProducer<>(p)) {
      producer.send(new ProducerRecord<>("prepared", "k", "seed")).get();
      assertEquals("seeded", Control.string(kafka.control().snapshot("seeded"), "name"));
      assertEquals(1, producer.send(new ProducerRecord<>("prepared", "k", "later")).get().offset());
    }
    kafka.control().restore("seeded");
    // A new producer: the old one's idempotent sequence numbers are past what the restored broker holds.
    try (KafkaProducer<String, String> producer = new KafkaProducer<>(p)) {
      assertEquals(1, producer.send(new ProducerRecord<>("prepared", "k", "after restore")).get().offset(), "the record produced after the snapshot is gone");
    }
    kafka.control().deleteSnapshot("seeded");
    MiniKafkaException e = assertThrows(MiniKafkaException.class, () -> kafka.control().restore("seeded"));
    assertTrue(e.getMessage().contains("404"), e.getMessage());
  }
}
