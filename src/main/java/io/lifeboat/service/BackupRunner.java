package io.lifeboat.service;

import io.lifeboat.catalog.Catalog;
import io.lifeboat.config.LifeboatConfig;
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
    private final Supplier<BackupMetrics> metrics;
    private final String type;

    BackupRunner(String type, LifeboatConfig config, RepositoryAccess repository, Catalog catalog,
                 Supplier<BackupMetrics> metrics) {
        this.type = type;
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
        Duration took = Duration.ofNanos(System.nanoTime() - startedNanos);
        metrics.get().record(source, type, s.status(), s.summary().bytes(), took);
        catalog.finishRun(run, s.status(), s.summary().bytes(), s.summary().storedBytes(), took.toMillis(), s.id(),
                error);
        return Map.of("runId", run, "status", s.status(), "snapshot", s.id());
    }

    /** Records a run that committed nothing. */
    protected Map<String, Object> failed(String run, String source, Exception e, long startedNanos) {
        Duration took = Duration.ofNanos(System.nanoTime() - startedNanos);
        String reason = e.getMessage() == null ? e.toString() : e.getMessage();
        metrics.get().record(source, type, "failed", 0, took);
        catalog.finishRun(run, "failed", null, null, took.toMillis(), null, reason);
        return Map.of("runId", run, "status", "failed", "error", reason);
    }
}
