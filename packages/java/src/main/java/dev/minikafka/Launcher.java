package dev.minikafka;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The command that runs the minikafka CLI ({@code start ...} is appended) and how it was found.
 *
 * <p>{@link #find()} looks, first match wins, for:
 *
 * <ol>
 *   <li>the system property {@code minikafka.command} or the environment variable {@code
 *       MINIKAFKA_COMMAND}: the whole command, split on spaces (e.g. {@code node
 *       /src/minikafka/dist/cli.cjs});
 *   <li>{@code node_modules/.bin/minikafka} in the working directory (Maven and Gradle run tests in
 *       the module's directory) or a parent: the npm package installed in the project ({@code npm
 *       install --save-dev minikafka});
 *   <li>{@code minikafka} on PATH ({@code npm install -g minikafka});
 *   <li>{@code npx --yes minikafka@^0.1.0}: npm fetches it on first use, and every start pays for
 *       npm's resolution (about a second), so a local install is the fast way.
 * </ol>
 *
 * <p>The CLI of 2 and 3 is a JavaScript file with a {@code #!/usr/bin/env node} line; it runs as
 * {@code <node> <file>} with node from {@code MINIKAFKA_NODE} or PATH, so that a missing Node is
 * reported as such.
 */
public record Launcher(List<String> command, String foundBy) {
  public static final String NPX_PACKAGE = "minikafka@^0.1.0";

  public static Launcher find() {
    return find(System.getenv(), Path.of(System.getProperty("user.dir")), System.getProperty("minikafka.command"));
  }

  static Launcher find(Map<String, String> env, Path workingDir, String commandProperty) {
    String command = commandProperty != null && !commandProperty.isBlank() ? commandProperty : env.get("MINIKAFKA_COMMAND");
    if (command != null && !command.isBlank()) {
      return new Launcher(List.of(command.trim().split("\\s+")), commandProperty != null && !commandProperty.isBlank() ? "minikafka.command" : "MINIKAFKA_COMMAND");
    }
    List<String> tried = new ArrayList<>();
    for (Path dir = workingDir.toAbsolutePath(); dir != null; dir = dir.getParent()) {
      Path bin = dir.resolve("node_modules/.bin/minikafka");
      tried.add(bin.toString());
      if (Files.exists(bin)) return nodeRunning(env, bin, "the npm package in " + dir);
    }
    Path onPath = onPath(env, "minikafka");
    if (onPath != null) return nodeRunning(env, onPath, "`minikafka` on PATH (" + onPath + ")");
    tried.add("minikafka on PATH");
    node(env);
    Path npx = onPath(env, "npx");
    if (npx != null) return new Launcher(List.of(npx.toString(), "--yes", NPX_PACKAGE), "npx (no local install found: each start pays for npm's resolution)");
    throw new MiniKafkaException("cannot find the minikafka command; install the npm package in the project (npm install --save-dev minikafka) or set MINIKAFKA_COMMAND. Tried: " + String.join(", ", tried) + ", npx on PATH");
  }

  /** MINIKAFKA_NODE when set, else {@code node} on PATH, else an error that says so. */
  static String node(Map<String, String> env) {
    String given = env.get("MINIKAFKA_NODE");
    if (given != null && !given.isBlank()) {
      if (!Files.isExecutable(Path.of(given))) throw new MiniKafkaException("MINIKAFKA_NODE=" + given + " is not an executable file");
      return given;
    }
    Path node = onPath(env, "node");
    if (node == null) {
      throw new MiniKafkaException("the broker runs on Node.js (20 or newer) and no `node` is on PATH (PATH=" + env.getOrDefault("PATH", "") + "); install Node.js (https://nodejs.org/) or set MINIKAFKA_NODE to the node executable");
    }
    return node.toString();
  }

  private static Launcher nodeRunning(Map<String, String> env, Path bin, String foundBy) {
    try {
      return new Launcher(List.of(node(env), bin.toRealPath().toString()), foundBy);
    } catch (IOException e) {
      throw new MiniKafkaException(bin + ": " + e.getMessage(), e);
    }
  }

  private static Path onPath(Map<String, String> env, String name) {
    String path = env.getOrDefault("PATH", "");
    return Arrays.stream(path.split(File.pathSeparator))
        .filter(d -> !d.isEmpty())
        .map(d -> Path.of(d, name))
        .filter(p -> Files.isRegularFile(p) && Files.isExecutable(p))
        .findFirst()
        .orElse(null);
  }
}
