package dev.minikafka.example;

import dev.minikafka.MiniKafka;
import dev.minikafka.MiniKafkaExtension;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The orders scenario against minikafka: MiniKafkaExtension starts the broker (from the npm
 * package) before the Spring context, sets {@link #kafka}, and stops it after the class.
 * @DirtiesContext closes the context (its listener and producers) while the broker still runs,
 * instead of leaving it cached and reconnecting to a stopped broker.
 */
@ExtendWith({ClassClock.class, MiniKafkaExtension.class})
@SpringBootTest
@DirtiesContext
class MiniKafkaOrdersTest extends OrdersScenario {
  static MiniKafka kafka;

  @DynamicPropertySource
  static void kafkaProperties(DynamicPropertyRegistry registry) {
    registry.add("spring.kafka.bootstrap-servers", () -> kafka.getBootstrapServers());
  }

  @Override
  String broker() {
    return "minikafka";
  }

  @Override
  long brokerProcessCpuNanos() {
    return ProcessHandle.of(kafka.getPid())
        .flatMap(p -> p.info().totalCpuDuration())
        .orElseThrow(() -> new IllegalStateException("no CPU time for the broker process " + kafka.getPid()))
        .toNanos();
  }
}
