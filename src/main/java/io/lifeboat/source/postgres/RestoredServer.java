package io.lifeboat.source.postgres;

import io.lifeboat.source.DirectoryTrees;
import io.lifeboat.source.Tool;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A restored data directory started privately for validation: no TCP listener, a socket in a
 * directory only its owner (and root) can enter, trust authentication through an hba file of its
 * own, archiving off (a restored copy must never push WAL into its source's archive). The data
 * directory's own configuration files are not changed. PostgreSQL refuses to run as root, so when
 * Lifeboat runs as root the server runs as another user (postgres by default), who is given the
 * data directory.
 */
final class RestoredServer implements AutoCloseable {
    /** psql's exit status when it could not connect (the server is starting, or not yet accepting connections). */
    private static final int PSQL_CONNECTION_FAILED = 2;
    private static final Pattern NOT_READY = Pattern.compile(
            "starting up|not yet accepting connections|not accepting connections|No such file or directory"
                    + "|Connection refused");
    private static final Duration TOOL_TIMEOUT = Duration.ofMinutes(15);
    private final Path dataDir;
    private final String osUser;
    private final Path runDir;
    private final int port;
    private final String superuser;

    private RestoredServer(Path dataDir, String osUser, Path runDir, int port, String superuser) {
        this.dataDir = dataDir;
        this.osUser = osUser;
        this.runDir = runDir;
        this.port = port;
        this.superuser = superuser;
    }

    /** Starts the server and waits until recovery has ended and it was promoted. */
    static RestoredServer start(Path dataDir, String osUser, String superuser, Duration recoveryTimeout)
            throws IOException, InterruptedException {
        Path runDir = Files.createTempDirectory("lifeboat-pg", PosixFilePermissions.asFileAttribute(
                PosixFilePermissions.fromString("rwx------")));
        Files.writeString(runDir.resolve("pg_hba.conf"), "local all all trust\n");
        Files.writeString(runDir.resolve("pg_ident.conf"), "");
        if (!Files.exists(dataDir.resolve("postgresql.conf"))) {
            // Debian keeps the configuration outside the data directory; the defaults do for a check
            Files.writeString(dataDir.resolve("postgresql.conf"), "# written by lifeboat db restore\n");
        }
        if (osUser != null) {
            run(List.of("chown", "-R", osUser, dataDir.toString(), runDir.toString()), null);
        }
        RestoredServer server = new RestoredServer(dataDir, osUser, runDir, freePort(), superuser);
        try {
            server.pgCtl("-w", "-t", String.valueOf(recoveryTimeout.toSeconds()), "-l", runDir.resolve("server.log").toString(), "-o",
                    "-c port=" + server.port + " -c listen_addresses='' -c unix_socket_directories='" + runDir
                            + "' -c hba_file='" + runDir.resolve("pg_hba.conf") + "' -c ident_file='"
                            + runDir.resolve("pg_ident.conf") + "' -c archive_mode=off", "start");
            server.awaitPromotion(recoveryTimeout);
        } catch (IOException | RuntimeException e) {
            String log = server.log();
            server.close();
            throw new IOException(e.getMessage() + (log.isEmpty() ? "" : "\nserver log (end):\n" + log), e);
        } catch (InterruptedException e) {
            server.close();
            throw e;
        }
        return server;
    }

    /**
     * Waits while the server answers that it is in recovery, or cannot take connections yet. Any
     * other answer or failure cannot end by waiting, so it ends the wait at once with its reason.
     */
    private void awaitPromotion(Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            if (!Files.exists(dataDir.resolve("postmaster.pid"))) {
                throw new IOException("the restored server stopped during recovery");
            }
            Tool.Result inRecovery = query("postgres", "SELECT pg_is_in_recovery()");
            String answer = inRecovery.out().strip();
            if (inRecovery.ok() && "f".equals(answer)) {
                return;
            }
            if (inRecovery.ok() && !"t".equals(answer)) {
                throw new IOException("asked whether recovery has ended, the restored server answered '" + answer + "'");
            }
            if (!inRecovery.ok() && !notReadyYet(inRecovery)) {
                throw new IOException("asking whether recovery has ended: " + inRecovery.failure());
            }
            if (System.nanoTime() > deadline) {
                throw new IOException("recovery did not end within " + timeout.toMinutes() + " minutes"
                        + (inRecovery.ok() ? "" : "; last: " + inRecovery.failure()));
            }
            Thread.sleep(300);
        }
    }

    /**
     * psql could not connect because the server is still starting (no socket yet, "starting up",
     * "not yet accepting connections"); a refused role or password will not pass by waiting.
     */
    private static boolean notReadyYet(Tool.Result psql) {
        return psql.exit() == PSQL_CONNECTION_FAILED && NOT_READY.matcher(psql.err()).find();
    }

    /** One query's rows, fields separated by tabs. */
    String psql(String database, String sql) throws IOException, InterruptedException {
        return query(database, sql).orThrow().out();
    }

    private Tool.Result query(String database, String sql) throws IOException, InterruptedException {
        return Tool.run("psql", Tool.of(List.of(PgTools.bin("psql").toString(), "-X", "-A", "-t", "-F", "\t", "-v",
                "ON_ERROR_STOP=1", "-h", runDir.toString(), "-p", String.valueOf(port), "-U", superuser, "-d", database,
                "-c", sql)), PgTools.SCAN_TIMEOUT);
    }

    /** pg_amcheck over every database: its exit status, and its report (empty when nothing is wrong). */
    Tool.Result amcheck() throws IOException, InterruptedException {
        return Tool.run("pg_amcheck", Tool.of(List.of(PgTools.bin("pg_amcheck").toString(), "-h", runDir.toString(),
                "-p", String.valueOf(port), "-U", superuser, "--all", "--install-missing")), PgTools.SCAN_TIMEOUT);
    }

    String log() {
        try {
            Path log = runDir.resolve("server.log");
            if (!Files.exists(log)) {
                return "";
            }
            String text = Files.readString(log);
            return text.substring(Math.max(0, text.length() - 2000)).strip();
        } catch (IOException e) {
            return "";
        }
    }

    private void pgCtl(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(PgTools.bin("pg_ctl").toString(), "-D", dataDir.toString()));
        cmd.addAll(List.of(args));
        run(cmd, osUser);
    }

    @Override
    public void close() throws IOException, InterruptedException {
        try {
            if (Files.exists(dataDir.resolve("postmaster.pid"))) {
                pgCtl("-m", "fast", "-w", "-t", "120", "stop");
            }
        } finally {
            DirectoryTrees.delete(runDir);
        }
    }

    /** Runs a program (as osUser when given); IOException with its reason when it fails. */
    static void run(List<String> command, String osUser) throws IOException, InterruptedException {
        runAs(command, osUser).orThrow();
    }

    /** Runs a program (as osUser when given) and answers how it ended. */
    static Tool.Result runAs(List<String> command, String osUser) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        if (osUser != null) {
            cmd.addAll(List.of("runuser", "-u", osUser, "--"));
        }
        cmd.addAll(command);
        return Tool.run(Path.of(command.get(0)).getFileName().toString(), Tool.of(cmd), TOOL_TIMEOUT);
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
