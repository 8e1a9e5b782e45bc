package io.lifeboat.source.postgres;

import io.lifeboat.TestSupport;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A PostgreSQL cluster of a test's own, from the installed server binaries, run as the postgres
 * user (the server refuses root) on a free port, stopped by close().
 */
public final class ThrowawayCluster implements AutoCloseable {
    public final Path dataDir;
    public final int port;
    private final Path log;

    private ThrowawayCluster(Path dataDir, int port) {
        this.dataDir = dataDir;
        this.port = port;
        this.log = dataDir.resolveSibling(dataDir.getFileName() + ".log");
    }

    /** initdb into dataDir (whose parent the postgres user owns) with the given extra settings. */
    public static ThrowawayCluster create(Path dataDir, String settings) throws Exception {
        ThrowawayCluster c = new ThrowawayCluster(dataDir, TestSupport.freePort());
        asPostgres(PgTools.bin("initdb").toString(), "-D", dataDir.toString(), "-A", "trust", "-U", "postgres");
        c.configure(settings);
        return c;
    }

    /**
     * A started cluster in work/pg/data (work/pg handed to the postgres user), archiving nothing,
     * with WAL a receiver can stream, as the service's database in the recovery tests.
     */
    public static ThrowawayCluster startedIn(Path work) throws Exception {
        Files.createDirectories(work.resolve("pg"));
        Process chown = new ProcessBuilder("chown", "postgres", work.resolve("pg").toString()).inheritIO().start();
        if (chown.waitFor() != 0) {
            throw new IllegalStateException("chown postgres " + work.resolve("pg") + " failed");
        }
        ThrowawayCluster c = create(work.resolve("pg/data"), "wal_level = replica\n");
        c.start();
        return c;
    }

    /** A cluster on a data directory that already exists (a restored one). */
    static ThrowawayCluster existing(Path dataDir) throws IOException {
        return new ThrowawayCluster(dataDir, TestSupport.freePort());
    }

    /** Appends settings; the port and socket directory are always this cluster's own. */
    void configure(String settings) throws IOException {
        Files.writeString(dataDir.resolve("postgresql.auto.conf"), "\nport = " + port
                + "\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '" + dataDir.getParent() + "'\n"
                + settings + "\n", java.nio.file.StandardOpenOption.APPEND, java.nio.file.StandardOpenOption.CREATE);
    }

    /**
     * This cluster as lifeboat.yaml's database beCamera, its WAL received by the service, spooled
     * and backed up below work, for a test's `databases:` list.
     */
    public String streamedDatabase(Path work) {
        return String.join("\n", "  - name: beCamera", "    type: postgresql", "    host: 127.0.0.1",
                "    port: " + port, "    user: postgres", "    wal: receive", "    spool: " + work.resolve("spool"),
                "    dataDirectory: " + dataDir, "    full: { schedule: \"0 0 3 1 1 ?\", retention: 30d }",
                "    incremental: { schedule: \"0 0 3 1 1 ?\", retention: 7d }",
                "    log: { schedule: \"0 0 3 1 1 ?\", retention: 24h }");
    }

    public void start() throws Exception {
        try {
            asPostgres(PgTools.bin("pg_ctl").toString(), "-D", dataDir.toString(), "-l", log.toString(), "-w", "-t",
                    "120", "start");
        } catch (IllegalStateException e) {
            String l = log();
            throw new IllegalStateException(e.getMessage() + "\nserver log:\n" + l.substring(Math.max(0, l.length() - 2000)));
        }
    }

    /** Stops the server cleanly and starts it again, for settings it reads only when it starts. */
    void restart() throws Exception {
        asPostgres(PgTools.bin("pg_ctl").toString(), "-D", dataDir.toString(), "-l", log.toString(), "-m", "fast", "-w",
                "-t", "120", "restart");
    }

    public Connection connect() throws SQLException {
        return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/postgres", "postgres", null);
    }

    public String log() throws IOException {
        return Files.exists(log) ? Files.readString(log) : "";
    }

    @Override
    public void close() throws Exception {
        if (Files.exists(dataDir.resolve("postmaster.pid"))) {
            asPostgres(PgTools.bin("pg_ctl").toString(), "-D", dataDir.toString(), "-m", "immediate", "-w", "stop");
        }
    }

    /** A PostgreSQL program as the postgres user, started where that user may enter. */
    public static String asPostgres(String... command) throws Exception {
        return asPostgresIn(Path.of("/"), command);
    }

    /**
     * A lifeboat command as the postgres user, started in a directory that user may not enter (as
     * from a checkout in a private home): what Lifeboat does must not depend on where it started.
     */
    static String lifeboatAsPostgres(String... command) throws Exception {
        return asPostgresIn(PrivateDirectory.PATH, command);
    }

    static Path privateDirectory() {
        return PrivateDirectory.PATH;
    }

    private static final class PrivateDirectory {
        static final Path PATH;

        static {
            try {
                PATH = Files.createTempDirectory("lifeboat-private", java.nio.file.attribute.PosixFilePermissions
                        .asFileAttribute(java.nio.file.attribute.PosixFilePermissions.fromString("rwx------")));
                PATH.toFile().deleteOnExit();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
    }

    private static String asPostgresIn(Path directory, String... command) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("runuser", "-u", "postgres", "--"));
        cmd.addAll(List.of(command));
        Process p = new ProcessBuilder(cmd).directory(directory.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(300, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed: " + out);
        }
        return out;
    }
}
