package dev.minikafka.interop;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.reflect.InvocationTargetException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.common.utils.internals.Exit;

/**
 * Runs Kafka's command-line tools (kafka-share-groups, kafka-streams-groups, kafka-acls,
 * kafka-transactions: their main classes, found on the class path at run time) one after the
 * other inside this JVM, so that a scenario pays for one JVM start instead of one per command.
 *
 * Each command runs in a thread of its own with System.out and System.err captured. A tool ends
 * either by returning from main (exit code 0) or by calling Kafka's Exit.exit: our exit procedure
 * then records the code and parks that thread for good instead of unwinding it, because an
 * exception thrown from there would reach the tools' own catch blocks and print texts of ours.
 * The parked threads (and whatever Admin client they held) stay until this JVM ends.
 */
final class ToolRunner {
    private static final ThreadLocal<CompletableFuture<Integer>> EXIT = new ThreadLocal<>();
    private static final CountDownLatch NEVER = new CountDownLatch(1);

    private ToolRunner() {}

    static {
        Exit.Procedure park = (code, message) -> {
            CompletableFuture<Integer> done = EXIT.get();
            if (done == null) Runtime.getRuntime().halt(code);
            done.complete(code);
            try {
                NEVER.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        };
        Exit.setExitProcedure(park);
        Exit.setHaltProcedure(park);
    }

    /** Runs `mainClass` with `args`; returns what it printed (stdout then stderr interleaved) and "rc=N". */
    static String run(String mainClass, String... args) throws Exception {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        PrintStream capture = new PrintStream(buf, true, StandardCharsets.UTF_8);
        PrintStream out = System.out;
        PrintStream err = System.err;
        CompletableFuture<Integer> done = new CompletableFuture<>();
        Thread th = new Thread(() -> {
            EXIT.set(done);
            try {
                Class.forName(mainClass).getMethod("main", String[].class).invoke(null, (Object) args);
                done.complete(0);
            } catch (InvocationTargetException e) {
                // What a tool lets escape from main: the JVM would print it and exit 1.
                e.getCause().printStackTrace();
                done.complete(1);
            } catch (ReflectiveOperationException e) {
                done.completeExceptionally(e);
            }
        }, "tool-" + mainClass);
        th.setDaemon(true);
        System.setOut(capture);
        System.setErr(capture);
        int code;
        try {
            th.start();
            code = done.get(120, TimeUnit.SECONDS);
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
        return buf.toString(StandardCharsets.UTF_8) + "rc=" + code + "\n";
    }
}
