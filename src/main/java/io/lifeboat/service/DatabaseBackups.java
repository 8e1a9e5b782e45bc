package io.lifeboat.service;

import io.lifeboat.catalog.Catalog;
import io.lifeboat.compress.Compression;
import io.lifeboat.config.LifeboatConfig;
import io.lifeboat.monitoring.BackupMetrics;
import io.lifeboat.repository.Snapshot;
import io.lifeboat.source.postgres.PgBaseBackup;
import io.lifeboat.source.postgres.PgSource;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Runs the database backups of config/lifeboat.yaml for the routes and the API: full or
 * incremental PostgreSQL base backups, each a catalog run of type "database" and a metric.
 */
public final class DatabaseBackups extends BackupRunner {
    /** How long an incremental waits for its WAL to reach the archive. */
    private static final java.time.Duration WAL_WAIT = java.time.Duration.ofSeconds(60);

    public DatabaseBackups(LifeboatConfig config, RepositoryAccess repository, Catalog catalog,
                           Supplier<BackupMetrics> metrics) {
        super("database", config, repository, catalog, metrics);
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
        Snapshot s;
        try {
            s = PgBaseBackup.run(repository.open(), source(d), Compression.parse(config.repository().compression()),
                    incremental, WAL_WAIT);
        } catch (Exception e) {
            return failed(run, d.name(), e, started);
        } finally {
            running.remove(d.name());
        }
        return succeeded(run, d.name(), s, started, null);
    }

    static PgSource source(LifeboatConfig.Database d) {
        return new PgSource(d.name(), d.host() == null ? "127.0.0.1" : d.host(), d.port() == null ? 5432 : d.port(),
                d.user() == null ? "postgres" : d.user(), d.passwordEnv());
    }

    private LifeboatConfig.Database database(String name) {
        return config.databases().stream().filter(d -> d.name().equals(name) && d.active()).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no enabled database named '" + name + "'"));
    }
}
