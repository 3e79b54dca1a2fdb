package dev.minikafka;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * JUnit 5: one broker per test class, given to any constructor, {@code @BeforeAll},
 * {@code @BeforeEach} or test method parameter of type {@link MiniKafka}, stopped after the
 * class's last test.
 *
 * <pre>{@code
 * @ExtendWith(MiniKafkaExtension.class)
 * class OrdersTest {
 *   @Test
 *   void produces(MiniKafka kafka) { ... kafka.getBootstrapServers() ... }
 * }
 * }</pre>
 *
 * Static fields of type {@link MiniKafka} in the test class (or a superclass) are set before
 * {@code @BeforeAll}, for code that takes no parameters, such as Spring's
 * {@code @DynamicPropertySource}:
 *
 * <pre>{@code
 * @ExtendWith(MiniKafkaExtension.class)
 * @SpringBootTest
 * class OrdersTest {
 *   static MiniKafka kafka;
 *
 *   @DynamicPropertySource
 *   static void kafka(DynamicPropertyRegistry registry) {
 *     registry.add("spring.kafka.bootstrap-servers", () -> kafka.getBootstrapServers());
 *   }
 * }
 * }</pre>
 *
 * Broker arguments (e.g. topics) come from the system property {@code minikafka.args}, split on
 * spaces; a class needing its own calls {@link MiniKafka#start(String...)}. With
 * {@link ResetBetweenTests} on the class, the broker is reset before each test.
 */
public class MiniKafkaExtension implements BeforeAllCallback, BeforeEachCallback, ParameterResolver {
  private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(MiniKafkaExtension.class);

  @Override
  public void beforeAll(ExtensionContext context) {
    MiniKafka kafka = broker(context);
    for (Class<?> c = context.getRequiredTestClass(); c != null && c != Object.class; c = c.getSuperclass()) {
      for (Field field : c.getDeclaredFields()) {
        if (field.getType() == MiniKafka.class && Modifier.isStatic(field.getModifiers())) inject(field, kafka);
      }
    }
  }

  private static void inject(Field field, MiniKafka kafka) {
    if (Modifier.isFinal(field.getModifiers())) throw new MiniKafkaException(field + " is final: MiniKafkaExtension cannot set it to the class's broker");
    try {
      field.setAccessible(true);
      field.set(null, kafka);
    } catch (ReflectiveOperationException | RuntimeException e) {
      throw new MiniKafkaException("cannot set " + field + " to the class's broker: " + e, e);
    }
  }

  @Override
  public void beforeEach(ExtensionContext context) {
    if (context.getRequiredTestClass().isAnnotationPresent(ResetBetweenTests.class)) broker(context).reset();
  }

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.getParameter().getType() == MiniKafka.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    return broker(context);
  }

  /** The class's broker: kept in the class-level store, whose closing stops it. */
  private static MiniKafka broker(ExtensionContext context) {
    ExtensionContext classContext = context.getTestClass().isPresent() && context.getTestMethod().isPresent() ? context.getParent().orElse(context) : context;
    return classContext.getStore(NAMESPACE).getOrComputeIfAbsent("broker", key -> new Running(MiniKafka.start(args())), Running.class).kafka;
  }

  private static String[] args() {
    String args = System.getProperty("minikafka.args", "").trim();
    return args.isEmpty() ? new String[0] : args.split("\\s+");
  }

  /** Stops the broker when JUnit closes the store. */
  private record Running(MiniKafka kafka) implements ExtensionContext.Store.CloseableResource {
    @Override
    public void close() {
      kafka.close();
    }
  }
}
