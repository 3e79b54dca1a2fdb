package dev.minikafka.example;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.stereotype.Component;

/** Reads the orders topic (read_committed, from application.properties) and keeps what it saw, as "key:value". */
@Component
public class OrderAudit {
  private final BlockingQueue<String> seen = new LinkedBlockingQueue<>();
  private volatile long firstRecordNanos;

  @KafkaListener(topics = OrdersApplication.TOPIC, groupId = "order-audit")
  void onOrder(ConsumerRecord<String, String> record) {
    if (firstRecordNanos == 0) firstRecordNanos = System.nanoTime();
    seen.add(record.key() + ":" + record.value());
  }

  /** The next {@code n} records, waiting up to {@code timeout} in all; fewer if it runs out. */
  public List<String> take(int n, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    List<String> got = new ArrayList<>();
    while (got.size() < n) {
      String next = seen.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
      if (next == null) break;
      got.add(next);
    }
    return got;
  }

  /** System.nanoTime() when the first record arrived; 0 before that. */
  public long firstRecordNanos() {
    return firstRecordNanos;
  }
}
