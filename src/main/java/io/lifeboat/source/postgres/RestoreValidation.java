package io.lifeboat.source.postgres;

import io.lifeboat.source.Tool;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Proves a restored cluster usable: it starts and finishes recovery, pg_amcheck finds no
 * corruption in any table or B-tree index, and every table's rows are counted (recorded, so that
 * drills can be compared with the source and with each other).
 */
public final class RestoreValidation {
    /** The outcome; rowCounts maps "database.schema.table" to its row count. */
    public record Result(boolean passed, String amcheckReport, Map<String, Long> rowCounts, long totalRows) {
    }

    /** Counts the rows of every plain table of one database in one query. */
    private static final String COUNT_ROWS = "SELECT format('%I.%I', n.nspname, c.relname), "
            + "(xpath('/row/c/text()', query_to_xml(format('SELECT count(*) AS c FROM %I.%I', n.nspname, c.relname), "
            + "false, true, '')))[1]::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            + "WHERE c.relkind = 'r' AND n.nspname NOT IN ('pg_catalog', 'information_schema') "
            + "AND n.nspname NOT LIKE 'pg_toast%' ORDER BY 1";

    private RestoreValidation() {
    }

    /**
     * Starts the restored data directory privately (as osUser when not null), waits for the end of
     * recovery, checks it and stops it again.
     */
    public static Result run(Path dataDir, String osUser, String superuser, Duration recoveryTimeout)
            throws IOException, InterruptedException {
        try (RestoredServer server = RestoredServer.start(dataDir, osUser, superuser, recoveryTimeout)) {
            List<String> databases = new ArrayList<>();
            for (String line : server.psql("postgres",
                    "SELECT datname FROM pg_database WHERE datallowconn AND datname <> 'template1' ORDER BY 1")
                    .split("\n")) {
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
            Map<String, Long> counts = new LinkedHashMap<>();
            long total = 0;
            for (String db : databases) {
                if (withoutAmcheck.contains(db)) {
                    // pg_amcheck --install-missing added the extension; the restored data stays as it was
                    server.psql(db, "DROP EXTENSION IF EXISTS amcheck");
                }
                for (String line : server.psql(db, COUNT_ROWS).split("\n")) {
                    if (!line.isBlank()) {
                        String[] f = line.split("\t");
                        long n = Long.parseLong(f[1].strip());
                        counts.put(db + "." + f[0], n);
                        total += n;
                    }
                }
            }
            return new Result(amcheck.ok(), (amcheck.out() + "\n" + amcheck.err()).strip(), counts, total);
        }
    }
}
