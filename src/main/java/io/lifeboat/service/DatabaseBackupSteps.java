package io.lifeboat.service;

import io.lifeboat.catalog.Catalog;
import io.lifeboat.compress.Compression;
import io.lifeboat.config.LifeboatConfig;
import io.lifeboat.config.Retention;
import io.lifeboat.repository.Repository;
import io.lifeboat.source.postgres.PgBaseBackup;
import io.lifeboat.source.postgres.PgDump;
import io.lifeboat.source.postgres.PgRetention;
import io.lifeboat.source.postgres.PgSource;
import io.lifeboat.source.postgres.TableFingerprint;
import io.lifeboat.source.postgres.WalCheck;
import java.time.Duration;
import java.time.Instant;

/**
 * What the steps of the database flows do for PostgreSQL: full or incremental base backups, the
 * logical dumps that come with a full, retention of each kind, and the WAL check of the log
 * schedule.
 */
final class DatabaseBackupSteps {
    /** How long an incremental waits for its WAL to reach the archive. */
    private static final Duration WAL_WAIT = Duration.ofSeconds(60);
    private final LiveConfig config;
    private final RepositoryAccess repository;
    private final Catalog catalog;

    DatabaseBackupSteps(LiveConfig config, RepositoryAccess repository, Catalog catalog) {
        this.config = config;
        this.repository = repository;
        this.catalog = catalog;
    }

    void backup(BackupRun run) throws Exception {
        Repository repo = repository.open();
        run.snapshot(PgBaseBackup.run(repo, source(config.database(run.getSource())), compression(),
                "incremental".equals(run.getScope()), WAL_WAIT), repo);
    }

    /** With a full backup, a logical dump of each database in `dumps`; one that fails makes the run partial. */
    void dumps(BackupRun run) throws Exception {
        LifeboatConfig.Database d = config.database(run.getSource());
        if (!"full".equals(run.getScope()) || d.dumps() == null) {
            return;
        }
        Repository repo = run.repository(repository);
        for (String db : d.dumps()) {
            try {
                PgDump.run(repo, source(d), db, compression());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw e;
            } catch (Exception e) {
                run.note("dump-failed", "logical dump of " + db + " failed: " + e.getMessage(), true);
            }
        }
    }

    /**
     * After a backup: rows and a checksum of every table, and the time of each performance query,
     * recorded with the run, so that a restore can be compared with what the database held. One
     * that cannot be taken is alerted; the backup itself stands.
     */
    void fingerprint(BackupRun run) throws InterruptedException {
        if (run.getSnapshot() == null) {
            return;
        }
        LifeboatConfig.Database d = config.database(run.getSource());
        try {
            TableFingerprint.Live taken = TableFingerprint.ofLive(source(d),
                    TableFingerprint.queriesFor(config.get().recovery().performance(), d.name()));
            catalog.recordFingerprint(new Catalog.Fingerprint(run.getId(), d.name(), Instant.now(), taken.lsn(),
                    taken.exact(), Repository.JSON.writeValueAsString(TableFingerprint.asJson(taken.tables())),
                    Repository.JSON.writeValueAsString(taken.baselines())));
        } catch (InterruptedException e) {
            throw e;
        } catch (Exception e) {
            run.note("fingerprint-failed", "the tables of " + d.name() + " could not be fingerprinted: "
                    + e.getMessage(), false);
        }
    }

    /** What each kind's retention lets go; returns how many backups and WAL files it removed. */
    int retention(BackupRun run, Repository repo) throws Exception {
        LifeboatConfig.Database d = config.database(run.getSource());
        PgRetention.Plan plan = PgRetention.plan(repo, d.name(), keep(d.full(), "30d"), keep(d.incremental(), "7d"),
                keep(d.log(), "24h"), Instant.now());
        PgRetention.apply(repo, d.name(), plan);
        return plan.removed().size() + plan.removeWal().size();
    }

    /** Whether the WAL since the newest full is all in the repository and still arriving; fails when not. */
    void walCheck(BackupRun run) throws Exception {
        WalCheck.Report report = WalCheck.run(repository.open(), run.getSource(), source(config.database(run.getSource())));
        if (!report.ok()) {
            throw new IllegalStateException(report.summary());
        }
        run.note(null, report.summary(), false);
    }

    static PgSource source(LifeboatConfig.Database d) {
        return new PgSource(d.name(), d.host() == null ? "127.0.0.1" : d.host(), d.port() == null ? 5432 : d.port(),
                d.user() == null ? "postgres" : d.user(), d.passwordEnv());
    }

    private Compression.Setting compression() {
        return Compression.parse(config.get().repository().compression());
    }

    private static Duration keep(LifeboatConfig.Schedule schedule, String otherwise) {
        return Retention.parse(schedule == null || schedule.retention() == null ? otherwise : schedule.retention());
    }
}
