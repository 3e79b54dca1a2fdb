package dev.minikafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** kafka-clients against the broker the extension gives the class. */
@ExtendWith(MiniKafkaExtension.class)
class MiniKafkaExtensionTest {
  static MiniKafka beforeAllBroker;
  /** Set by the extension before @BeforeAll (private: it is set all the same). */
  private static MiniKafka injected;

  @BeforeAll
  static void createTopic(MiniKafka kafka) throws Exception {
    beforeAllBroker = kafka;
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.getBootstrapServers()))) {
      admin.createTopics(List.of(new NewTopic("orders", 3, (short) 1))).all().get();
    }
  }

  @Test
  void producesAndConsumesWithKafkaClients(MiniKafka kafka) throws Exception {
    assertSame(beforeAllBroker, kafka, "one broker per class");
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.getBootstrapServers());
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    List<String> sent = List.of("order-0", "order-1", "order-2", "order-3");
    try (KafkaProducer<String, String> producer = new KafkaProducer<>(p)) {
      for (String v : sent) producer.send(new ProducerRecord<>("orders", v, v)).get();
    }

    Properties c = new Properties();
    c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.getBootstrapServers());
    c.put(ConsumerConfig.GROUP_ID_CONFIG, "orders-readers");
    c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    c.put(ConsumerConfig.GROUP_PROTOCOL_CONFIG, "consumer");
    c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    List<String> got = new ArrayList<>();
    try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(c)) {
      consumer.subscribe(List.of("orders"));
      Instant deadline = Instant.now().plusSeconds(60);
      while (got.size() < sent.size() && Instant.now().isBefore(deadline)) {
        for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(500))) got.add(r.value());
      }
    }
    got.sort(null);
    assertEquals(sent, got);
  }

  @Test
  void staticFieldsGetTheClassBroker(MiniKafka kafka) {
    assertSame(kafka, injected, "the static MiniKafka field is the parameter's broker");
  }

  @Test
  void aBrokerOfItsOwnStopsCleanly() {
    MiniKafka own = MiniKafka.start("--topic", "payments:2");
    assertTrue(own.isRunning());
    assertTrue(!own.getBootstrapServers().equals(beforeAllBroker.getBootstrapServers()));
    assertEquals(0, own.stop(), "SIGTERM is a clean stop");
    assertEquals(0, own.stop(), "stop() again is harmless");
  }

  @Test
  void theProjectInstallIsFound() {
    assertTrue(Launcher.find().foundBy().startsWith("the npm package in "), Launcher.find().foundBy());
  }

  @Test
  void aMissingNodeIsNamed(@org.junit.jupiter.api.io.TempDir java.nio.file.Path empty) {
    MiniKafkaException e = org.junit.jupiter.api.Assertions.assertThrows(MiniKafkaException.class, () -> Launcher.find(Map.of("PATH", empty.toString()), empty, null));
    assertTrue(e.getMessage().contains("Node.js") && e.getMessage().contains("MINIKAFKA_NODE"), e.getMessage());
  }

  /** Time from start() to the ready line, five starts (the README's Fixtures timing). */
  @Test
  void startTiming() {
    List<Long> ms = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      long t0 = System.nanoTime();
      MiniKafka k = MiniKafka.start();
      ms.add((System.nanoTime() - t0) / 1_000_000);
      k.close();
    }
    System.out.println("minikafka start to ready (ms): " + ms);
  }
}
