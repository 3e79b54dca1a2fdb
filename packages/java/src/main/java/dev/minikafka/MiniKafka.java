package dev.minikafka;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A minikafka broker in a child process, started from the npm package:
 *
 * <pre>{@code
 * try (MiniKafka kafka = MiniKafka.start("--topic", "orders:3")) {
 *   props.put("bootstrap.servers", kafka.getBootstrapServers());
 * }
 * }</pre>
 *
 * The broker runs {@code minikafka start --port 0 --json <args>}; its first stdout line is the
 * JSON ready line, e.g. {@code {"event":"ready","bootstrapServers":"127.0.0.1:41235",...}}. It is
 * stopped with SIGTERM (a clean stop) by {@link #close()}, or at JVM exit by a shutdown hook.
 * How the command is found: {@link Launcher}.
 */
public final class MiniKafka implements AutoCloseable {
  private static final Pattern BOOTSTRAP = Pattern.compile("\"bootstrapServers\"\\s*:\\s*\"([^\"]+)\"");
  private static final Pattern CONTROL_URL = Pattern.compile("\"controlUrl\"\\s*:\\s*\"([^\"]+)\"");
  private static final Pattern PORT = Pattern.compile("\"port\"\\s*:\\s*(\\d+)");

  private final Process process;
  private final Path stderr;
  private final String bootstrapServers;
  private Control control;
  private final int port;
  private final Launcher launcher;
  private final Thread shutdownHook;

  private MiniKafka(Process process, Path stderr, String bootstrapServers, int port, Launcher launcher) {
    this.process = process;
    this.stderr = stderr;
    this.bootstrapServers = bootstrapServers;
    this.port = port;
    this.launcher = launcher;
    this.shutdownHook = new Thread(this::stopProcess, "minikafka-stop-" + port);
    Runtime.getRuntime().addShutdownHook(shutdownHook);
  }

  /** Starts a broker with extra {@code minikafka start} arguments, waiting up to 30 s. */
  public static MiniKafka start(String... args) {
    return start(Launcher.find(), 30, args);
  }

  public static MiniKafka start(Launcher launcher, long timeoutSeconds, String... args) {
    List<String> command = new ArrayList<>(launcher.command());
    command.addAll(List.of("start", "--port", "0", "--json"));
    // The control API (reset, faults, clock) on a free loopback port, unless args choose one.
    if (Arrays.stream(args).noneMatch(a -> a.equals("--control-port") || a.startsWith("--control-port="))) command.addAll(List.of("--control-port", "0"));
    command.addAll(Arrays.asList(args));
    Path stderr;
    Process process;
    try {
      stderr = Files.createTempFile("minikafka-", ".stderr");
      stderr.toFile().deleteOnExit();
      process = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(new java.io.File(nullDevice()))).redirectError(stderr.toFile()).start();
    } catch (IOException e) {
      throw new MiniKafkaException("cannot run " + command.get(0) + " (found by " + launcher.foundBy() + "): " + e.getMessage(), e);
    }
    BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    CompletableFuture<String> first = CompletableFuture.supplyAsync(() -> {
      try {
        return out.readLine();
      } catch (IOException e) {
        return null;
      }
    });
    String line;
    try {
      line = first.get(timeoutSeconds, TimeUnit.SECONDS);
    } catch (TimeoutException e) {
      process.destroyForcibly();
      throw new MiniKafkaException(String.join(" ", command) + " printed no ready line within " + timeoutSeconds + " s" + tail(stderr));
    } catch (InterruptedException | ExecutionException e) {
      process.destroyForcibly();
      throw new MiniKafkaException("waiting for the broker's ready line: " + e, e);
    }
    if (line == null) {
      int code = waitFor(process);
      throw new MiniKafkaException(String.join(" ", command) + " exited with " + code + " before it was ready" + tail(stderr));
    }
    Matcher bootstrap = BOOTSTRAP.matcher(line);
    Matcher port = PORT.matcher(line);
    if (!line.contains("\"event\":\"ready\"") || !bootstrap.find() || !port.find()) {
      process.destroyForcibly();
      throw new MiniKafkaException(String.join(" ", command) + ": the first line on stdout is not the JSON ready line: " + line);
    }
    // Later output is drained so that the broker never blocks on a full pipe.
    Thread drain = new Thread(() -> {
      try {
        out.transferTo(java.io.Writer.nullWriter());
      } catch (IOException ignored) {
        // The broker closed its stdout: it is stopping.
      }
    }, "minikafka-stdout");
    drain.setDaemon(true);
    drain.start();
    MiniKafka kafka = new MiniKafka(process, stderr, bootstrap.group(1), Integer.parseInt(port.group(1)), launcher);
    Matcher control = CONTROL_URL.matcher(line);
    if (control.find()) kafka.control = new Control(control.group(1));
    return kafka;
  }

  /** The broker's control API: faults, clock, waits, reset. */
  public Control control() {
    if (control == null) throw new MiniKafkaException("this broker serves no control API (started with a minikafka too old for --control-port)");
    return control;
  }

  /** Back to the declared topics (empty): no other topics, groups, offsets, transactions or faults; returns the report's JSON. */
  public String reset() {
    return control().reset();
  }

  /** "host:port", for bootstrap.servers. */
  public String getBootstrapServers() {
    return bootstrapServers;
  }

  public int getPort() {
    return port;
  }

  public long getPid() {
    return process.pid();
  }

  public Launcher getLauncher() {
    return launcher;
  }

  public boolean isRunning() {
    return process.isAlive();
  }

  /** Stops the broker (SIGTERM, SIGKILL after 10 s); returns its exit status. Idempotent. */
  public int stop() {
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException jvmExiting) {
      // The hook is running or about to: it stops the process itself.
    }
    return stopProcess();
  }

  @Override
  public void close() {
    int code = stop();
    // 143 is 128 + SIGTERM: a broker that did not handle the signal itself.
    if (code != 0) throw new MiniKafkaException("the broker exited with " + code + tail(stderr));
  }

  private synchronized int stopProcess() {
    if (process.isAlive()) {
      process.destroy();
      try {
        if (!process.waitFor(10, TimeUnit.SECONDS)) process.destroyForcibly();
      } catch (InterruptedException e) {
        process.destroyForcibly();
        Thread.currentThread().interrupt();
      }
    }
    return waitFor(process);
  }

  private static int waitFor(Process process) {
    try {
      return process.waitFor();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }

  private static String nullDevice() {
    return System.getProperty("os.name").startsWith("Windows") ? "NUL" : "/dev/null";
  }

  private static String tail(Path stderr) {
    try {
      String text = Files.readString(stderr).strip();
      if (text.isEmpty()) return " (nothing on stderr)";
      return "; its stderr:\n" + text.substring(Math.max(0, text.length() - 4000));
    } catch (IOException e) {
      return "";
    }
  }

  @Override
  public String toString() {
    return "MiniKafka[" + bootstrapServers + ", pid " + process.pid() + "]";
  }
}
