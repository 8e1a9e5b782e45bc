package io.lifeboat.source.postgres;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A restored data directory started privately for validation: no TCP listener, a socket in a
 * directory only its owner (and root) can enter, trust authentication through an hba file of its
 * own, archiving off (a restored copy must never push WAL into its source's archive). The data
 * directory's own configuration files are not changed. PostgreSQL refuses to run as root, so when
 * Lifeboat runs as root the server runs as another user (postgres by default), who is given the
 * data directory.
 */
final class RestoredServer implements AutoCloseable {
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
        }
        return server;
    }

    private void awaitPromotion(Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            if (!Files.exists(dataDir.resolve("postmaster.pid"))) {
                throw new IOException("the restored server stopped during recovery");
            }
            try {
                if ("f".equals(psql("postgres", "SELECT pg_is_in_recovery()").strip())) {
                    return;
                }
            } catch (IOException e) {
                // not accepting connections yet
            }
            if (System.nanoTime() > deadline) {
                throw new IOException("recovery did not end within " + timeout.toMinutes() + " minutes");
            }
            Thread.sleep(300);
        }
    }

    /** One query's rows, fields separated by tabs. */
    String psql(String database, String sql) throws IOException, InterruptedException {
        return run(List.of(PgTools.bin("psql").toString(), "-X", "-A", "-t", "-F", "\t", "-v", "ON_ERROR_STOP=1",
                "-h", runDir.toString(), "-p", String.valueOf(port), "-U", superuser, "-d", database, "-c", sql), null);
    }

    /** pg_amcheck over every database; its report, empty when nothing is wrong. */
    ProcessResult amcheck() throws IOException, InterruptedException {
        List<String> cmd = List.of(PgTools.bin("pg_amcheck").toString(), "-h", runDir.toString(), "-p",
                String.valueOf(port), "-U", superuser, "--all", "--install-missing");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        return new ProcessResult(p.waitFor(), out.strip());
    }

    record ProcessResult(int exit, String output) {
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
            try (var files = Files.walk(runDir)) {
                for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    /** Runs a program (as osUser when given) and returns its output; IOException with it when it fails. */
    static String run(List<String> command, String osUser) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        if (osUser != null) {
            cmd.addAll(List.of("runuser", "-u", osUser, "--"));
        }
        cmd.addAll(command);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(15, TimeUnit.MINUTES) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IOException(Path.of(command.get(0)).getFileName() + " failed: " + out.strip());
        }
        return out;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
