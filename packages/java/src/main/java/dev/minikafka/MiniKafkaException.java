package dev.minikafka;

/** The broker could not be found or started; the message says what was tried. */
public class MiniKafkaException extends RuntimeException {
  public MiniKafkaException(String message) {
    super(message);
  }

  public MiniKafkaException(String message, Throwable cause) {
    super(message, cause);
  }
}
