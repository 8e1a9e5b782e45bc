package io.lifeboat.recovery;

import io.lifeboat.catalog.Catalog;
import io.lifeboat.config.Durations;
import io.lifeboat.config.LifeboatConfig;
import io.lifeboat.repository.Progress;
import io.lifeboat.repository.Repository;
import io.lifeboat.repository.Snapshot;
import io.lifeboat.source.DirectoryTrees;
import io.lifeboat.source.files.RestoredTreeCheck;
import io.lifeboat.source.files.Restorer;
import io.lifeboat.source.postgres.PgRecovery;
import io.lifeboat.source.postgres.PgRestore;
import io.lifeboat.source.postgres.RestoreValidation;
import io.lifeboat.source.postgres.TableFingerprint;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
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
    public static final List<String> NAMES = List.of("stop-services", "safety-backup", "restore-databases",
            "restore-files", "restore-config", "start-services", "validate-health", "validate-data",
            "validate-performance", "recovery-failed", "recovery-ended");
    private static final boolean ROOT = "root".equals(System.getProperty("user.name"));
    /** A query this much slower than its baseline is still noise, not a slow restore. */
    private static final double PERFORMANCE_SLACK_MS = 50;

    /** Makes a backup of a source through its backup flow; answers what it made, fails when the backup does. */
    @FunctionalInterface
    public interface SafetyBackup {
        String backUp(String kind, String source) throws Exception;
    }

    /** Opens the repository the service writes to. */
    @FunctionalInterface
    public interface RepositoryOpener {
        Repository open() throws IOException;
    }

    /** What a step did: done with its findings, or skipped with the reason. */
    private record Outcome(String status, String detail) {
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
    private final SafetyBackup safety;

    public RecoverySteps(Supplier<LifeboatConfig> config, RepositoryOpener repository,
                         Catalog catalog, Recoveries recoveries, SafetyBackup safety) {
        this.config = config;
        this.repository = repository;
        this.catalog = catalog;
        this.recoveries = recoveries;
        this.safety = safety;
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
            case "restore-config" -> step(name, r -> skipped(CONFIG_NOT_YET), (r, s) -> s.detail = CONFIG_NOT_YET);
            case "start-services" -> step(name, this::startServices, (r, s) -> {
                s.fixedMs = r.sandboxed() ? 0 : 5000L * services().size();
                s.detail = r.sandboxed() ? "none: a sandbox" : hooks(services(), true);
            });
            case "validate-health" -> step(name, this::validateHealth, (r, s) -> {
                List<String> probes = services().stream().filter(x -> x.health() != null)
                        .map(x -> x.name() + " at " + x.health()).toList();
                s.fixedMs = r.sandboxed() ? 0 : 2000L * probes.size();
                s.detail = r.sandboxed() ? "none: a sandbox" : probes.isEmpty() ? "no health address configured"
                        : "probe " + String.join(", ", probes);
            });
            case "validate-data" -> step(name, this::validateData, (r, s) -> {
                s.fixedMs = 1000;
                s.bytes = bytes(r, Recovery.Item.FILES);
                s.detail = "re-read and hash the restored files against their snapshots; compare every table's rows"
                        + " and checksum with the fingerprint taken at backup";
            });
            case "validate-performance" -> step(name, this::validatePerformance, (r, s) -> {
                s.fixedMs = 1000L * config.get().recovery().performance().size();
                s.detail = config.get().recovery().performance().isEmpty() ? "no performance check configured"
                        : "time " + config.get().recovery().performance().stream()
                                .map(LifeboatConfig.PerformanceCheck::name).toList() + " against their baselines";
            });
            case "recovery-failed" -> exchange -> {
                Recovery r = recovery(exchange, name);
                Exception e = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
                r.fail(e == null ? "failed" : e.getMessage() == null ? e.toString() : e.getMessage());
            };
            case "recovery-ended" -> exchange -> {
                Recovery r = recovery(exchange, name);
                if (!r.planning) {
                    recoveries.end(r);
                }
            };
            default -> throw new IllegalArgumentException("unknown step lifeboat:" + name);
        };
    }

    private static final String CONFIG_NOT_YET = "no configuration backups to restore yet (type config comes with"
            + " configuration backup); configuration kept as a file source is restored with the files";

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
            s.status = Recovery.Step.RUNNING;
            s.startedAt = Instant.now();
            recoveries.save(r);
            long started = System.nanoTime();
            try {
                Outcome o = action.run(r);
                s.status = o.status();
                s.detail = o.detail();
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
            try {
                String backup = safety.backUp(item.kind, item.source);
                r.safetyBackups.add(backup);
                made.add(item.source + ": " + backup);
            } catch (Exception e) {
                throw new IOException("the safety backup of " + item.source + " failed, so nothing was restored: "
                        + e.getMessage(), e);
            }
        }
        return done("current state kept: " + String.join("; ", made));
    }

    private Outcome restoreDatabases(Recovery r) throws Exception {
        List<Recovery.Item> items = items(r, Recovery.Item.DATABASE);
        if (items.isEmpty()) {
            return skipped("no database in this recovery");
        }
        Repository repo = repository.open();
        long started = System.nanoTime();
        long bytes = 0;
        List<String> said = new ArrayList<>();
        for (Recovery.Item item : items) {
            LifeboatConfig.Database d = database(item.source);
            String osUser = d.runAs() != null ? d.runAs() : ROOT ? "postgres" : null;
            Snapshot base = repo.snapshot(item.snapshot);
            PgRestore.Target target = new PgRestore.Target(item.stopKind, item.stopValue);
            Path to = Path.of(item.restoreTo);
            Path into = item.inPlace() ? to.resolveSibling(to.getFileName() + ".lifeboat-restoring") : to;
            DirectoryTrees.delete(into); // what an attempt cut short left
            Files.createDirectories(into.getParent());
            PgRecovery.Outcome o = PgRecovery.restore(repo, item.source, base, into, target, osUser, "postgres",
                    Duration.ofHours(4), queries(d.name()));
            RestoreValidation.Result v = o.validation();
            item.amcheck = v.amcheckReport();
            item.lastReplayed = v.lastReplayed();
            item.timings = v.timings();
            item.tables = new LinkedHashMap<>();
            v.tables().forEach((t, f) -> item.tables.put(t, Map.of("rows", f.rows(), "checksum", f.checksum())));
            if (!v.passed()) {
                throw new IOException("restored " + item.source + " but pg_amcheck found damage: " + v.amcheckReport());
            }
            String where = "into " + to;
            if (item.inPlace()) {
                if (PgRecovery.running(to, osUser)) {
                    PgRecovery.stop(to, osUser);
                }
                item.movedAside = moveAside(to, r);
                Files.move(into, to);
                if (d.start() != null) {
                    Hooks.run(d.name(), d.start(), true, hookTimeout());
                } else {
                    PgRestore.startServer(to, osUser);
                }
                where = "in place at " + to + " and started" + (item.movedAside == null ? ""
                        : "; what was there is kept in " + item.movedAside);
            }
            bytes += (base.summary() == null ? 0 : base.summary().bytes()) + o.walBytes();
            said.add(item.source + ": backup " + base.shortId() + " recovered to " + stopDescription(item)
                    + (v.lastReplayed() == null ? "" : " (last transaction " + v.lastReplayed() + ")") + ", " + where
                    + "; pg_amcheck clean, " + v.tables().size() + " tables, " + v.totalRows() + " rows");
        }
        r.measured(bytes, (System.nanoTime() - started) / 1_000_000);
        return done(String.join("; ", said));
    }

    private Outcome restoreFiles(Recovery r) throws Exception {
        List<Recovery.Item> items = items(r, Recovery.Item.FILES);
        if (items.isEmpty()) {
            return skipped("no file source in this recovery");
        }
        Repository repo = repository.open();
        long started = System.nanoTime();
        long bytes = 0;
        List<String> said = new ArrayList<>();
        for (Recovery.Item item : items) {
            Snapshot s = repo.snapshot(item.snapshot);
            Path to = Path.of(item.restoreTo);
            Path into = item.inPlace() ? to.resolveSibling("." + to.getFileName() + ".lifeboat-restoring") : to;
            DirectoryTrees.delete(into);
            Restorer.Result result = new Restorer(repo, new Restorer.Options(into, item.paths), new Progress()).run(s);
            if (!result.problems().isEmpty()) {
                throw new IOException("restoring " + item.source + " from " + s.shortId() + ": "
                        + result.problems().size() + " problems, first " + result.problems().get(0));
            }
            bytes += result.bytes();
            String where = "into " + to;
            if (item.inPlace()) {
                List<String> aside = new ArrayList<>();
                for (String place : item.paths.isEmpty() ? s.paths() : item.paths) {
                    Path live = Path.of(place);
                    Path restored = into.resolve(place.substring(1));
                    String moved = moveAside(live, r);
                    if (moved != null) {
                        aside.add(moved);
                    }
                    if (Files.exists(restored, LinkOption.NOFOLLOW_LINKS)) {
                        Files.createDirectories(live.getParent());
                        Files.move(restored, live);
                    }
                }
                DirectoryTrees.delete(into);
                item.movedAside = aside.isEmpty() ? null : String.join(", ", aside);
                where = "in place" + (aside.isEmpty() ? "" : "; what was there is kept in " + item.movedAside);
            }
            said.add(item.source + ": snapshot " + s.shortId() + ", " + result.files() + " files, " + result.bytes()
                    + " bytes " + where);
        }
        r.measured(bytes, (System.nanoTime() - started) / 1_000_000);
        return done(String.join("; ", said));
    }

    private Outcome validateHealth(Recovery r) throws Exception {
        if (r.sandboxed()) {
            return skipped("restoring into a sandbox: no live service to probe");
        }
        List<LifeboatConfig.Service> probed = services().stream().filter(s -> s.health() != null).toList();
        if (probed.isEmpty()) {
            return skipped("no health address configured (recovery.services[].health)");
        }
        Duration limit = Durations.parse(config.get().recovery().healthTimeout());
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        List<String> said = new ArrayList<>();
        for (LifeboatConfig.Service s : probed) {
            long started = System.nanoTime();
            String last = "no answer";
            while (true) {
                try {
                    HttpResponse<Void> answer = http.send(HttpRequest.newBuilder(URI.create(s.health()))
                            .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.discarding());
                    if (answer.statusCode() / 100 == 2) {
                        break;
                    }
                    last = "HTTP " + answer.statusCode();
                } catch (IOException e) {
                    last = e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
                }
                if (System.nanoTime() - started > limit.toNanos()) {
                    throw new IOException(s.name() + " is not healthy at " + s.health() + " after " + limit.toSeconds()
                            + " s (last: " + last + ")");
                }
                Thread.sleep(500);
            }
            said.add(s.name() + " healthy after " + (System.nanoTime() - started) / 1_000_000 + " ms");
        }
        return done(String.join("; ", said));
    }

    private Outcome validateData(Recovery r) throws Exception {
        Repository repo = repository.open();
        List<String> said = new ArrayList<>();
        for (Recovery.Item item : items(r, Recovery.Item.FILES)) {
            Snapshot s = repo.snapshot(item.snapshot);
            Path root = item.inPlace() ? Path.of("/") : Path.of(item.restoreTo);
            RestoredTreeCheck.Result check = RestoredTreeCheck.run(repo, s, item.paths, root);
            if (!check.ok()) {
                throw new IOException(item.source + ": " + check.differingCount() + " entries differ from snapshot "
                        + s.shortId() + ": " + String.join("; ", check.differing()));
            }
            said.add(item.source + ": " + check.files() + " files, " + check.bytes() + " bytes equal to snapshot "
                    + s.shortId());
        }
        for (Recovery.Item item : items(r, Recovery.Item.DATABASE)) {
            said.add(compareTables(item));
        }
        return said.isEmpty() ? skipped("nothing restored to compare") : done(String.join("; ", said));
    }

    /** A restored database against the fingerprint of its backup: exactly equal when restored to the fingerprint's point. */
    private String compareTables(Recovery.Item item) throws IOException {
        long rows = item.tables.values().stream().mapToLong(t -> ((Number) t.get("rows")).longValue()).sum();
        Catalog.Fingerprint f = fingerprint(item);
        if (f == null) {
            return item.source + ": " + item.tables.size() + " tables, " + rows + " rows; no fingerprint recorded"
                    + " with its backup to compare with";
        }
        Map<String, Map<String, Object>> recorded = Recoveries.JSON.readValue(f.tables(),
                Recoveries.JSON.getTypeFactory().constructMapType(LinkedHashMap.class, Recoveries.JSON.getTypeFactory()
                        .constructType(String.class), Recoveries.JSON.getTypeFactory().constructMapType(Map.class,
                                String.class, Object.class)));
        List<String> differing = new ArrayList<>();
        for (Map.Entry<String, Map<String, Object>> t : recorded.entrySet()) {
            Map<String, Object> now = item.tables.get(t.getKey());
            if (now == null) {
                differing.add(t.getKey() + " missing");
            } else if (!String.valueOf(now.get("rows")).equals(String.valueOf(t.getValue().get("rows")))
                    || !Objects.equals(String.valueOf(now.get("checksum")), String.valueOf(t.getValue().get("checksum")))) {
                differing.add(t.getKey() + " (" + now.get("rows") + " rows, backed up with " + t.getValue().get("rows")
                        + ")");
            }
        }
        item.tables.keySet().stream().filter(t -> !recorded.containsKey(t)).forEach(t -> differing.add(t + " new"));
        boolean exact = "lsn".equals(item.stopKind) && f.lsn().equals(item.stopValue);
        if (differing.isEmpty()) {
            return item.source + ": " + item.tables.size() + " tables, " + rows + " rows, rows and checksums equal to"
                    + " the backup's fingerprint";
        }
        if (exact) {
            throw new IOException(item.source + ": restored to the point of the backup's fingerprint, yet "
                    + differing.size() + " tables differ: " + String.join(", ", differing.subList(0,
                    Math.min(10, differing.size()))));
        }
        return item.source + ": " + item.tables.size() + " tables, " + rows + " rows; " + differing.size() + " tables"
                + " changed after the backup's fingerprint, as the WAL replayed after it brings: "
                + String.join(", ", differing.subList(0, Math.min(10, differing.size())));
    }

    private Outcome validatePerformance(Recovery r) throws Exception {
        List<String> said = new ArrayList<>();
        for (Recovery.Item item : items(r, Recovery.Item.DATABASE)) {
            Catalog.Fingerprint f = fingerprint(item);
            Map<String, Object> baselines = f == null ? Map.of() : Recoveries.JSON.readValue(f.baselines(),
                    Recoveries.JSON.getTypeFactory().constructMapType(Map.class, String.class, Object.class));
            for (LifeboatConfig.PerformanceCheck check : config.get().recovery().performance()) {
                if (!check.database().equals(item.source) || item.timings == null) {
                    continue;
                }
                Double took = item.timings.get(check.name());
                Object baseline = baselines.get(check.name());
                if (took == null) {
                    continue;
                }
                if (baseline == null) {
                    said.add(check.name() + " " + took + " ms (no baseline recorded with the backup)");
                    continue;
                }
                double base = ((Number) baseline).doubleValue();
                double factor = check.factor() == null ? 3 : check.factor();
                if (took > base * factor + PERFORMANCE_SLACK_MS) {
                    throw new IOException("performance check " + check.name() + " took " + took + " ms on the restored "
                            + item.source + ", " + base + " ms at backup; the limit is " + factor + " times");
                }
                said.add(check.name() + " " + took + " ms (" + base + " ms at backup)");
            }
        }
        return said.isEmpty() ? skipped("no performance check applies (recovery.performance)")
                : done(String.join("; ", said));
    }

    private Catalog.Fingerprint fingerprint(Recovery.Item item) {
        return item.fingerprint == null ? null : catalog.fingerprints(item.source).stream()
                .filter(f -> f.runId().equals(item.fingerprint)).findFirst().orElse(null);
    }

    /**
     * Moves what is at a live place aside before a restored copy takes it, under a name that says
     * which recovery kept it; null when nothing is there.
     */
    private static String moveAside(Path live, Recovery r) throws IOException {
        if (!Files.exists(live, LinkOption.NOFOLLOW_LINKS)) {
            return null;
        }
        String base = live.getFileName() + ".before-recovery-" + r.id.substring(0, 8);
        Path aside = live.resolveSibling(base);
        for (int n = 2; Files.exists(aside, LinkOption.NOFOLLOW_LINKS); n++) {
            aside = live.resolveSibling(base + "-" + n);
        }
        Files.move(live, aside);
        return aside.toString();
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
        return parts.isEmpty() ? "nothing of this kind" : String.join("; ", parts);
    }

    private static List<Recovery.Item> items(Recovery r, String kind) {
        return r.items.stream().filter(i -> kind.equals(i.kind)).toList();
    }

    private static long bytes(Recovery r, String kind) {
        return r.items.stream().filter(i -> kind == null || kind.equals(i.kind)).mapToLong(i -> i.bytes).sum();
    }

    private List<TableFingerprint.TimedQuery> queries(String database) {
        return config.get().recovery().performance().stream().filter(p -> p.database().equals(database))
                .map(p -> new TableFingerprint.TimedQuery(p.name(), p.dbname(), p.query())).toList();
    }

    private LifeboatConfig.Database database(String name) {
        return config.get().databases().stream().filter(d -> d.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalStateException("database " + name + " is no longer in lifeboat.yaml"));
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

    private static Outcome done(String detail) {
        return new Outcome(Recovery.Step.DONE, detail);
    }

    private static Outcome skipped(String reason) {
        return new Outcome(Recovery.Step.SKIPPED, reason);
    }
}
