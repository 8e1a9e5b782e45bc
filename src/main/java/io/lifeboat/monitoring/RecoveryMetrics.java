package io.lifeboat.monitoring;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;

/**
 * Recovery readiness (R8): recovery_duration by type and outcome, and for the last restore drill
 * of each type its measured RTO, achieved RPO, outcome and time, so that a dashboard or an alert
 * rule can see a drill that failed, took too long, or did not run; and the scheduled integrity
 * check's last outcome.
 */
public final class RecoveryMetrics {
    private final MeterRegistry registry;
    private final Gauges gauges;

    public RecoveryMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.gauges = new Gauges(registry);
    }

    /** A recovery or drill ended; rpo is null when it has none (a recovery that is not a drill). */
    public void record(String type, boolean drill, boolean completed, Duration rto, Duration rpo) {
        Timer.builder("recovery_duration").description("time a recovery or restore drill took (its RTO)")
                .tags("type", type, "drill", String.valueOf(drill), "status", completed ? "completed" : "failed")
                .register(registry).record(rto);
        if (!drill) {
            return;
        }
        Tags tags = Tags.of("type", type);
        gauges.thousandths("drill_rto_seconds", tags, "RTO the last drill measured").set(rto.toMillis());
        if (rpo != null) {
            gauges.thousandths("drill_rpo_seconds", tags, "RPO the last drill achieved: age of the newest"
                    + " restorable point").set(rpo.toMillis());
        }
        gauges.thousandths("drill_status", tags, "last drill: 1 completed, 0 failed").set(completed ? 1000 : 0);
        gauges.plain("drill_last_timestamp_seconds", tags, "when the last drill ended")
                .set(System.currentTimeMillis() / 1000);
    }

    /** The scheduled integrity check ended: what it found and how many packs it read. */
    public void verified(int errors, int packsRead) {
        gauges.plain("verify_errors", Tags.empty(), "damage the last integrity check found (0: none)").set(errors);
        gauges.plain("verify_packs_read", Tags.empty(), "packs the last integrity check read whole").set(packsRead);
        gauges.plain("verify_last_timestamp_seconds", Tags.empty(), "when the last integrity check ended")
                .set(System.currentTimeMillis() / 1000);
    }
}
