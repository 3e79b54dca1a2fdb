package dev.minikafka.example;

import java.lang.management.ManagementFactory;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * When a test class started: listed first in {@code @ExtendWith}, its beforeAll runs before any
 * broker starts (MiniKafkaExtension's beforeAll, or @EmbeddedKafka's during the Spring context's
 * start), so "time to the first record" includes the broker, the context and the listener's join.
 * The JVM's CPU time is kept too: on a loaded machine wall time says more about the neighbours
 * than about the test, CPU time much less.
 */
public class ClassClock implements BeforeAllCallback {
  private static final Map<Class<?>, Start> STARTED = new ConcurrentHashMap<>();

  /** System.nanoTime() and this JVM's CPU time (ns) when the class started. */
  record Start(long nanos, long jvmCpuNanos) {}

  @Override
  public void beforeAll(ExtensionContext context) {
    STARTED.put(context.getRequiredTestClass(), new Start(System.nanoTime(), jvmCpuNanos()));
  }

  static Start started(Class<?> testClass) {
    Start t = STARTED.get(testClass);
    if (t == null) throw new IllegalStateException(testClass + " does not list ClassClock in @ExtendWith");
    return t;
  }

  /** CPU time of all this JVM's threads (the test, Spring, the clients, and an in-JVM broker). */
  static long jvmCpuNanos() {
    if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) return os.getProcessCpuTime();
    throw new IllegalStateException("this JVM reports no process CPU time (com.sun.management.OperatingSystemMXBean)");
  }
}
