package dev.minikafka.example;

import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/** Places an order as two records, both or neither: one Kafka transaction per call. */
@Service
public class OrderService {
  private final KafkaTemplate<String, String> template;

  public OrderService(KafkaTemplate<String, String> template) {
    this.template = template;
  }

  /**
   * Writes "placed", takes the payment, writes "paid". "placed" is acknowledged by the broker
   * before the payment is taken, so a declined payment aborts a transaction whose record is
   * already in the log: read_committed consumers never see it, read_uncommitted ones do.
   */
  @Transactional
  public void placeOrder(String orderId, boolean paymentDeclined) {
    template.send(OrdersApplication.TOPIC, orderId, "placed").join();
    if (paymentDeclined) throw new PaymentDeclinedException(orderId);
    template.send(OrdersApplication.TOPIC, orderId, "paid");
  }

  public static class PaymentDeclinedException extends RuntimeException {
    public PaymentDeclinedException(String orderId) {
      super("payment declined for order " + orderId);
    }
  }
}
