package dev.minikafka.interop;

import java.util.List;
import java.util.Map;

import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.connect.connector.Task;
import org.apache.kafka.connect.source.ExactlyOnceSupport;
import org.apache.kafka.connect.source.SourceConnector;

/**
 * A source connector for the Connect interop test: one task that writes records "v0" .. "v{records-1}"
 * (keys "k0" ..) to `topic`, `batch` per poll with `pause.ms` between polls, keeping its place as a
 * source offset {"next": n}. It declares exactly-once support, so a worker with
 * exactly.once.source.support=enabled writes each poll's records and offset in one transaction.
 */
public final class CounterSourceConnector extends SourceConnector {
    private Map<String, String> props;

    @Override public void start(Map<String, String> props) { this.props = props; }
    @Override public Class<? extends Task> taskClass() { return CounterSourceTask.class; }
    @Override public List<Map<String, String>> taskConfigs(int maxTasks) { return List.of(props); }
    @Override public void stop() {}
    @Override public String version() { return "1"; }

    @Override
    public ConfigDef config() {
        return new ConfigDef()
            .define("topic", ConfigDef.Type.STRING, ConfigDef.Importance.HIGH, "Topic to write to")
            .define("records", ConfigDef.Type.LONG, ConfigDef.Importance.HIGH, "How many records in all")
            .define("batch", ConfigDef.Type.INT, 10, ConfigDef.Importance.LOW, "Records per poll")
            .define("pause.ms", ConfigDef.Type.LONG, 0L, ConfigDef.Importance.LOW, "Pause after each poll");
    }

    @Override
    public ExactlyOnceSupport exactlyOnceSupport(Map<String, String> connectorConfig) {
        return ExactlyOnceSupport.SUPPORTED;
    }
}
