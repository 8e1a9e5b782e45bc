package io.lifeboat.service;

import io.lifeboat.catalog.Catalog;
import io.lifeboat.config.LifeboatConfig;
import io.lifeboat.monitoring.Alerts;
import io.lifeboat.monitoring.BackupMetrics;
import io.lifeboat.repository.Snapshot;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * What file and database backups share: the repository, the catalog and metrics they report to,
 * one run per source at a time, and a background thread for runs the API starts.
 */
abstract class BackupRunner {
    protected final LifeboatConfig config;
    protected final RepositoryAccess repository;
    protected final Catalog catalog;
    protected final Set<String> running = ConcurrentHashMap.newKeySet();
    protected final ExecutorService triggered;
    protected final Alerts alerts;
    private final Supplier<BackupMetrics> metrics;
    private final String type;

    BackupRunner(String type, LifeboatConfig config, RepositoryAccess repository, Catalog catalog,
                 Supplier<BackupMetrics> metrics, Alerts alerts) {
        this.type = type;
        this.alerts = alerts;
        this.config = config;
        this.repository = repository;
        this.catalog = catalog;
        this.metrics = metrics;
        this.triggered = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "triggered-" + type + "-backups");
            t.setDaemon(true);
            return t;
        });
    }

    /** Records a committed snapshot as the run's outcome, in the metrics and the catalog. */
    protected Map<String, Object> succeeded(String run, String source, Snapshot s, long startedNanos, String error) {
        return finished(run, source, type, s.status(), s, startedNanos, error);
    }

    /** Records a run's outcome; the snapshot may be null for runs that store none (checks). */
    protected Map<String, Object> finished(String run, String source, String runType, String status, Snapshot s,
                                           long startedNanos, String note) {
        Duration took = Duration.ofNanos(System.nanoTime() - startedNanos);
        long size = s == null ? 0 : s.summary().bytes();
        metrics.get().record(source, runType, status, size, took);
        catalog.finishRun(run, status, s == null ? null : size, s == null ? null : s.summary().storedBytes(),
                took.toMillis(), s == null ? null : s.id(), note);
        Map<String, Object> out = new java.util.LinkedHashMap<>();
        out.put("runId", run);
        out.put("status", status);
        if (s != null) {
            out.put("snapshot", s.id());
        }
        return out;
    }

    /** Records a run that committed nothing, and raises an alert. */
    protected Map<String, Object> failed(String run, String source, Exception e, long startedNanos) {
        return failed(run, source, type, e.getMessage() == null ? e.toString() : e.getMessage(), startedNanos);
    }

    protected Map<String, Object> failed(String run, String source, String runType, String reason, long startedNanos) {
        Duration took = Duration.ofNanos(System.nanoTime() - startedNanos);
        alerts.raise("backup-failed", source, runType, reason);
        metrics.get().record(source, runType, "failed", 0, took);
        catalog.finishRun(run, "failed", null, null, took.toMillis(), null, reason);
        return Map.of("runId", run, "status", "failed", "error", reason);
    }
}
