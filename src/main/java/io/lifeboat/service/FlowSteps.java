package io.lifeboat.service;

import io.lifeboat.maintenance.Checker;
import io.lifeboat.maintenance.LockKeeper;
import io.lifeboat.maintenance.Pruner;
import io.lifeboat.repository.Progress;
import io.lifeboat.repository.Repository;
import io.lifeboat.repository.RepositoryBusyException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The steps of the backup flows, as routes name them (lifeboat:start?type=file, lifeboat:backup,
 * ...). The message body is the run (BackupRun); each step does one stage of it:
 * <ul>
 * <li>start?type=file|database|wal|config: the run begins (from the headers source, scope and, for the
 * drop folder, path), unless the API began it already; a source whose run is going is skipped</li>
 * <li>backup: read, chunk, compress, encrypt, store and commit the snapshot (atomic, in the engine)</li>
 * <li>dumps: with a full database backup, a logical dump of each database listed</li>
 * <li>fingerprint: rows and checksums of a database's tables, for comparing a restore with</li>
 * <li>certificates: the expiry of the certificates a configuration backup holds, as metrics and alerts</li>
 * <li>verify: a structural check of what was written (no data read)</li>
 * <li>retention: the source's retention, then prune what it let go</li>
 * <li>copy[?target=NAME]: what the repository holds that the targets (or the one named) lack, to them, checked</li>
 * <li>wal-check: the WAL chain of a database is whole and arriving</li>
 * <li>fail: (in a doCatch) the run failed with the caught exception</li>
 * <li>record: the outcome into the catalog and the metrics</li>
 * <li>alert: the run's failure and each thing it could not do, to the alerts route</li>
 * </ul>
 * Whatever an operator removes, a run is recorded and its source freed when its exchange ends.
 */
public final class FlowSteps {
    private static final Logger LOG = LoggerFactory.getLogger(FlowSteps.class);
    public static final List<String> NAMES = List.of("start", "backup", "dumps", "fingerprint", "certificates", "verify",
            "retention", "copy", "wal-check", "fail", "record", "alert");
    private static final List<String> TYPES = List.of(BackupRun.FILE, BackupRun.DATABASE, BackupRun.WAL,
            BackupRun.CONFIG);

    /** What one step does to the run. */
    @FunctionalInterface
    private interface Action {
        void on(BackupRun run, Exchange exchange) throws Exception;
    }

    private final RepositoryAccess repository;
    private final Runs runs;
    private final FileBackupSteps files;
    private final DatabaseBackupSteps databases;
    private final ConfigBackupSteps configs;
    private final CopySteps copies;
    /** The running recovery that restores a source in place, which its backups wait for. */
    private final Function<String, Optional<String>> restoringInPlace;

    FlowSteps(RepositoryAccess repository, Runs runs, FileBackupSteps files, DatabaseBackupSteps databases,
              ConfigBackupSteps configs, CopySteps copies, Function<String, Optional<String>> restoringInPlace) {
        this.copies = copies;
        this.restoringInPlace = restoringInPlace;
        this.repository = repository;
        this.runs = runs;
        this.files = files;
        this.databases = databases;
        this.configs = configs;
    }

    /** The named step; its options are taken out of the map. IllegalArgumentException saying what is wrong. */
    Processor step(String name, Map<String, Object> options) {
        if ("start".equals(name)) {
            Object type = options.remove("type");
            if (!TYPES.contains(String.valueOf(type))) {
                throw new IllegalArgumentException("lifeboat:start needs type=file, type=database, type=wal or type=config");
            }
            return exchange -> start(exchange, (String) type);
        }
        String target = "copy".equals(name) && options.containsKey("target") ? String.valueOf(options.remove("target"))
                : null;
        Action action = switch (name) {
            case "backup" -> (run, exchange) -> {
                switch (run.getType()) {
                    case BackupRun.FILE -> files.backup(run);
                    case BackupRun.CONFIG -> configs.backup(run);
                    default -> databases.backup(run);
                }
            };
            case "dumps" -> (run, exchange) -> databases.dumps(run);
            case "fingerprint" -> (run, exchange) -> databases.fingerprint(run);
            case "certificates" -> (run, exchange) -> configs.certificates(run);
            case "verify" -> (run, exchange) -> verify(run);
            case "retention" -> (run, exchange) -> retention(run);
            case "copy" -> (run, exchange) -> copies.copy(run, target, copy -> retention(run, copy));
            case "wal-check" -> (run, exchange) -> databases.walCheck(run);
            case "fail" -> (run, exchange) -> run.fail(reason(exchange.getProperty(Exchange.EXCEPTION_CAUGHT,
                    Exception.class)));
            case "record" -> (run, exchange) -> runs.finish(run);
            case "alert" -> (run, exchange) -> runs.alert(run);
            default -> throw new IllegalArgumentException("unknown step lifeboat:" + name);
        };
        return exchange -> {
            if (!(exchange.getMessage().getBody() instanceof BackupRun run)) {
                throw new IllegalStateException("lifeboat:" + name + " has no run to work on: lifeboat:start must come "
                        + "before it");
            }
            run.stepRan(name);
            action.on(run, exchange);
        };
    }

    private void start(Exchange exchange, String type) throws InterruptedException {
        String source = exchange.getMessage().getBody() instanceof BackupRun begun ? begun.getSource()
                : exchange.getMessage().getHeader("source", String.class);
        awaitRecovery(exchange, type, source, exchange.getMessage().getHeader(RecoveryBackups.RECOVERY, String.class));
        BackupRun run;
        if (exchange.getMessage().getBody() instanceof BackupRun begun) {
            if (!begun.getType().equals(type)) {
                throw new IllegalArgumentException("a " + begun.getType() + " run came to a flow of type " + type);
            }
            run = begun;
        } else {
            String path = exchange.getMessage().getHeader("path", String.class);
            String scope = BackupRun.WAL.equals(type) ? "log" : BackupRun.DATABASE.equals(type)
                    ? exchange.getMessage().getHeader("scope", "full", String.class) : null;
            try {
                run = runs.start(type, source, scope, path == null ? null : Path.of(path));
            } catch (Runs.SourceBusyException busy) {
                LOG.info("{}; this one is skipped", busy.getMessage());
                exchange.setRouteStop(true);
                return;
            }
            exchange.getMessage().setBody(run);
        }
        // what came with the trigger (an HTTP request's headers, its token among them) stays out of the flow
        exchange.getMessage().removeHeaders("*", "source", "scope", "path", "Camel*");
        exchange.getMessage().removeHeaders("CamelHttp*");
        run.stepRan("start");
        runs.finishWhenDone(exchange, run);
    }

    /**
     * One recovery at a time per place: a backup of a source that a recovery is restoring in place
     * waits until it ends, and then backs up the restored state (the recovery's own backups pass).
     */
    private void awaitRecovery(Exchange exchange, String type, String source, String madeBy)
            throws InterruptedException {
        boolean said = false;
        while (source != null) {
            Optional<String> recovery = restoringInPlace.apply(source);
            if (recovery.isEmpty() || recovery.get().equals(madeBy)) {
                return;
            }
            if (exchange.getContext().isStopping()) {
                throw new IllegalStateException("the service stopped while the " + type + " backup of " + source
                        + " waited for recovery " + recovery.get());
            }
            if (!said) {
                LOG.info("the {} backup of {} waits: recovery {} is restoring {} in place", type, source,
                        recovery.get(), source);
                said = true;
            }
            Thread.sleep(1000);
        }
    }

    /** For a run the API began: it ends in the catalog even if its flow never reaches lifeboat:start. */
    Processor finishWhenDone() {
        return exchange -> runs.finishWhenDone(exchange, exchange.getMessage().getBody(BackupRun.class));
    }

    private void verify(BackupRun run) throws Exception {
        if (run.getSnapshot() == null) {
            return;
        }
        Checker.Report report = new Checker(run.repository(repository), false, new Progress()).checkSnapshot(run.getSnapshot().id());
        if (!report.ok()) {
            Checker.Finding first = report.errors().get(0);
            throw new IllegalStateException("verify of snapshot " + run.getSnapshot().shortId() + " found "
                    + report.errors().size() + " problems, first: " + first.object() + ": " + first.message());
        }
    }

    /**
     * Retention that fails is alerted, not a failed backup: the backup itself is safe. Prune waits
     * a minute for other operations; when the repository stays in use (another backup), the space
     * is freed by the next retention that finds it free.
     */
    private void retention(BackupRun run) throws InterruptedException {
        try {
            retention(run, run.repository(repository));
        } catch (InterruptedException e) {
            throw e;
        } catch (Exception e) {
            run.note("retention-failed", "retention failed: " + reason(e), false);
        }
    }

    /**
     * The run's retention applied to a repository (the repository itself, or a copy of it), then
     * prune; under an object lock, the locks of what the source's kept backups need are then
     * extended to their retention.
     */
    private void retention(BackupRun run, Repository repo) throws Exception {
        int removed = switch (run.getType()) {
            case BackupRun.FILE -> files.retention(run, repo);
            case BackupRun.CONFIG -> configs.retention(run, repo);
            case BackupRun.WAL -> 0;
            default -> databases.retention(run, repo);
        };
        if (removed > 0) {
            try {
                Pruner.Result pruned = new Pruner(repo, Duration.ofSeconds(60)).run(false);
                LOG.info("retention of {} in {} removed {} backups or log files; prune freed {} bytes", run.getSource(),
                        repo.store().location(), removed, pruned.freedBytes());
            } catch (RepositoryBusyException busy) {
                run.note(null, "retention removed " + removed + " in " + repo.store().location() + "; prune deferred: "
                        + busy.getMessage(), false);
            }
        }
        if (repo.store().lockPeriod() != null) {
            Duration kept = switch (run.getType()) {
                case BackupRun.FILE -> files.kept(run);
                case BackupRun.CONFIG -> configs.kept(run);
                default -> databases.kept(run);
            };
            List<String> tags = List.of("source:" + run.getSource(), "db:" + run.getSource());
            LockKeeper.Result locks = LockKeeper.extend(repo, repo.snapshots().stream()
                    .filter(s -> s.tags().stream().anyMatch(tags::contains)).toList(), s -> kept);
            LOG.info("object locks in {}: {} objects needed by {}'s backups, {} extended", repo.store().location(),
                    locks.objects(), run.getSource(), locks.extended());
        }
    }

    private static String reason(Throwable e) {
        return e == null ? "failed" : e.getMessage() == null ? e.toString() : e.getMessage();
    }
}
