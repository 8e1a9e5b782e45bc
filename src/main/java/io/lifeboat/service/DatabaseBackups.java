package io.lifeboat.service;

import io.lifeboat.catalog.Catalog;
import io.lifeboat.compress.Compression;
import io.lifeboat.config.LifeboatConfig;
import io.lifeboat.monitoring.BackupMetrics;
import io.lifeboat.repository.LogArchive;
import io.lifeboat.repository.Repository;
import io.lifeboat.repository.Snapshot;
import io.lifeboat.source.postgres.PgBaseBackup;
import io.lifeboat.source.postgres.PgSource;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Runs the database backups of config/lifeboat.yaml for the routes and the API: full or
 * incremental PostgreSQL base backups, each a catalog run of type "database" and a metric.
 */
public final class DatabaseBackups {
    private final LifeboatConfig config;
    private final RepositoryAccess repository;
    private final Catalog catalog;
    private final Supplier<BackupMetrics> metrics;
    private final Set<String> running = ConcurrentHashMap.newKeySet();
    private final java.util.concurrent.ExecutorService triggered = java.util.concurrent.Executors
            .newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, "triggered-database-backups");
                t.setDaemon(true);
                return t;
            });

    public DatabaseBackups(LifeboatConfig config, RepositoryAccess repository, Catalog catalog,
                           Supplier<BackupMetrics> metrics) {
        this.config = config;
        this.repository = repository;
        this.catalog = catalog;
        this.metrics = metrics;
    }

    public List<String> sources() {
        return config.databases().stream().filter(LifeboatConfig.Database::active).map(LifeboatConfig.Database::name)
                .toList();
    }

    /** One backup now: scope "full" or "incremental"; skipped when one of that database is running. */
    public Map<String, Object> run(String name, String scope) {
        LifeboatConfig.Database d = database(name);
        if (!running.add(d.name())) {
            return Map.of("status", "skipped", "reason", "a backup of " + d.name() + " is running");
        }
        return execute(startRun(d, scope), d, scope);
    }

    /** Starts one in the background and returns its run id; IllegalStateException when one is running. */
    public String start(String name, String scope) {
        LifeboatConfig.Database d = database(name);
        if (!running.add(d.name())) {
            throw new IllegalStateException("a backup of " + d.name() + " is running");
        }
        String run = startRun(d, scope);
        triggered.submit(() -> execute(run, d, scope));
        return run;
    }

    private String startRun(LifeboatConfig.Database d, String scope) {
        LifeboatConfig.Schedule schedule = "incremental".equals(scope) ? d.incremental() : d.full();
        return catalog.startRun(d.name(), "database", schedule == null ? null : schedule.retention());
    }

    private Map<String, Object> execute(String run, LifeboatConfig.Database d, String scope) {
        boolean incremental = "incremental".equals(scope);
        long started = System.nanoTime();
        try {
            Repository repo = repository.open();
            if (incremental && new LogArchive(repo, d.name()).list().isEmpty()) {
                throw new IllegalStateException("an incremental backup of " + d.name() + " needs its WAL archived "
                        + "to this repository (archive_command ... db wal-push), and none is");
            }
            Snapshot s = PgBaseBackup.run(repo, new PgSource(d.name(), d.host() == null ? "127.0.0.1" : d.host(),
                    d.port() == null ? 5432 : d.port(), d.user() == null ? "postgres" : d.user(), d.passwordEnv()),
                    Compression.parse(config.repository().compression()), incremental);
            Duration took = Duration.ofNanos(System.nanoTime() - started);
            metrics.get().record(d.name(), "database", s.status(), s.summary().bytes(), took);
            catalog.finishRun(run, s.status(), s.summary().bytes(), s.summary().storedBytes(), took.toMillis(), s.id(),
                    null);
            return Map.of("runId", run, "status", s.status(), "snapshot", s.id());
        } catch (Exception e) {
            Duration took = Duration.ofNanos(System.nanoTime() - started);
            String reason = e.getMessage() == null ? e.toString() : e.getMessage();
            metrics.get().record(d.name(), "database", "failed", 0, took);
            catalog.finishRun(run, "failed", null, null, took.toMillis(), null, reason);
            return Map.of("runId", run, "status", "failed", "error", reason);
        } finally {
            running.remove(d.name());
        }
    }

    private LifeboatConfig.Database database(String name) {
        return config.databases().stream().filter(d -> d.name().equals(name) && d.active()).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no enabled database named '" + name + "'"));
    }
}
