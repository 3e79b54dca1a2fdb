/*
 * Produce-to-consume latency at a fixed offered rate, with Kafka's own Java clients, for
 * `npm run bench` (bench/java-tools.ts runs it as a source file: java -cp <kafka classpath> this-file).
 *
 * Kafka's org.apache.kafka.tools.EndToEndLatency is not used because it sends one record and waits
 * for it to be consumed before sending the next, so its rate is 1/latency rather than the fixed rate
 * the benchmark asks for, and a slower broker is offered less load. ProducerPerformance --throughput
 * paces well but its records carry only a millisecond CreateTime, too coarse for loopback latencies.
 *
 * Here one thread sends to partition 0 at the given rate; each value starts with the *intended* send
 * time (System.nanoTime(), same JVM as the consumer) and a sequence number. Stamping the intended
 * time rather than the actual one keeps a stalled producer from hiding the stall (coordinated
 * omission). A consumer, assigned to partition 0 and positioned at its end before the first send,
 * records now - stamp for each record. Records of the first warm-up seconds are not counted.
 *
 * Producer: acks=all, linger.ms=0 (otherwise the producer's own batching delay, 5 ms by default in
 * Kafka 4, would dominate what is meant to be the broker's latency). Everything else is the clients'
 * defaults. The consumer uses no group, so no rebalance is measured.
 *
 * Usage: FixedRateLatency <bootstrap> <topic> <records-per-second> <seconds> <warmup-seconds> <record-size>
 * Prints one JSON line: {"records":..,"rate":..,"p50Ms":..,"p99Ms":..,"p999Ms":..,"maxMs":..}.
 * Exits 1 when a send fails or not every record arrives within 30 s of the last send.
 */
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

public class FixedRateLatency {
  public static void main(String[] args) throws Exception {
    if (args.length != 6) {
      System.err.println("usage: FixedRateLatency <bootstrap> <topic> <records-per-second> <seconds> <warmup-seconds> <record-size>");
      System.exit(2);
    }
    String bootstrap = args[0];
    String topic = args[1];
    int rate = Integer.parseInt(args[2]);
    double seconds = Double.parseDouble(args[3]);
    double warmupSeconds = Double.parseDouble(args[4]);
    int recordSize = Math.max(16, Integer.parseInt(args[5]));
    int warmup = (int) Math.round(rate * warmupSeconds);
    int total = warmup + (int) Math.round(rate * seconds);
    long intervalNanos = 1_000_000_000L / rate;

    Properties pp = new Properties();
    pp.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    pp.put(ProducerConfig.ACKS_CONFIG, "all");
    pp.put(ProducerConfig.LINGER_MS_CONFIG, "0");
    pp.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    pp.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    Properties cp = new Properties();
    cp.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    cp.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    cp.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    cp.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");

    long[] latency = new long[total];
    Arrays.fill(latency, -1);
    AtomicLong received = new AtomicLong();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    TopicPartition tp = new TopicPartition(topic, 0);

    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(pp);
         KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(cp)) {
      consumer.assign(List.of(tp));
      consumer.seekToEnd(List.of(tp));
      long startOffset = consumer.position(tp, Duration.ofSeconds(30));
      // Connects the producer and loads its metadata before the clock starts.
      producer.partitionsFor(topic);

      Thread reader = new Thread(() -> {
        try {
          while (received.get() < total && failure.get() == null && !Thread.currentThread().isInterrupted()) {
            for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(100))) {
              long now = System.nanoTime();
              ByteBuffer v = ByteBuffer.wrap(r.value());
              long stamp = v.getLong(0);
              int seq = v.getInt(8);
              if (r.offset() < startOffset || seq < 0 || seq >= total || latency[seq] >= 0) continue;
              latency[seq] = now - stamp;
              received.incrementAndGet();
            }
          }
        } catch (org.apache.kafka.common.errors.InterruptException e) {
          // stopped by main after a failure or timeout
        } catch (Throwable t) {
          failure.compareAndSet(null, t);
        }
      }, "latency-consumer");
      reader.start();

      byte[] template = new byte[recordSize];
      Arrays.fill(template, (byte) 'x');
      long t0 = System.nanoTime();
      for (int i = 0; i < total && failure.get() == null; i++) {
        long due = t0 + i * intervalNanos;
        long now;
        while ((now = System.nanoTime()) < due) LockSupport.parkNanos(due - now);
        byte[] value = template.clone();
        ByteBuffer.wrap(value).putLong(0, due).putInt(8, i);
        producer.send(new ProducerRecord<>(topic, 0, null, value), (md, e) -> {
          if (e != null) failure.compareAndSet(null, e);
        });
      }
      long sendNanos = System.nanoTime() - t0;
      producer.flush();

      long deadline = System.nanoTime() + 30_000_000_000L;
      while (received.get() < total && failure.get() == null && System.nanoTime() < deadline) Thread.sleep(10);
      reader.interrupt();
      reader.join(5000);
      if (failure.get() != null) {
        System.err.println("FixedRateLatency: " + failure.get());
        System.exit(1);
      }
      if (received.get() < total) {
        System.err.println("FixedRateLatency: only " + received.get() + " of " + total + " records arrived within 30 s of the last send");
        System.exit(1);
      }

      long[] measured = Arrays.copyOfRange(latency, warmup, total);
      Arrays.sort(measured);
      double achieved = total / (sendNanos / 1e9);
      System.out.printf(java.util.Locale.ROOT,
          "{\"records\":%d,\"rate\":%.1f,\"p50Ms\":%.3f,\"p99Ms\":%.3f,\"p999Ms\":%.3f,\"maxMs\":%.3f}%n",
          measured.length, achieved, pct(measured, 0.50), pct(measured, 0.99), pct(measured, 0.999),
          measured[measured.length - 1] / 1e6);
    }
  }

  /** Nearest-rank percentile, in milliseconds. */
  private static double pct(long[] sorted, double q) {
    int rank = (int) Math.ceil(q * sorted.length);
    return sorted[Math.max(0, rank - 1)] / 1e6;
  }
}
