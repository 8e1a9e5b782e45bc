package io.lifeboat.source.postgres;

import io.lifeboat.compress.Compression;
import io.lifeboat.repository.Repository;
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

/**
 * Logical backups for table-level recovery: pg_dump's custom format streamed into the repository,
 * and pg_restore of one table or schema from it into a chosen database. The dump is written
 * uncompressed (-Z 0) so that the repository's chunking finds what did not change between dumps
 * and its own compression applies.
 */
public final class PgDump {
    private PgDump() {
    }

    public static Snapshot run(Repository repository, PgSource source, String database, Compression.Setting compression)
            throws IOException, InterruptedException {
        checkName(database, "database");
        return ToolStream.snapshot(repository, source.tool("pg_dump", List.of("-F", "custom", "-Z", "0", "-d", database)),
                source.name() + "/" + database, "/postgresql/" + source.name() + "/" + database + ".dump",
                List.of("db:" + source.name(), DatabaseBackups.POSTGRESQL_DUMP, "database:" + database), compression, (head, tail) -> List.of());
    }

    /**
     * Restores the named tables and schemas (all of the dump when both are empty) from a dump into
     * the database `into` on the source's server; objects are owned by the connecting user.
     */
    public static void restore(Repository repository, Snapshot dump, PgSource server, String into, List<String> tables,
                               List<String> schemas) throws IOException, InterruptedException {
        checkName(into, "database");
        for (String schema : schemas) {
            createSchema(server, into, checkName(schema, "schema"));
        }
        List<String> args = new ArrayList<>(List.of("--no-owner", "--exit-on-error", "-d", into));
        for (String s : schemas) {
            args.addAll(List.of("-n", checkName(s, "schema")));
        }
        for (String t : tables) {
            args.addAll(List.of("-t", checkName(t, "table")));
        }
        Process process = server.tool("pg_restore", args).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        ProcessOutput errors = new ProcessOutput(process.getErrorStream(), "pg_restore");
        try (RepositoryLock lock = repository.sharedLock("restore");
             InputStream in = StreamSnapshot.open(repository, dump); OutputStream out = process.getOutputStream()) {
            in.transferTo(out);
        } catch (IOException e) {
            // pg_restore stops reading once it has what it was asked for, or on an error: its exit status tells
            if (process.waitFor() == 0) {
                return;
            }
        }
        int exit = process.waitFor();
        if (exit != 0) {
            throw new IOException("pg_restore into " + into + " failed (" + ProcessOutput.exit(exit) + "): " + errors.tail());
        }
    }

    /** pg_restore -n restores what is in a schema, not the schema itself. */
    private static void createSchema(PgSource server, String database, String schema)
            throws IOException, InterruptedException {
        Process p = server.tool("psql", List.of("-X", "-q", "-v", "ON_ERROR_STOP=1", "-v", "schema=" + schema, "-d",
                database)).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        ProcessOutput errors = new ProcessOutput(p.getErrorStream(), "psql");
        try (OutputStream in = p.getOutputStream()) {
            // psql quotes the name itself (:"schema"), so any schema name is safe
            in.write("CREATE SCHEMA IF NOT EXISTS :\"schema\";\n".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        int exit = p.waitFor();
        if (exit != 0) {
            throw new IOException("creating schema " + schema + " in " + database + " failed (" + ProcessOutput.exit(exit)
                    + "): " + errors.tail());
        }
    }

    /** Names go to the tools as arguments, never through a shell; still, refuse what cannot be a name. */
    private static String checkName(String name, String what) {
        if (name == null || name.isEmpty() || name.length() > 128 || name.chars().anyMatch(c -> c < 32)
                || name.startsWith("-")) {
            throw new IllegalArgumentException("'" + name + "' is not a " + what + " name");
        }
        return name;
    }
}
