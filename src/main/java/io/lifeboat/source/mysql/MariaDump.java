package io.lifeboat.source.mysql;

import io.lifeboat.compress.Compression;
import io.lifeboat.repository.Repository;
import io.lifeboat.repository.RepositoryException;
import io.lifeboat.repository.RepositoryLock;
import io.lifeboat.repository.Snapshot;
import io.lifeboat.source.DatabaseBackups;
import io.lifeboat.source.ProcessOutput;
import io.lifeboat.source.ToolStream;
import io.lifeboat.source.files.StreamSnapshot;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Logical backups with mariadb-dump (mysqldump on MySQL): --single-transaction reads InnoDB tables
 * at one consistent moment without locking them, and with binary logging on, --master-data=2
 * writes the binlog position of that moment at the top of the dump, from where replay continues.
 * Either every database of the server (a logical full, for a server Lifeboat does not run beside;
 * accounts and grants are the server's own and not in it) or one database (for table-level
 * restore). The SQL is stored as written, uncompressed, so chunking finds what did not change.
 */
public final class MariaDump {
    /** Schemas of the server itself: not the platform's data, and a fresh server makes its own. */
    static final Set<String> SYSTEM = Set.of("mysql", "information_schema", "performance_schema", "sys");
    private static final Pattern POSITION = Pattern.compile(
            "CHANGE MASTER TO MASTER_LOG_FILE='([^']+)', MASTER_LOG_POS=(\\d+)");
    private static final Pattern GTID = Pattern.compile("gtid_slave_pos='([0-9,-]*)'");

    private MariaDump() {
    }

    /** A logical full backup: every database but the server's own schemas. */
    public static Snapshot all(Repository repository, MySqlSource source, Compression.Setting compression)
            throws IOException, InterruptedException {
        List<String> databases = new ArrayList<>();
        for (List<String> row : source.query("SHOW DATABASES")) {
            if (!SYSTEM.contains(row.get(0))) {
                // each name becomes an argument of mariadb-dump: one that could pass for an option is refused
                databases.add(SqlNames.check(row.get(0), "database"));
            }
        }
        if (databases.isEmpty()) {
            throw new IOException(source.name() + " has no database of its own to back up");
        }
        List<String> args = new ArrayList<>(options(source));
        args.add("--databases");
        args.addAll(databases);
        List<String> tags = new ArrayList<>(List.of("db:" + source.name(), DatabaseBackups.MYSQL_LOGICAL));
        databases.forEach(d -> tags.add("database:" + d));
        return ToolStream.snapshot(repository, source.tool("mariadb-dump", args), source.name(),
                "/mysql/" + source.name() + "/all.sql", tags, compression, (head, tail) -> positionTags(head));
    }

    /** A logical dump of one database, for table-level restore. */
    public static Snapshot one(Repository repository, MySqlSource source, String database,
                               Compression.Setting compression) throws IOException, InterruptedException {
        List<String> args = new ArrayList<>(options(source));
        args.add(SqlNames.check(database, "database"));
        return ToolStream.snapshot(repository, source.tool("mariadb-dump", args), source.name() + "/" + database,
                "/mysql/" + source.name() + "/" + database + ".sql",
                List.of("db:" + source.name(), DatabaseBackups.MYSQL_DUMP, "database:" + database), compression,
                (head, tail) -> positionTags(head));
    }

    private static List<String> options(MySqlSource source) throws IOException, InterruptedException {
        List<String> args = new ArrayList<>(List.of("--single-transaction", "--routines", "--events", "--triggers",
                "--hex-blob", "--default-character-set=utf8mb4"));
        if ("1".equals(source.single("SELECT @@log_bin"))) {
            args.addAll(List.of("--master-data=2", "--gtid"));
        }
        return args;
    }

    /** The binlog position --master-data wrote at the top of the dump, as tags (none without binary logging). */
    static List<String> positionTags(String head) {
        List<String> tags = new ArrayList<>();
        Matcher p = POSITION.matcher(head);
        if (p.find()) {
            tags.add(Binlogs.TAG_POSITION + p.group(1) + ":" + p.group(2));
        }
        Matcher g = GTID.matcher(head);
        if (g.find() && !g.group(1).isEmpty()) {
            tags.add(Binlogs.TAG_GTID + g.group(1));
        }
        return tags;
    }

    /**
     * Restores the named tables of `database` from a dump into the database `into` on that server
     * (made when missing). A table that exists there already is refused before anything is written:
     * the dump would drop it.
     */
    public static void restoreTables(Repository repository, Snapshot dump, MySqlSource server, String database,
                                     String into, List<String> tables) throws IOException, InterruptedException {
        SqlNames.check(into, "database");
        tables.forEach(t -> SqlNames.check(t, "table"));
        // the dump is read twice: first to find the tables, so that a missing one writes nothing
        try (RepositoryLock lock = repository.sharedLock("restore"); InputStream in = StreamSnapshot.open(repository, dump)) {
            Set<String> held = DumpSections.copyTables(in, OutputStream.nullOutputStream(), database, Set.copyOf(tables));
            List<String> missing = tables.stream().filter(t -> !held.contains(t)).toList();
            if (!missing.isEmpty()) {
                throw new RepositoryException("dump " + dump.shortId() + " holds no table " + String.join(", ", missing)
                        + " of " + database);
            }
        }
        server.query("CREATE DATABASE IF NOT EXISTS " + SqlNames.quote(into));
        for (String t : tables) {
            if (server.single("SELECT 1 FROM information_schema.TABLES WHERE TABLE_SCHEMA = " + SqlNames.literal(into)
                    + " AND TABLE_NAME = " + SqlNames.literal(t)) != null) {
                throw new IllegalArgumentException("table " + t + " exists in " + into + ": restore into another "
                        + "database, or rename or drop it first");
            }
        }
        Process client = server.tool("mariadb", List.of("--binary-mode", "--database=" + into))
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        ProcessOutput errors = new ProcessOutput(client.getErrorStream(), "mariadb");
        try (RepositoryLock lock = repository.sharedLock("restore");
             InputStream in = StreamSnapshot.open(repository, dump); OutputStream out = client.getOutputStream()) {
            DumpSections.copyTables(in, out, database, Set.copyOf(tables));
        } catch (IOException e) {
            int exit = client.waitFor();
            throw new IOException("restoring into " + into + " failed (" + e.getMessage() + "; mariadb: "
                    + ProcessOutput.exit(exit) + "): " + errors.tail());
        }
        int exit = client.waitFor();
        if (exit != 0) {
            throw new IOException("restoring into " + into + " failed (" + ProcessOutput.exit(exit) + "): "
                    + errors.tail());
        }
    }
}
