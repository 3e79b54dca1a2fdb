package dev.minikafka;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * On a class using {@link MiniKafkaExtension}: the class's broker is reset (control API
 * {@code POST /reset}) before each test, so no test sees another's topics, records, groups,
 * transactions or faults. Topics a test needs every time go in {@code minikafka.args}
 * ({@code --topic orders:3}): those are declared, and a reset empties them instead of deleting them.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
public @interface ResetBetweenTests {}
