package io.lifeboat.recovery;

import static io.lifeboat.recovery.Outcome.done;
import static io.lifeboat.recovery.Outcome.skipped;

import io.lifeboat.catalog.Catalog;
import io.lifeboat.compress.Compression;
import io.lifeboat.config.Durations;
import io.lifeboat.config.LifeboatConfig;
import io.lifeboat.repository.LogArchive;
import io.lifeboat.repository.Progress;
import io.lifeboat.repository.Repository;
import io.lifeboat.repository.Snapshot;
import io.lifeboat.source.BackupContents;
import io.lifeboat.source.DirectoryTrees;
import io.lifeboat.source.config.ConfigBackups;
import io.lifeboat.source.config.ConfigKeys;
import io.lifeboat.source.config.ConfigRestorer;
import io.lifeboat.source.files.Restorer;
import io.lifeboat.source.mysql.BinlogTimelines;
import io.lifeboat.source.mysql.Binlogs;
import io.lifeboat.source.mysql.LiveServer;
import io.lifeboat.source.mysql.MySqlRestore;
import io.lifeboat.source.mysql.MySqlSource;
import io.lifeboat.source.postgres.PgRecovery;
import io.lifeboat.source.postgres.PgRestore;
import io.lifeboat.source.postgres.PgTools;
import io.lifeboat.source.postgres.RestoreValidation;
import io.lifeboat.source.postgres.TableFingerprint;
import io.lifeboat.storage.FailoverBlobStore;
import io.lifeboat.storage.Thaw;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;

/**
 * The steps of the recovery flows, as routes name them (lifeboat:stop-services, ...). The message
 * body is the recovery; each step does one stage of it, records its status, duration and findings
 * in the catalog, and is skipped when a recovery that was cut short comes through again after it
 * had finished. Passing through in planning mode, each step only says what it would do and how
 * long it should take, so the plan is always the route as it stands.
 */
public final class RecoverySteps {
    public static final List<String> NAMES = List.of("stop-services", "safety-backup", "warm-up", "restore-databases",
            "restore-files", "restore-config", "start-services", "validate-health", "validate-data",
            "validate-performance", "resume-protection", "recovery-failed", "recovery-ended");

    /** Opens the repository for reading (a copy when it cannot be read), or the named copy alone. */
    @FunctionalInterface
    public interface RepositoryOpener {
        Repository open(String copy) throws IOException;
    }

    /** One step's work, and its estimate in planning mode. */
    private interface Action {
        Outcome run(Recovery r) throws Exception;
    }

    private interface Estimate {
        void plan(Recovery r, Recovery.Step s);
    }

    private final Supplier<LifeboatConfig> config;
    private final RepositoryOpener repository;
    private final Catalog catalog;
    private final Recoveries recoveries;
    private final Protection protection;
    private final RestoreChecks checks;
    /** The service is stopping: a step that waits gives up its wait, to go on when the service is back. */
    private final BooleanSupplier stopping;

    public RecoverySteps(Supplier<LifeboatConfig> config, RepositoryOpener repository,
                         Catalog catalog, Recoveries recoveries, Protection protection, BooleanSupplier stopping) {
        this.config = config;
        this.stopping = stopping;
        this.repository = repository;
        this.catalog = catalog;
        this.recoveries = recoveries;
        this.protection = protection;
        this.checks = new RestoreChecks(config, repository, catalog);
    }

    /** The named step; IllegalArgumentException when there is none. */
    public Processor step(String name) {
        return switch (name) {
            case "stop-services" -> step(name, this::stopServices, (r, s) -> {
                s.fixedMs = r.sandboxed() ? 0 : 5000L * services().size();
                s.detail = r.sandboxed() ? "none: a sandbox" : hooks(lastFirst(services()), false);
            });
            case "safety-backup" -> step(name, this::safetyBackup, (r, s) -> {
                s.fixedMs = r.sandboxed() ? 0 : 5000;
                s.bytes = r.sandboxed() ? 0 : bytes(r, null) / 4;
                s.detail = r.sandboxed() ? "none: a sandbox replaces nothing" : "back up the current state of "
                        + r.items.stream().map(i -> i.source).toList() + " first";
            });
            case "warm-up" -> step(name, this::warmUp, (r, s) -> s.detail = "bring back from an archive storage class"
                    + " (GLACIER, DEEP_ARCHIVE) the packs the restore reads, and wait until they can be read; nothing"
                    + " to do where none is archived");
            case "restore-databases" -> step(name, this::restoreDatabases, (r, s) -> {
                s.fixedMs = 15000L * items(r, Recovery.Item.DATABASE).size();
                s.bytes = bytes(r, Recovery.Item.DATABASE);
                s.detail = describe(r, Recovery.Item.DATABASE);
            });
            case "restore-files" -> step(name, this::restoreFiles, (r, s) -> {
                s.fixedMs = 1000L * items(r, Recovery.Item.FILES).size();
                s.bytes = bytes(r, Recovery.Item.FILES);
                s.detail = describe(r, Recovery.Item.FILES);
            });
            case "restore-config" -> step(name, this::restoreConfig, (r, s) -> {
                s.fixedMs = 500L * items(r, Recovery.Item.CONFIG).size();
                s.bytes = bytes(r, Recovery.Item.CONFIG);
                s.detail = describe(r, Recovery.Item.CONFIG);
            });
            case "start-services" -> step(name, this::startServices, (r, s) -> {
                s.fixedMs = r.sandboxed() ? 0 : 5000L * services().size();
                s.detail = r.sandboxed() ? "none: a sandbox" : hooks(services(), true);
            });
            case "validate-health" -> step(name, checks::health, (r, s) -> {
                List<String> probes = services().stream().filter(x -> x.health() != null)
                        .map(x -> x.name() + " at " + x.health()).toList();
                s.fixedMs = r.sandboxed() ? 0 : 2000L * probes.size();
                s.detail = r.sandboxed() ? "none: a sandbox" : probes.isEmpty() ? "no health address configured"
                        : "probe " + String.join(", ", probes);
            });
            case "validate-data" -> step(name, checks::data, (r, s) -> {
                s.fixedMs = 1000;
                s.bytes = bytes(r, Recovery.Item.FILES);
                s.detail = "re-read and hash the restored files against their snapshots; compare every table's rows"
                        + " and checksum with the fingerprint taken at backup";
            });
            case "validate-performance" -> step(name, checks::performance, (r, s) -> {
                s.fixedMs = 1000L * config.get().recovery().performance().size();
                s.detail = config.get().recovery().performance().isEmpty() ? "no performance check configured"
                        : "time " + config.get().recovery().performance().stream()
                                .map(LifeboatConfig.PerformanceCheck::name).toList() + " against their baselines";
            });
            case "resume-protection" -> step(name, this::resumeProtection, (r, s) -> {
                List<String> databases = items(r, Recovery.Item.DATABASE).stream().filter(Recovery.Item::inPlace)
                        .map(i -> i.source).toList();
                s.fixedMs = 20000L * databases.size();
                s.detail = databases.isEmpty() ? "none: no database restored in place" : "stream the log of " + databases
                        + " again and take a full backup of each on its new timeline";
            });
            case "recovery-failed" -> exchange -> {
                Recovery r = recovery(exchange, name);
                Exception e = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
                if (r.planning) {
                    throw e; // a plan that cannot be made is refused, not a recovery that failed
                }
                if (r.interrupted) {
                    return;
                }
                r.fail(e == null ? "failed" : e.getMessage() == null ? e.toString() : e.getMessage());
            };
            case "recovery-ended" -> exchange -> {
                Recovery r = recovery(exchange, name);
                if (!r.planning && !r.interrupted) {
                    resumeHeldStreaming(r);
                    List<String> left = r.items.stream().filter(i -> !i.restored).map(i -> i.kind + " " + i.source)
                            .toList();
                    if (!left.isEmpty()) {
                        // an operator's edit took out the step that restores them: not a success
                        r.fail("not restored: " + left + "; the route recovery-" + r.type + " has no step for them");
                    }
                    recoveries.end(r);
                }
            };
            default -> throw new IllegalArgumentException("unknown step lifeboat:" + name);
        };
    }

    private Processor step(String name, Action action, Estimate estimate) {
        return exchange -> {
            Recovery r = recovery(exchange, name);
            Recovery.Step s = r.step(name);
            if (r.planning) {
                estimate.plan(r, s);
                return;
            }
            if (s.finished()) {
                return; // finished before the recovery was cut short: not again
            }
            FaultPoints.reach("step:" + name);
            if (recoveries.aborting(r.id)) {
                r.fail("aborted on request before the step " + name);
                throw new IOException(r.error);
            }
            s.status = Recovery.Step.RUNNING;
            s.startedAt = Instant.now();
            recoveries.save(r);
            long started = System.nanoTime();
            try {
                Outcome o = action.run(r);
                s.status = o.status();
                s.detail = o.detail();
            } catch (InterruptedException e) {
                // the service is stopping: the step runs again when it starts, the recovery stays in progress
                s.status = Recovery.Step.PENDING;
                r.interrupted = true;
                throw e;
            } catch (Exception e) {
                s.status = Recovery.Step.FAILED;
                s.detail = e.getMessage();
                r.fail("step " + name + " failed: " + (e.getMessage() == null ? e.toString() : e.getMessage()));
                throw e;
            } finally {
                s.durationMs = (System.nanoTime() - started) / 1_000_000;
                recoveries.save(r);
            }
        };
    }

    private static Recovery recovery(Exchange exchange, String name) {
        if (!(exchange.getMessage().getBody() instanceof Recovery r)) {
            throw new IllegalStateException("lifeboat:" + name + " has no recovery to work on: it belongs in a"
                    + " recovery route (routes/recovery-*.camel.yaml)");
        }
        return r;
    }

    private Outcome stopServices(Recovery r) throws Exception {
        if (r.sandboxed()) {
            return skipped("restoring into a sandbox: the live services are left running");
        }
        List<LifeboatConfig.Service> services = services();
        if (services.isEmpty()) {
            return skipped("no services configured (recovery.services in lifeboat.yaml)");
        }
        List<String> stopped = new ArrayList<>();
        for (int i = services.size() - 1; i >= 0; i--) {
            LifeboatConfig.Service s = services.get(i);
            try {
                Hooks.run(s.name(), s.stop(), false, hookTimeout());
            } catch (IOException e) {
                throw new IOException(e.getMessage() + "; the platform now: " + (stopped.isEmpty() ? "nothing stopped"
                        : "stopped " + stopped) + ", " + s.name() + " in an unknown state, still running "
                        + names(services.subList(0, i)));
            }
            stopped.add(s.name());
        }
        return done("stopped " + String.join(", ", stopped));
    }

    private Outcome startServices(Recovery r) throws Exception {
        if (r.sandboxed()) {
            return skipped("restoring into a sandbox: the live services were not stopped");
        }
        List<LifeboatConfig.Service> services = services();
        if (services.isEmpty()) {
            return skipped("no services configured (recovery.services in lifeboat.yaml)");
        }
        for (int i = 0; i < services.size(); i++) {
            LifeboatConfig.Service s = services.get(i);
            try {
                Hooks.run(s.name(), s.start(), true, hookTimeout());
            } catch (IOException e) {
                throw new IOException(e.getMessage() + "; the platform now: data restored, "
                        + (i == 0 ? "no service started" : "started " + names(services.subList(0, i))) + ", not started "
                        + names(services.subList(i, services.size())));
            }
        }
        return done("started " + names(services));
    }

    private Outcome safetyBackup(Recovery r) throws Exception {
        if (r.sandboxed()) {
            return skipped("restoring into a sandbox replaces nothing");
        }
        List<String> made = new ArrayList<>();
        for (Recovery.Item item : r.items) {
            if (!Files.exists(Path.of(item.live))) {
                made.add(item.source + ": nothing at " + item.live + " to keep");
                continue;
            }
            try {
                String backup = protection.backUp(item.kind, item.source, r.id);
                r.safetyBackups.add(backup);
                made.add(item.source + ": " + backup);
            } catch (Exception e) {
                throw new IOException("the safety backup of " + item.source + " failed, so nothing was restored: "
                        + e.getMessage(), e);
            }
        }
        return done("current state kept: " + String.join("; ", made));
    }

    /**
     * Asks the store to bring back the archived packs the restore will read (each once: a recovery
     * resumed after a restart finds them asked already) and waits, saying in the step's detail how
     * many are readable, the store's typical delay and the retrieval cost, until all can be read.
     */
    private Outcome warmUp(Recovery r) throws Exception {
        Repository repo = repository.open(r.readFrom);
        if (!repo.store().mayArchive()) {
            return skipped(repo.store().location() + " has no archive storage class");
        }
        List<Snapshot> backups = new ArrayList<>();
        for (Recovery.Item item : r.items) {
            Snapshot s = repo.snapshot(item.snapshot);
            LifeboatConfig.Database d = Recovery.Item.DATABASE.equals(item.kind) ? config.get().database(item.source) : null;
            backups.addAll(d != null && d.mysql() ? MySqlRestore.chainTo(repo.snapshots(), item.source, s) : List.of(s));
        }
        List<String> packs = BackupContents.of(repo, backups).packs(repo, "the warm-up").stream()
                .map(Repository::packPath).toList();
        Recovery.Step step = r.step("warm-up");
        Duration poll = Durations.parse(config.get().recovery().thawPoll());
        while (true) {
            Thaw thaw = repo.store().thaw(packs);
            if (thaw.archived() == 0) {
                return skipped(repo.store().location() + ": none of the " + packs.size() + " packs the restore reads is archived");
            }
            if (r.thawAskedAt == null) {
                r.thawAskedAt = Instant.now();
            }
            if (thaw.ready()) {
                return done(repo.store().location() + ": " + thaw.describe() + ": all readable, "
                        + Duration.between(r.thawAskedAt, Instant.now()).toSeconds() + " s after they were asked for");
            }
            step.detail = repo.store().location() + ": " + thaw.describe() + ": " + thaw.readable() + " readable, " + thaw.waiting()
                    + " waiting, asked for at " + r.thawAskedAt + "; asking again every " + poll.toSeconds() + " s";
            recoveries.save(r);
            for (long waited = 0; waited < poll.toMillis(); waited += 200) {
                if (stopping.getAsBoolean()) {
                    throw new InterruptedException("the service is stopping");
                }
                if (recoveries.aborting(r.id)) {
                    throw new IOException("aborted on request while waiting for the archived packs");
                }
                Thread.sleep(200);
            }
        }
    }

    /** One item's restore: into a fresh place (the staging copy when in place), checked there; says what it did. */
    private interface ItemRestore {
        Restored run(Repository repo, Recovery.Item item, Path into) throws Exception;
    }

    /** In place: the checked staging copy takes the live place; says how. */
    private interface HandOver {
        String run(Repository repo, Recovery.Item item, Path staged) throws Exception;
    }

    /** What an item's restore moved, and its line in the step's findings. */
    private record Restored(long bytes, String said) {
    }

    /**
     * Restores each item of a kind: the fresh place cleared of what an interrupted attempt left,
     * each finished item recorded at once (so that one finished before a stop is not done again),
     * and the bytes moved per second measured for the estimates. In place, the copy is restored and
     * checked beside the live place, forced to disk and recorded as staged before the hand-over
     * begins: a recovery resumed after that point hands the same copy over, it does not restore again.
     */
    private Outcome restoreEach(Recovery r, String kind, String none, ItemRestore restore, HandOver handOver)
            throws Exception {
        List<Recovery.Item> items = items(r, kind);
        if (items.isEmpty()) {
            return skipped(none);
        }
        Repository repo = repository.open(r.readFrom);
        long started = System.nanoTime();
        long bytes = 0;
        List<String> said = new ArrayList<>();
        for (Recovery.Item item : items) {
            if (item.restored) {
                said.add(item.source + ": restored before the service stopped");
                continue;
            }
            Path to = Path.of(item.restoreTo);
            Path into = item.inPlace() ? InPlace.staging(to, r.id) : to;
            if (item.staged && item.swaps.isEmpty() && !Files.exists(into, LinkOption.NOFOLLOW_LINKS)) {
                item.staged = false; // the staged copy was removed since: restored again
            }
            if (!item.staged) {
                DirectoryTrees.delete(into);
                Restored restored = restore.run(repo, item, into);
                bytes += restored.bytes();
                item.restoredSaid = restored.said();
                if (item.inPlace()) {
                    DirectoryTrees.sync(into);
                    item.staged = true;
                    recoveries.save(r);
                    FaultPoints.reach(kind + ":staged");
                }
            }
            String where = item.inPlace() ? handOver.run(repo, item, into) : "into " + to;
            item.restored = true;
            recoveries.save(r);
            said.add(item.restoredSaid + ", " + where);
        }
        r.measured(bytes, (System.nanoTime() - started) / 1_000_000);
        return done(readFrom(repo) + String.join("; ", said));
    }

    private Outcome restoreDatabases(Recovery r) throws Exception {
        return restoreEach(r, Recovery.Item.DATABASE, "no database in this recovery", (repo, item, into) -> {
            LifeboatConfig.Database d = config.get().database(item.source);
            if (d.mysql()) {
                return restoreMysql(repo, item, into);
            }
            String osUser = PgTools.serverUser(d.runAs());
            Snapshot base = repo.snapshot(item.snapshot);
            Files.createDirectories(into.getParent());
            PgRecovery.Outcome restore = PgRecovery.restore(repo, item.source, base, into,
                    new PgRestore.Target(item.stopKind, item.stopValue), osUser, "postgres", PgTools.SCAN_TIMEOUT,
                    TableFingerprint.queriesFor(config.get().recovery().performance(), d.name()));
            RestoreValidation.Result checked = restore.validation();
            item.amcheck = checked.amcheckReport();
            item.lastReplayed = checked.lastReplayed();
            item.timings = checked.timings();
            item.tables = TableFingerprint.asJson(checked.tables());
            if (!checked.passed()) {
                throw new IOException("restored " + item.source + " but pg_amcheck found damage: "
                        + checked.amcheckReport());
            }
            return new Restored((base.summary() == null ? 0 : base.summary().bytes()) + restore.walBytes(),
                    item.source + ": backup " + base.shortId() + " recovered to " + stopDescription(item)
                    + (checked.lastReplayed() == null ? "" : " (last transaction " + checked.lastReplayed() + ")") + " with "
                    + String.format(Locale.ROOT, "%.1f", restore.walBytes() / 1048576.0) + " MiB of WAL"
                    + "; pg_amcheck clean, " + checked.tables().size() + " tables, " + checked.totalRows()
                    + " rows");
        }, (repo, item, staged) -> {
            LifeboatConfig.Database d = config.get().database(item.source);
            Path to = Path.of(item.restoreTo);
            boolean begun = item.swap(to) != null; // the server was stopped and streaming held before
            if (!begun && !item.streamingHeld && protection.holdStreaming(d.name())) {
                item.streamingHeld = true;
                recoveries.save(r);
            }
            if (!begun && LiveDatabase.runsOn(d, to)) {
                if (d.mysql()) {
                    item.binlogFirst = Math.max(newestArchivedBinlog(d), LiveServer.newestBinlog(MySqlSource.of(d))) + 1;
                    recoveries.save(r);
                }
                LiveDatabase.stop(d, to, hookTimeout());
                item.stoppedServer = true;
                recoveries.save(r);
                FaultPoints.reach("database:stopped");
            }
            InPlace.swap(staged, to, r, item, () -> recoveries.save(r));
            if (d.mysql() && item.switchedAt == null) {
                if (item.binlogFirst == null) {
                    item.binlogFirst = newestArchivedBinlog(d) + 1; // the old server was not running
                }
                item.switchedAt = Instant.now();
                recoveries.save(r);
            }
            LiveDatabase.start(d, to, hookTimeout());
            if (d.mysql() && item.newHistory == null) {
                item.newHistory = LiveServer.continueBinlogsAt(MySqlSource.of(d), item.binlogFirst);
                recoveries.save(r);
            }
            return "in place at " + to + " and started" + (item.newHistory == null ? ""
                    : ", its binlogs a new history from " + item.newHistory) + kept(item);
        });
    }

    /** The highest binlog number the archive holds of a MariaDB database (0: none), while its streaming is held. */
    private long newestArchivedBinlog(LifeboatConfig.Database d) throws IOException {
        return Binlogs.highest(new LogArchive(repository.open(null), d.name()).list());
    }

    /**
     * Protection of each database restored in place, at once: its log streamed again (from a fresh
     * spool: a recovery to a point starts a new timeline) and a full backup on the new timeline,
     * through the database's flow, so that the next point-in-time restore has a base on it.
     */
    private Outcome resumeProtection(Recovery r) throws Exception {
        List<Recovery.Item> databases = items(r, Recovery.Item.DATABASE).stream().filter(Recovery.Item::inPlace).toList();
        if (databases.isEmpty()) {
            return skipped(r.sandboxed() ? "restored into a sandbox: the live databases were not touched"
                    : "no database restored in place");
        }
        List<String> said = new ArrayList<>();
        for (Recovery.Item item : databases) {
            String streaming = resumeStreaming(r, item) ? "log streamed again, " : "";
            if (item.protectionBackup == null) {
                item.protectionBackup = protection.backUp(item.kind, item.source, r.id);
                recoveries.save(r);
            }
            said.add(item.source + ": " + streaming + "full " + item.protectionBackup);
        }
        return done(String.join("; ", said));
    }

    /** At the end of a recovery, whatever its outcome: no database's log stays unstreamed because of it. */
    private void resumeHeldStreaming(Recovery r) {
        for (Recovery.Item item : r.items) {
            try {
                resumeStreaming(r, item);
            } catch (Exception e) {
                r.fail("the log of " + item.source + " is not streamed again: " + e.getMessage());
            }
        }
    }

    private boolean resumeStreaming(Recovery r, Recovery.Item item) throws Exception {
        if (!item.streamingHeld) {
            return false;
        }
        if (item.newHistory != null && !item.historyRecorded) {
            // before the first of the restored server's binlogs reaches the archive
            boolean toItsEnd = "latest".equals(item.stopKind) || "immediate".equals(item.stopKind);
            BinlogTimelines.record(repository.open(null), item.source, new BinlogTimelines.Switch(item.newHistory,
                    item.switchedAt.toString(), toItsEnd ? "position" : item.stopKind, toItsEnd ? item.replayedTo : item.stopValue,
                    r.id), Compression.parse(config.get().repository().compression()));
            item.historyRecorded = true;
            recoveries.save(r);
        }
        protection.resumeStreaming(item.source);
        item.streamingHeld = false;
        recoveries.save(r);
        return true;
    }

    /**
     * A MySQL/MariaDB database into its target: the chain ending with the planned backup, the
     * binlogs replayed to the recovery's point, checked by mariadb-check and rows per table.
     */
    private Restored restoreMysql(Repository repo, Recovery.Item item, Path into) throws Exception {
        Files.createDirectories(into.getParent());
        Snapshot last = repo.snapshot(item.snapshot);
        List<Snapshot> chain = MySqlRestore.chainTo(repo.snapshots(), item.source, last);
        MySqlRestore.Result result = MySqlRestore.restore(repo, item.source, chain, new MySqlRestore.Target(
                item.stopKind, item.stopValue), into, "root".equals(System.getProperty("user.name")) ? "mysql" : null);
        item.amcheck = result.checkReport();
        item.replayedTo = result.replayedTo();
        Map<String, Map<String, Object>> tables = new LinkedHashMap<>();
        result.rowCounts().forEach((table, rows) -> tables.put(table, Map.of("rows", rows)));
        item.tables = tables;
        if (!result.passed()) {
            throw new IOException("restored " + item.source + " but mariadb-check found damage: " + result.checkReport());
        }
        long bytes = chain.stream().mapToLong(s -> s.summary() == null ? 0 : s.summary().bytes()).sum();
        return new Restored(bytes, item.source + ": " + chain.size() + " backups from " + chain.get(0).shortId()
                + ", binlogs replayed from " + result.replayedFrom() + " to " + stopDescription(item)
                + "; " + result.checkReport() + ", " + tables.size() + " tables, " + result.totalRows() + " rows");
    }

    /**
     * Each file source's snapshot (or its chosen paths). In place, the copy is written beside the
     * live place and re-hashed against the snapshot there, before it takes the live place: a copy
     * that does not match never replaces anything.
     */
    private Outcome restoreFiles(Recovery r) throws Exception {
        return restoreEach(r, Recovery.Item.FILES, "no file source in this recovery", (repo, item, into) -> {
            Snapshot s = repo.snapshot(item.snapshot);
            Restorer.Result result = new Restorer(repo, new Restorer.Options(into, item.paths), new Progress()).run(s);
            if (!result.problems().isEmpty()) {
                throw new IOException("restoring " + item.source + " from " + s.shortId() + ": "
                        + result.problems().size() + " problems, first " + result.problems().get(0));
            }
            if (item.inPlace()) {
                item.filesCheck = RestoreChecks.files(repo, s, item, into);
            }
            return new Restored(result.bytes(), item.source + ": snapshot " + s.shortId() + ", " + result.files()
                    + " files, " + result.bytes() + " bytes");
        }, (repo, item, staged) -> {
            Snapshot s = repo.snapshot(item.snapshot);
            for (String place : item.paths.isEmpty() ? s.paths() : item.paths) {
                Path restored = staged.resolve(place.substring(1));
                if (item.swap(Path.of(place)) != null || Files.exists(restored, LinkOption.NOFOLLOW_LINKS)) {
                    InPlace.swap(restored, Path.of(place), r, item, () -> recoveries.save(r));
                }
            }
            DirectoryTrees.delete(staged);
            return "in place" + kept(item);
        });
    }

    /**
     * Each configuration backup: only the pieces that differ are written; in place, the source as it
     * is now is first kept as a configuration backup, and what programs answered (kubectl, commands)
     * is not applied (it comes back only into a target). Secrets and the security kind are opened
     * with the configuration key.
     */
    private Outcome restoreConfig(Recovery r) throws Exception {
        List<Recovery.Item> items = items(r, Recovery.Item.CONFIG);
        if (items.isEmpty()) {
            return skipped("no configuration backup in this recovery");
        }
        Repository repo = repository.open(r.readFrom);
        ConfigBackups backups = new ConfigBackups(repo, ConfigKeys.open(config.get().configKey()));
        List<String> said = new ArrayList<>();
        for (Recovery.Item item : items) {
            if (item.restored) {
                said.add(item.source + ": restored before the service stopped");
                continue;
            }
            Snapshot s = repo.snapshot(item.snapshot);
            LifeboatConfig.ConfigSource source = config.get().configs().stream()
                    .filter(c -> c.name().equals(item.source)).findFirst().orElseThrow(() -> new IllegalStateException(
                            "configuration source " + item.source + " is no longer in lifeboat.yaml"));
            ConfigBackups.Restored done = backups.restore(source, s, item.inPlace() ? null : Path.of(item.restoreTo),
                    Compression.parse(config.get().repository().compression()));
            if (done.keptAs() != null) {
                r.safetyBackups.add(item.source + ": configuration backup " + done.keptAs().shortId() + " (before-restore)");
            }
            item.restored = true;
            recoveries.save(r);
            ConfigRestorer.Result result = done.result();
            said.add(item.source + ": snapshot " + s.shortId() + ", " + result.written().size() + " written, "
                    + result.unchanged() + " unchanged" + (item.inPlace() ? " in place" : " into " + item.restoreTo)
                    + (result.notApplied().isEmpty() ? "" : ", " + result.notApplied().size()
                    + " captured pieces not applied") + (done.keptAs() == null ? ""
                    : "; what was there is kept as configuration backup " + done.keptAs().shortId()));
        }
        return done(readFrom(repo) + String.join("; ", said));
    }

    /** Where a step read its backups when that was a copy, not the repository. */
    private static String readFrom(Repository repo) throws IOException {
        return repo.store() instanceof FailoverBlobStore copies && copies.onCopy()
                ? "read from the copy " + copies.location() + " (the repository could not be read): " : "";
    }

    private static String kept(Recovery.Item item) {
        return item.movedAside.isEmpty() ? "" : "; what was there is kept in " + String.join(", ", item.movedAside);
    }

    private static String stopDescription(Recovery.Item item) {
        return switch (item.stopKind) {
            case "lsn" -> "WAL position " + item.stopValue + " (its fingerprint)";
            case "time" -> item.stopValue;
            case "immediate" -> "the end of the backup";
            default -> "the newest WAL";
        };
    }

    private static String describe(Recovery r, String kind) {
        List<String> parts = new ArrayList<>();
        for (Recovery.Item item : items(r, kind)) {
            parts.add(item.source + " from " + item.snapshot.substring(0, 8) + (Recovery.Item.DATABASE.equals(kind)
                    ? " to " + stopDescription(item) : item.paths.isEmpty() ? "" : " " + item.paths) + " → "
                    + (item.inPlace() ? "in place (" + item.restoreTo + ")" : item.restoreTo));
        }
        if (parts.isEmpty()) {
            return Recovery.Item.CONFIG.equals(kind) ? "no configuration backup (one holding the service's own"
                    + " configuration is restored only into a target)" : "nothing of this kind";
        }
        return String.join("; ", parts);
    }

    static List<Recovery.Item> items(Recovery r, String kind) {
        return r.items.stream().filter(i -> kind.equals(i.kind)).toList();
    }

    private static long bytes(Recovery r, String kind) {
        return r.items.stream().filter(i -> kind == null || kind.equals(i.kind)).mapToLong(i -> i.bytes).sum();
    }

    private List<LifeboatConfig.Service> services() {
        return config.get().recovery().services();
    }

    private Duration hookTimeout() {
        return Durations.parse(config.get().recovery().hookTimeout());
    }

    private static List<LifeboatConfig.Service> lastFirst(List<LifeboatConfig.Service> services) {
        List<LifeboatConfig.Service> out = new ArrayList<>(services);
        Collections.reverse(out);
        return out;
    }

    private static String hooks(List<LifeboatConfig.Service> services, boolean start) {
        return services.isEmpty() ? "no services configured" : String.join("; ", services.stream().map(x -> x.name()
                + ": " + String.join(" ", Hooks.command(start ? x.start() : x.stop(), start))).toList());
    }

    private static String names(List<LifeboatConfig.Service> services) {
        return services.stream().map(LifeboatConfig.Service::name).toList().toString();
    }
}
