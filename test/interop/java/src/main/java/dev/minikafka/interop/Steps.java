package dev.minikafka.interop;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;

import org.apache.kafka.clients.admin.AdminClientConfig;

/**
 * The step lines of the Admin interop programs (Configs, AdminApis): one JSON line per step,
 * {"step":NAME,"ok":true,RESULT_KEY:result} (no result key when the step returns null) or
 * {"step":NAME,"ok":false,"error":EXCEPTION_CLASS,"message":MSG}, the cause of an
 * ExecutionException standing for it.
 */
final class Steps {
    private Steps() {}

    /** The program's "--name value" arguments by name. */
    static Map<String, String> args(String[] argv) {
        Map<String, String> args = new HashMap<>();
        for (int i = 0; i + 1 < argv.length; i += 2) args.put(argv[i].replaceFirst("^--", ""), argv[i + 1]);
        return args;
    }

    /** Admin client properties for the program's --bootstrap. */
    static Properties adminProps(Map<String, String> args, String clientId) {
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, args.get("bootstrap"));
        props.put(AdminClientConfig.CLIENT_ID_CONFIG, clientId);
        return props;
    }

    interface Step {
        Object call() throws Exception;
    }

    /** What a failed Admin future threw: the cause of its ExecutionException. */
    static Throwable cause(Throwable e) {
        return e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
    }

    static void run(String step, String resultKey, Step body) {
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("step", step);
        try {
            Object result = body.call();
            line.put("ok", true);
            if (result != null) line.put(resultKey, result);
        } catch (Exception e) {
            Throwable cause = cause(e);
            line.put("ok", false);
            line.put("error", cause.getClass().getSimpleName());
            line.put("message", cause.getMessage());
        }
        System.out.println(Interop.toJson(line));
        System.out.flush();
    }
}
