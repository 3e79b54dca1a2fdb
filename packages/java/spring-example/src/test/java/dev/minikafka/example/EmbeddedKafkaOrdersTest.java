package dev.minikafka.example;

import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.kafka.test.context.EmbeddedKafka;
import org.springframework.test.annotation.DirtiesContext;

/**
 * The same scenario against spring-kafka-test's in-JVM broker, for the README's comparison. In
 * spring-kafka 4 @EmbeddedKafka is always KRaft (3.x's {@code kraft = true}, now the only mode);
 * its broker starts while the Spring context does.
 */
@ExtendWith(ClassClock.class)
@SpringBootTest
@EmbeddedKafka(bootstrapServersProperty = "spring.kafka.bootstrap-servers")
@DirtiesContext
class EmbeddedKafkaOrdersTest extends OrdersScenario {
  @Override
  String broker() {
    return "EmbeddedKafka";
  }
}
