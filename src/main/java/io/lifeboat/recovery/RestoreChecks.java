package io.lifeboat.recovery;

import static io.lifeboat.recovery.Outcome.done;
import static io.lifeboat.recovery.Outcome.skipped;

import com.fasterxml.jackson.core.type.TypeReference;
import io.lifeboat.catalog.Catalog;
import io.lifeboat.config.Durations;
import io.lifeboat.config.LifeboatConfig;
import io.lifeboat.repository.Repository;
import io.lifeboat.repository.Snapshot;
import io.lifeboat.source.files.RestoredTreeCheck;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * What proves a restore: the services answer on their health addresses, the files are the
 * snapshot's (re-read and hashed), the tables are the backup's (against its fingerprint), and the
 * performance queries are as fast as at backup.
 */
final class RestoreChecks {
    /** A query this much slower than its baseline is still noise, not a slow restore. */
    private static final double PERFORMANCE_SLACK_MS = 50;
    private static final TypeReference<Map<String, Map<String, Object>>> TABLES = new TypeReference<>() { };
    private static final TypeReference<Map<String, Object>> BASELINES = new TypeReference<>() { };
    private final Supplier<LifeboatConfig> config;
    private final RecoverySteps.RepositoryOpener repository;
    private final Catalog catalog;

    RestoreChecks(Supplier<LifeboatConfig> config, RecoverySteps.RepositoryOpener repository, Catalog catalog) {
        this.config = config;
        this.repository = repository;
        this.catalog = catalog;
    }

    /** Every restored file below root re-read and hashed against the snapshot; IOException naming what differs. */
    static String files(Repository repo, Snapshot s, Recovery.Item item, Path root) throws IOException {
        RestoredTreeCheck.Result check = RestoredTreeCheck.run(repo, s, item.paths, root);
        if (!check.ok()) {
            throw new IOException(item.source + ": " + check.differingCount() + " entries differ from snapshot "
                    + s.shortId() + ": " + String.join("; ", check.differing()));
        }
        return item.source + ": " + check.files() + " files, " + check.bytes() + " bytes equal to snapshot "
                + s.shortId();
    }

    Outcome health(Recovery r) throws Exception {
        if (r.sandboxed()) {
            return skipped("restoring into a sandbox: no live service to probe");
        }
        List<LifeboatConfig.Service> probed = config.get().recovery().services().stream().filter(s -> s.health() != null).toList();
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

    Outcome data(Recovery r) throws Exception {
        Repository repo = repository.open(r.readFrom);
        List<String> said = new ArrayList<>();
        for (Recovery.Item item : RecoverySteps.items(r, Recovery.Item.FILES)) {
            // in place, the copy was checked before it took the live place, where services now write
            said.add(item.inPlace() && item.filesCheck != null ? item.filesCheck + " (checked before it took the live"
                    + " place)" : files(repo, repo.snapshot(item.snapshot), item, Path.of(item.restoreTo)));
        }
        for (Recovery.Item item : RecoverySteps.items(r, Recovery.Item.DATABASE)) {
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
        Map<String, Map<String, Object>> recorded = Recoveries.JSON.readValue(f.tables(), TABLES);
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

    Outcome performance(Recovery r) throws Exception {
        List<String> said = new ArrayList<>();
        for (Recovery.Item item : RecoverySteps.items(r, Recovery.Item.DATABASE)) {
            Catalog.Fingerprint f = fingerprint(item);
            Map<String, Object> baselines = f == null ? Map.of() : Recoveries.JSON.readValue(f.baselines(), BASELINES);
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
}
