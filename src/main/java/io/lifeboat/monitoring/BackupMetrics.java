package io.lifeboat.monitoring;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Map;

/**
 * The backup metrics (R8) with source and type labels: backup_duration, backup_size,
 * backup_status (1 success, 0.5 partial, 0 failed), runs by outcome for the success rate, and the
 * last success time per source.
 */
public final class BackupMetrics {
    private static final String COPY_STATUS = "last copy to the target: 1 done and checked, 0 failed";
    private final MeterRegistry registry;
    private final Gauges gauges;

    public BackupMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.gauges = new Gauges(registry);
    }

    public void record(String source, String type, String status, long sizeBytes, Duration duration) {
        Tags tags = Tags.of("source", source, "type", type);
        Timer.builder("backup_duration").description("time a backup run took").tags(tags).register(registry)
                .record(duration);
        gauges.plain("backup_size", tags, "bytes of data the last run covered").set(sizeBytes);
        gauges.thousandths("backup_status", tags, "last run: 1 success, 0.5 partial, 0 failed")
                .set(switch (status) {
                    case "success" -> 1000;
                    case "partial" -> 500;
                    default -> 0;
                });
        Counter.builder("backup_runs").description("backup runs by outcome").tags(tags.and("status", status))
                .register(registry).increment();
        if (!"failed".equals(status)) {
            gauges.plain("backup_last_success_timestamp_seconds", tags, "when the source last backed up successfully")
                    .set(System.currentTimeMillis() / 1000);
        }
    }

    /** A copy to a target was made and checked: it holds so many backups now. */
    public void copyChecked(String target, int snapshots, long bytesSent) {
        Tags tags = Tags.of("target", target);
        gauges.plain("copy_status", tags, COPY_STATUS).set(1);
        gauges.plain("copy_last_checked_timestamp_seconds", tags, "when a copy to the target was last checked")
                .set(System.currentTimeMillis() / 1000);
        gauges.plain("copy_snapshots", tags, "backups the target held when last checked").set(snapshots);
        Counter.builder("copy_sent_bytes").description("bytes copied to the target").tags(tags).register(registry)
                .increment(bytesSent);
    }

    /** Bytes a place (the repository, "primary", or a target) holds per storage class, for its cost. */
    public void storedBytes(String place, Map<String, Long> byClass) {
        byClass.forEach((storageClass, bytes) -> gauges.plain("stored_bytes", Tags.of("place", place, "class",
                storageClass), "bytes stored, per place and storage class (bin/lifeboat cost prices them)").set(bytes));
    }

    public void copyFailed(String target) {
        gauges.plain("copy_status", Tags.of("target", target), COPY_STATUS)
                .set(0);
    }
}
