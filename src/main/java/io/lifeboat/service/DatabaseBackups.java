package io.lifeboat.service;

import io.lifeboat.catalog.Catalog;
import io.lifeboat.compress.Compression;
import io.lifeboat.config.LifeboatConfig;
import io.lifeboat.config.Retention;
import io.lifeboat.maintenance.Pruner;
import io.lifeboat.monitoring.Alerts;
import io.lifeboat.monitoring.BackupMetrics;
import io.lifeboat.repository.Repository;
import io.lifeboat.repository.Snapshot;
import io.lifeboat.source.postgres.PgBaseBackup;
import io.lifeboat.source.postgres.PgDump;
import io.lifeboat.source.postgres.PgRetention;
import io.lifeboat.source.postgres.PgSource;
import io.lifeboat.source.postgres.WalCheck;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Runs the database backups of config/lifeboat.yaml for the routes and the API: full or
 * incremental PostgreSQL base backups, each a catalog run of type "database" and a metric.
 */
public final class DatabaseBackups extends BackupRunner {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(DatabaseBackups.class);
    /** How long an incremental waits for its WAL to reach the archive. */
    private static final java.time.Duration WAL_WAIT = java.time.Duration.ofSeconds(60);
    /** The run type of WAL checks, apart from backups so that each has its own status and alerts. */
    public static final String WAL = "wal";

    public DatabaseBackups(LifeboatConfig config, RepositoryAccess repository, Catalog catalog,
                           Supplier<BackupMetrics> metrics, Alerts alerts) {
        super("database", config, repository, catalog, metrics, alerts);
    }

    public List<String> sources() {
        return config.databases().stream().filter(LifeboatConfig.Database::active).map(LifeboatConfig.Database::name)
                .toList();
    }

    /**
     * One run now: scope "full" or "incremental" backs up (skipped while one of that database runs),
     * "log" checks that its WAL is safe in the repository (WalCheck), on the log schedule.
     */
    public Map<String, Object> run(String name, String scope) {
        LifeboatConfig.Database d = database(name);
        if (!running.add(runKey(d, scope))) {
            return Map.of("status", "skipped", "reason", "a " + scope + " run of " + d.name() + " is running");
        }
        return execute(startRun(d, scope), d, scope);
    }

    /** Starts one in the background and returns its run id; IllegalStateException when one is running. */
    public String start(String name, String scope) {
        LifeboatConfig.Database d = database(name);
        if (!running.add(runKey(d, scope))) {
            throw new IllegalStateException("a backup of " + d.name() + " is running");
        }
        String run = startRun(d, scope);
        triggered.submit(() -> execute(run, d, scope));
        return run;
    }

    /** WAL checks run beside backups; backups of one database one at a time. */
    private static String runKey(LifeboatConfig.Database d, String scope) {
        return "log".equals(scope) ? d.name() + "/wal" : d.name();
    }

    private String startRun(LifeboatConfig.Database d, String scope) {
        LifeboatConfig.Schedule schedule = switch (scope) {
            case "incremental" -> d.incremental();
            case "log" -> d.log();
            default -> d.full();
        };
        return catalog.startRun(d.name(), "log".equals(scope) ? WAL : "database",
                schedule == null ? null : schedule.retention());
    }

    private Map<String, Object> execute(String run, LifeboatConfig.Database d, String scope) {
        long started = System.nanoTime();
        if ("log".equals(scope)) {
            return checkWal(run, d, started);
        }
        Snapshot s;
        Repository repo;
        List<String> dumpErrors = new ArrayList<>();
        try {
            repo = repository.open();
            Compression.Setting compression = Compression.parse(config.repository().compression());
            s = PgBaseBackup.run(repo, source(d), compression, "incremental".equals(scope), WAL_WAIT);
            if ("full".equals(scope)) {
                for (String database : d.dumps() == null ? List.<String>of() : d.dumps()) {
                    try {
                        PgDump.run(repo, source(d), database, compression);
                    } catch (Exception e) {
                        dumpErrors.add(e.getMessage());
                    }
                }
            }
        } catch (Exception e) {
            return failed(run, d.name(), e, started);
        } finally {
            running.remove(runKey(d, scope));
        }
        String retained = applyRetention(repo, d);
        if (!dumpErrors.isEmpty()) {
            String reason = "base backup " + s.shortId() + " saved, but logical dumps failed: " + String.join("; ",
                    dumpErrors);
            alerts.raise("dump-failed", d.name(), "database", reason);
            return finished(run, d.name(), "database", Snapshot.PARTIAL, s, started,
                    retained == null ? reason : reason + "; " + retained);
        }
        return succeeded(run, d.name(), s, started, retained);
    }

    /**
     * After a backup: what the retention of each kind lets go, and prune to free its space. Returns
     * null, or why it failed (an alert, not a failed backup: the backup itself is safe).
     */
    private String applyRetention(Repository repo, LifeboatConfig.Database d) {
        try {
            PgRetention.Plan plan = PgRetention.plan(repo, d.name(), keep(d.full(), "30d"), keep(d.incremental(), "7d"),
                    keep(d.log(), "24h"), java.time.Instant.now());
            PgRetention.apply(repo, d.name(), plan);
            if (!plan.removed().isEmpty() || !plan.removeWal().isEmpty()) {
                Pruner.Result pruned = new Pruner(repo, java.time.Duration.ofSeconds(60)).run(false);
                LOG.info("retention of {}: removed {} backups and {} WAL files; prune freed {} bytes", d.name(),
                        plan.removed().size(), plan.removeWal().size(), pruned.freedBytes());
            }
            return null;
        } catch (Exception e) {
            alerts.raise("retention-failed", d.name(), "database", e.getMessage());
            return "retention failed: " + e.getMessage();
        }
    }

    private static java.time.Duration keep(LifeboatConfig.Schedule schedule, String otherwise) {
        return Retention.parse(schedule == null || schedule.retention() == null ? otherwise : schedule.retention());
    }

    private Map<String, Object> checkWal(String run, LifeboatConfig.Database d, long started) {
        WalCheck.Report report;
        try {
            report = WalCheck.run(repository.open(), d.name(), source(d));
        } catch (Exception e) {
            return failed(run, d.name(), WAL, e.getMessage(), started);
        } finally {
            running.remove(runKey(d, "log"));
        }
        if (!report.ok()) {
            return failed(run, d.name(), WAL, report.summary(), started);
        }
        return finished(run, d.name(), WAL, Snapshot.SUCCESS, null, started, report.summary());
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
