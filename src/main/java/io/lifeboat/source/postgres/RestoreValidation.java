package io.lifeboat.source.postgres;

import io.lifeboat.source.Tool;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Proves a restored cluster usable: it starts and finishes recovery, pg_amcheck finds no
 * corruption in any table or B-tree index, and every table's rows are counted and checksummed
 * (recorded, so that drills can be compared with the backup and with each other); the chosen
 * performance queries are timed on it.
 */
public final class RestoreValidation {
    /**
     * The outcome; tables maps "database.schema.table" to its rows and checksum; lastReplayed is the
     * commit time of the last transaction recovery replayed (null when it replayed none).
     */
    public record Result(boolean passed, String amcheckReport, Map<String, TableFingerprint.Table> tables,
                         long totalRows, Instant lastReplayed, Map<String, Double> timings) {
        public Map<String, Long> rowCounts() {
            Map<String, Long> counts = new LinkedHashMap<>();
            tables.forEach((name, t) -> counts.put(name, t.rows()));
            return counts;
        }
    }

    /** PostgreSQL's text form of a timestamp with zone, as psql prints it (2026-11-30 10:00:00.123456+00). */
    private static final DateTimeFormatter PG_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss[.SSSSSS][.SSSSS]"
            + "[.SSSS][.SSS][.SS][.S]x");

    private RestoreValidation() {
    }

    public static Result run(Path dataDir, String osUser, String superuser, Duration recoveryTimeout)
            throws IOException, InterruptedException {
        return run(dataDir, osUser, superuser, recoveryTimeout, List.of(), () -> { });
    }

    /**
     * Starts the restored data directory privately (as osUser when not null), waits for the end of
     * recovery, closes whatever served it WAL (recovered), checks it, times the queries and stops
     * it again.
     */
    public static Result run(Path dataDir, String osUser, String superuser, Duration recoveryTimeout,
                             List<TableFingerprint.TimedQuery> queries, Closeable recovered)
            throws IOException, InterruptedException {
        RestoredServer started = null;
        try (recovered) {
            started = RestoredServer.start(dataDir, osUser, superuser, recoveryTimeout);
        } catch (IOException | RuntimeException e) {
            if (started != null) {
                started.close(); // it recovered, but what served its WAL failed: the result cannot be trusted
            }
            throw e;
        }
        try (RestoredServer server = started) {
            List<String> databases = new ArrayList<>();
            for (String line : server.psql("postgres", TableFingerprint.DATABASES).split("\n")) {
                if (!line.isBlank()) {
                    databases.add(line.strip());
                }
            }
            List<String> withoutAmcheck = new ArrayList<>();
            for (String db : databases) {
                if (server.psql(db, "SELECT 1 FROM pg_extension WHERE extname = 'amcheck'").isBlank()) {
                    withoutAmcheck.add(db);
                }
            }
            Tool.Result amcheck = server.amcheck();
            for (String db : withoutAmcheck) {
                // pg_amcheck --install-missing added the extension; the restored data stays as it was
                server.psql(db, "DROP EXTENSION IF EXISTS amcheck");
            }
            Map<String, TableFingerprint.Table> tables = TableFingerprint.tables(server::psql);
            long total = tables.values().stream().mapToLong(TableFingerprint.Table::rows).sum();
            String replayed = server.psql("postgres", "SELECT pg_last_xact_replay_timestamp()").strip();
            Instant lastReplayed = replayed.isEmpty() ? null : OffsetDateTime.parse(replayed, PG_TIME).toInstant();
            return new Result(amcheck.ok(), (amcheck.out() + "\n" + amcheck.err()).strip(), tables, total, lastReplayed,
                    TableFingerprint.timings(server::psql, queries));
        }
    }
}
