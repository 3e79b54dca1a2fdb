package dev.minikafka.example;

import org.apache.kafka.clients.admin.NewTopic;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.kafka.config.TopicBuilder;

/**
 * Orders are placed by {@link OrderService} in a Kafka transaction and read back by {@link OrderAudit}.
 * The Kafka setup is Spring Boot's own, from application.properties: a transactional KafkaTemplate
 * (spring.kafka.producer.transaction-id-prefix, which also gives the KafkaTransactionManager that
 * {@code @Transactional} uses) and read_committed listeners.
 */
@SpringBootApplication
public class OrdersApplication {
  public static final String TOPIC = "orders";

  /** One partition: records arrive in the order they were written, which the tests rely on. */
  @Bean
  NewTopic ordersTopic() {
    return TopicBuilder.name(TOPIC).partitions(1).replicas(1).build();
  }

  public static void main(String[] args) {
    SpringApplication.run(OrdersApplication.class, args);
  }
}
