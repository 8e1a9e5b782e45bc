package io.lifeboat.source.postgres;

import io.lifeboat.config.LifeboatConfig;
import io.lifeboat.source.Tool;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a cluster's tables hold, in a form two copies can be compared by: per table its rows and a
 * checksum (the sum of a hash of every row's text, so row order does not matter), and the time of
 * chosen queries. Taken from the live server with each database backup and from a restored copy.
 */
public final class TableFingerprint {
    /** One table: its rows and the checksum of their contents. */
    public record Table(long rows, String checksum) {
    }

    /** A query timed against the baseline: name, database and SQL. */
    public record TimedQuery(String name, String database, String sql) {
    }

    /** Runs one statement in one database; answers its rows, fields separated by tabs. */
    @FunctionalInterface
    interface Sql {
        String run(String database, String statement) throws IOException, InterruptedException;
    }

    private static final Pattern EXECUTION_TIME = Pattern.compile("\"Execution Time\": ([0-9.]+)");

    /** Rows and checksum of every plain table of one database, in one statement. */
    private static final String TABLES = "SELECT format('%I.%I', n.nspname, c.relname),"
            + " (xpath('/row/c/text()', x))[1]::text, (xpath('/row/s/text()', x))[1]::text"
            + " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace,"
            + " LATERAL query_to_xml(format('SELECT count(*) AS c, coalesce(sum(hashtext(t::text)::numeric), 0) AS s"
            + " FROM %I.%I t', n.nspname, c.relname), false, true, '') x"
            // permanent tables only: other sessions' temporary tables cannot be read, unlogged ones come back empty
            + " WHERE c.relkind = 'r' AND c.relpersistence = 'p' AND n.nspname NOT IN ('pg_catalog', 'information_schema')"
            + " AND n.nspname !~ '^pg_(toast|temp)' ORDER BY 1";
    static final String DATABASES = "SELECT datname FROM pg_database WHERE datallowconn AND datname <> 'template1'"
            + " ORDER BY 1";

    private TableFingerprint() {
    }

    /** The performance checks of lifeboat.yaml that run on one database, as queries to time. */
    public static List<TimedQuery> queriesFor(List<LifeboatConfig.PerformanceCheck> checks, String database) {
        return checks.stream().filter(p -> p.database().equals(database))
                .map(p -> new TimedQuery(p.name(), p.dbname(), p.query())).toList();
    }

    /** Tables as the catalog and a recovery's state keep them: name to {rows, checksum}. */
    public static Map<String, Map<String, Object>> asJson(Map<String, Table> tables) {
        Map<String, Map<String, Object>> out = new LinkedHashMap<>();
        tables.forEach((name, t) -> out.put(name, Map.of("rows", t.rows(), "checksum", t.checksum())));
        return out;
    }

    /** Every table of every database the server lets one connect to, as "database.schema.table". */
    static Map<String, Table> tables(Sql sql) throws IOException, InterruptedException {
        Map<String, Table> out = new LinkedHashMap<>();
        for (String db : lines(sql.run("postgres", DATABASES))) {
            for (String line : lines(sql.run(db, TABLES))) {
                String[] f = line.split("\t");
                out.put(db + "." + f[0], new Table(Long.parseLong(f[1].strip()), f[2].strip()));
            }
        }
        return out;
    }

    /**
     * How long each query took, in milliseconds, as the server measured its execution (EXPLAIN
     * ANALYZE: the rows are not sent, so the network and the client do not count). The queries must
     * be reads: EXPLAIN ANALYZE runs what it explains.
     */
    static Map<String, Double> timings(Sql sql, List<TimedQuery> queries) throws IOException, InterruptedException {
        Map<String, Double> out = new LinkedHashMap<>();
        for (TimedQuery q : queries) {
            Matcher m = EXECUTION_TIME.matcher(sql.run(q.database(), "EXPLAIN (ANALYZE, TIMING OFF, FORMAT JSON) "
                    + q.sql()));
            if (!m.find()) {
                throw new IOException("performance query " + q.name() + " gave no execution time");
            }
            out.put(q.name(), Double.parseDouble(m.group(1)));
        }
        return out;
    }

    /** A fingerprint of the live server, where it stands at lsn; exact when no WAL was written meanwhile. */
    public record Live(String lsn, boolean exact, Map<String, Table> tables, Map<String, Double> baselines) {
    }

    /**
     * Fingerprints the live server of a source: the WAL position before and after (the same when
     * the database was quiet: a restore to that position must then match exactly), the tables and
     * the timed queries; then ends the WAL segment, so that the position is archived soon.
     */
    public static Live ofLive(PgSource source, List<TimedQuery> queries) throws IOException, InterruptedException {
        Sql sql = (db, statement) -> Tool.run("psql", source.tool("psql", List.of("-X", "-A", "-t", "-F", "\t", "-v",
                "ON_ERROR_STOP=1", "-d", db, "-c", statement)), PgTools.SCAN_TIMEOUT).orThrow().out();
        String before;
        String after;
        Map<String, Table> tables;
        int attempts = 0;
        do { // a write while the tables were read makes it inexact: a few tries find a quiet moment, if there is one
            before = sql.run("postgres", "SELECT pg_current_wal_insert_lsn()").strip();
            tables = tables(sql);
            after = sql.run("postgres", "SELECT pg_current_wal_insert_lsn()").strip();
        } while (!before.equals(after) && ++attempts < 3);
        Map<String, Double> baselines = timings(sql, queries);
        // a role without the right to switch leaves it to archive_timeout
        sql.run("postgres", "SELECT CASE WHEN has_function_privilege('pg_switch_wal()', 'execute')"
                + " THEN pg_switch_wal() END");
        return new Live(after, before.equals(after), tables, baselines);
    }

    private static List<String> lines(String text) {
        List<String> out = new ArrayList<>();
        for (String line : text.split("\n")) {
            if (!line.isBlank()) {
                out.add(line.strip());
            }
        }
        return out;
    }
}
