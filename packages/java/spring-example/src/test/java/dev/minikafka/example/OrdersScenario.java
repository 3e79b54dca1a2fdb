package dev.minikafka.example;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.minikafka.example.OrderService.PaymentDeclinedException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.kafka.core.ConsumerFactory;

/**
 * The scenario both brokers run: a declined order (its transaction rolled back) and a paid one
 * (committed). The subclasses only say which broker: MiniKafkaOrdersTest, EmbeddedKafkaOrdersTest.
 * No annotations here, so that each subclass's @ExtendWith order is the order extensions run.
 */
abstract class OrdersScenario {
  // Generous: the machine may be shared and loaded; a pass takes well under a second of this.
  private static final Duration WAIT = Duration.ofSeconds(60);

  @Autowired OrderService orders;
  @Autowired OrderAudit audit;
  @Autowired ConsumerFactory<String, String> consumerFactory;

  /** The broker's name in the timing line the package test reads. */
  abstract String broker();

  /** CPU time (ns) the broker used outside this JVM: minikafka's Node process; 0 for an in-JVM broker. */
  long brokerProcessCpuNanos() {
    return 0;
  }

  @Test
  void theListenerGetsCommittedOrdersOnly() throws Exception {
    assertThrows(PaymentDeclinedException.class, () -> orders.placeOrder("order-1", true));
    orders.placeOrder("order-2", false);

    // One partition, read in write order: had the declined order's records been delivered, they would come first.
    assertEquals(List.of("order-2:placed", "order-2:paid"), audit.take(2, WAIT));
    long jvmCpu = ClassClock.jvmCpuNanos();
    assertNotEquals(0, audit.firstRecordNanos());
    ClassClock.Start start = ClassClock.started(getClass());
    // Wall time to the first record; CPU time (this JVM since the class started, plus a broker
    // process's) to the test having both records, a few milliseconds later.
    long wallMs = (audit.firstRecordNanos() - start.nanos()) / 1_000_000;
    long jvmCpuMs = (jvmCpu - start.jvmCpuNanos()) / 1_000_000;
    long brokerCpuMs = brokerProcessCpuNanos() / 1_000_000;
    System.out.println("time to the first record (" + broker() + "): wall " + wallMs + " ms, cpu " + (jvmCpuMs + brokerCpuMs) + " ms (test JVM " + jvmCpuMs + " + broker process " + brokerCpuMs + ")");

    // Not vacuous: the declined order's record was written, then aborted; read_uncommitted sees it.
    assertEquals(List.of("order-1:placed", "order-2:placed", "order-2:paid"), readUncommitted(3));
  }

  private List<String> readUncommitted(int n) {
    Properties overrides = new Properties();
    overrides.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_uncommitted");
    overrides.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    List<String> got = new ArrayList<>();
    try (Consumer<String, String> consumer = consumerFactory.createConsumer(null, "uncommitted-reader", null, overrides)) {
      TopicPartition partition = new TopicPartition(OrdersApplication.TOPIC, 0);
      consumer.assign(List.of(partition));
      consumer.seekToBeginning(List.of(partition));
      long deadline = System.nanoTime() + WAIT.toNanos();
      while (got.size() < n && System.nanoTime() < deadline) {
        for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) got.add(r.key() + ":" + r.value());
      }
    }
    return got;
  }
}
