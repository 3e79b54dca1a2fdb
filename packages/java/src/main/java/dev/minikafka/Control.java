package dev.minikafka;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The broker's control API over HTTP ({@code minikafka start --control-port}), which every broker
 * {@link MiniKafka#start} starts serves on a free loopback port: reset between tests, faults as
 * data, the broker's clock, and waits. Answers are the API's JSON text, so that this library needs
 * no JSON dependency; errors raise {@link MiniKafkaException} with the API's code and message.
 *
 * <pre>{@code
 * kafka.control().addFault("{\"api\":\"Produce\",\"action\":\"error\",\"error\":\"NOT_LEADER_OR_FOLLOWER\",\"count\":3}");
 * kafka.control().advanceClock(Duration.ofSeconds(45));
 * kafka.reset();
 * }</pre>
 */
public final class Control {
  private static final Duration TIMEOUT = Duration.ofSeconds(30);
  private final String url;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();

  Control(String url) {
    this.url = url;
  }

  /** The API's base URL, e.g. {@code http://127.0.0.1:41236}. */
  public String url() {
    return url;
  }

  /** Sends one request; returns the answer's JSON text ("" for 204). */
  public String request(String method, String path, String jsonBody, Duration timeout) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url + path)).timeout(timeout).header("content-type", "application/json");
    b.method(method, jsonBody == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(jsonBody));
    HttpResponse<String> res;
    try {
      res = http.send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new MiniKafkaException("control API " + method + " " + path + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new MiniKafkaException("control API " + method + " " + path + ": interrupted", e);
    }
    if (res.statusCode() >= 300) throw new MiniKafkaException("control API " + method + " " + path + ": " + res.statusCode() + " " + res.body());
    return res.body();
  }

  private String request(String method, String path, String jsonBody) {
    return request(method, path, jsonBody, TIMEOUT);
  }

  /** Back to the declared topics (empty): no other topics, groups, offsets, transactions or faults. */
  public String reset() {
    return request("POST", "/reset", null);
  }

  /** Saves the cluster as it is now (topics with their records, offsets, configs, ACLs) under {@code name}. */
  public String snapshot(String name) {
    return request("POST", "/snapshots/" + enc(name), null);
  }

  /**
   * Puts the cluster back as snapshot {@code name} saved it: topics, records and commits made after
   * it are gone. An unknown name throws MiniKafkaException (404).
   */
  public String restore(String name) {
    return request("POST", "/snapshots/" + enc(name) + "/restore", null);
  }

  /** The named snapshots, as a JSON array. */
  public String snapshots() {
    return request("GET", "/snapshots", null);
  }

  public void deleteSnapshot(String name) {
    request("DELETE", "/snapshots/" + enc(name), null);
  }

  /** Adds a fault rule (a JSON object, or an array of them); returns the rule(s) with ids. */
  public String addFault(String ruleJson) {
    return request("POST", "/faults", ruleJson);
  }

  /** The rules in force, as a JSON array. */
  public String faults() {
    return request("GET", "/faults", null);
  }

  /** Removes every rule and stops chaos. */
  public void clearFaults() {
    request("DELETE", "/faults", null);
  }

  public String freezeClock() {
    return request("POST", "/clock/freeze", null);
  }

  /** Moves the frozen (or running) broker clock forward; timers due in between fire. */
  public String advanceClock(Duration d) {
    return request("POST", "/clock/advance", "{\"ms\":" + d.toMillis() + "}");
  }

  public String resumeClock() {
    return request("POST", "/clock/resume", null);
  }

  /** Waits until the group is Stable with {@code members} members (0: any number). */
  public String waitForGroup(String groupId, int members, Duration timeout) {
    String q = "?timeoutMs=" + timeout.toMillis() + (members > 0 ? "&members=" + members : "");
    return request("GET", "/wait/group/" + enc(groupId) + q, null, timeout.plusSeconds(10));
  }

  /** Waits until the partition's high watermark reaches {@code offset}. */
  public String waitForOffset(String topic, int partition, long offset, Duration timeout) {
    return request("GET", "/wait/offset/" + enc(topic) + "/" + partition + "?offset=" + offset + "&timeoutMs=" + timeout.toMillis(), null, timeout.plusSeconds(10));
  }

  /** A number field of a JSON answer, e.g. {@code number(reset(), "topicsDeleted")}. */
  public static long number(String json, String field) {
    Matcher m = Pattern.compile("\"" + Pattern.quote(field) + "\"\\s*:\\s*(-?\\d+)").matcher(json);
    if (!m.find()) throw new MiniKafkaException("no number " + field + " in " + json);
    return Long.parseLong(m.group(1));
  }

  /** A string field of a JSON answer (no escapes inside), e.g. {@code string(snapshot("x"), "name")}. */
  public static String string(String json, String field) {
    Matcher m = Pattern.compile("\"" + Pattern.quote(field) + "\"\\s*:\\s*\"([^\"\\\\]*)\"").matcher(json);
    if (!m.find()) throw new MiniKafkaException("no string " + field + " in " + json);
    return m.group(1);
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }
}
