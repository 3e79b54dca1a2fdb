package dev.minikafka.interop;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.source.SourceRecord;
import org.apache.kafka.connect.source.SourceTask;

/**
 * The task of CounterSourceConnector: resumes from its committed source offset; prints
 * {"event":"polled","next":N} for each batch it hands to the worker.
 */
public final class CounterSourceTask extends SourceTask {
    static final Map<String, String> PARTITION = Map.of("source", "counter");

    private String topic;
    private long records;
    private int batch;
    private long pauseMs;
    private long next;

    @Override public String version() { return "1"; }

    @Override
    public void start(Map<String, String> props) {
        topic = props.get("topic");
        records = Long.parseLong(props.get("records"));
        batch = Integer.parseInt(props.getOrDefault("batch", "10"));
        pauseMs = Long.parseLong(props.getOrDefault("pause.ms", "0"));
        Map<String, Object> offset = context.offsetStorageReader().offset(PARTITION);
        next = offset == null ? 0 : ((Number) offset.get("next")).longValue();
    }

    @Override
    public List<SourceRecord> poll() throws InterruptedException {
        if (next >= records) {
            Thread.sleep(100);
            return null;
        }
        List<SourceRecord> out = new ArrayList<>();
        for (int i = 0; i < batch && next < records; i++, next++) {
            out.add(new SourceRecord(PARTITION, Map.of("next", next + 1), topic, null, Schema.STRING_SCHEMA, "k" + next, Schema.STRING_SCHEMA, "v" + next));
        }
        if (pauseMs > 0) Thread.sleep(pauseMs);
        // The worker sends these next, inside the task's open transaction (see ConnectEos).
        System.out.println("{\"event\":\"polled\",\"next\":" + next + "}");
        System.out.flush();
        return out;
    }

    @Override public void stop() {}
}
