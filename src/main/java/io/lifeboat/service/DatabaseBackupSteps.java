package io.lifeboat.service;

import io.lifeboat.catalog.Catalog;
import io.lifeboat.compress.Compression;
import io.lifeboat.config.LifeboatConfig;
import io.lifeboat.config.Retention;
import io.lifeboat.repository.Repository;
import io.lifeboat.source.DatabaseRetention;
import io.lifeboat.source.LogReport;
import io.lifeboat.source.mysql.BinlogCheck;
import io.lifeboat.source.mysql.Binlogs;
import io.lifeboat.source.mysql.MariaBackup;
import io.lifeboat.source.mysql.MariaDump;
import io.lifeboat.source.mysql.MySqlSource;
import io.lifeboat.source.postgres.PgBaseBackup;
import io.lifeboat.source.postgres.PgDump;
import io.lifeboat.source.postgres.PgSource;
import io.lifeboat.source.postgres.TableFingerprint;
import io.lifeboat.source.postgres.WalChain;
import io.lifeboat.source.postgres.WalCheck;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * What the steps of the database flows do, for PostgreSQL and MySQL/MariaDB: full or incremental
 * backups (pg_basebackup; mariadb-backup, or mariadb-dump for a logical source), the logical dumps
 * that come with a full, retention of each kind, and the log check of the log schedule.
 */
final class DatabaseBackupSteps {
    /** How long an incremental waits for its WAL to reach the archive. */
    private static final Duration WAL_WAIT = Duration.ofSeconds(60);
    private final LiveConfig config;
    private final RepositoryAccess repository;
    private final Catalog catalog;
    private final WalReceivers streamers;

    DatabaseBackupSteps(LiveConfig config, RepositoryAccess repository, Catalog catalog, WalReceivers streamers) {
        this.config = config;
        this.repository = repository;
        this.catalog = catalog;
        this.streamers = streamers;
    }

    void backup(BackupRun run) throws Exception {
        Repository repo = repository.openForBackup(run::writtenTo);
        LifeboatConfig.Database d = config.database(run.getSource());
        boolean incremental = "incremental".equals(run.getScope());
        if (!d.mysql()) {
            run.snapshot(PgBaseBackup.run(repo, source(d), compression(), incremental, WAL_WAIT), repo);
        } else if (!d.logical()) {
            run.snapshot(MariaBackup.run(repo, MySqlSource.of(d), compression(), incremental), repo);
        } else if (incremental) {
            // mariadb-dump has no incremental form: between logical fulls the streamed binlogs are the increments
            run.note(null, "a logical source takes no incremental backup: its binlogs, streamed continuously, hold "
                    + "every change since the last full", false);
        } else {
            run.snapshot(MariaDump.all(repo, MySqlSource.of(d), compression()), repo);
        }
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
                if (d.mysql()) {
                    MariaDump.one(repo, MySqlSource.of(d), db, compression());
                } else {
                    PgDump.run(repo, source(d), db, compression());
                }
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
     * that cannot be taken is alerted; the backup itself stands. PostgreSQL only, so far.
     */
    void fingerprint(BackupRun run) throws InterruptedException {
        LifeboatConfig.Database d = config.database(run.getSource());
        if (run.getSnapshot() == null || d.mysql()) {
            return;
        }
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

    /** What each kind's retention lets go; returns how many backups and log files it removed. */
    int retention(BackupRun run, Repository repo) throws Exception {
        LifeboatConfig.Database d = config.database(run.getSource());
        DatabaseRetention.Plan plan = DatabaseRetention.plan(repo, d.name(), d.mysql() ? Binlogs.LOGS : WalChain.LOGS,
                keep(d.full(), "30d"), keep(d.incremental(), "7d"), keep(d.log(), "24h"), Instant.now());
        DatabaseRetention.apply(repo, d.name(), plan);
        return plan.removed().size() + plan.removeWal().size();
    }

    /** How long the source's backups are kept: the longest retention of its scopes. */
    Duration kept(BackupRun run) {
        LifeboatConfig.Database d = config.database(run.getSource());
        return List.of(keep(d.full(), "30d"), keep(d.incremental(), "7d"), keep(d.log(), "24h")).stream()
                .max(Duration::compareTo).orElseThrow();
    }

    /**
     * Whether the log since the newest full is all in the repository and still arriving, and the
     * service's streamer has not stopped since the last check; fails when not.
     */
    void walCheck(BackupRun run) throws Exception {
        LifeboatConfig.Database d = config.database(run.getSource());
        LogReport report = d.mysql() ? BinlogCheck.run(repository.open(), d.name(), MySqlSource.of(d))
                : WalCheck.run(repository.open(), d.name(), source(d));
        List<String> problems = new ArrayList<>(report.problems());
        for (String stop : streamers.takeFailures(d.name())) {
            problems.add("the log streamer stopped at " + stop + " (started again)");
        }
        if (!problems.isEmpty()) {
            throw new IllegalStateException(new LogReport(problems, report.notes(), report.newestArchived(),
                    report.archivedFiles()).summary());
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
