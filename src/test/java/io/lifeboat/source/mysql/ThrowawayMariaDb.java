package io.lifeboat.source.mysql;

import io.lifeboat.TestSupport;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A MariaDB server of a test's own, from the installed binaries, with binary logging on, on a
 * free port and a socket in its directory; the machine's own server is shared and left alone.
 * The test talks to it as root over the socket; Lifeboat as `backup` over TCP, with a password.
 */
public final class ThrowawayMariaDb implements AutoCloseable {
    public final Path dir;
    public final int port;
    private Process server;

    private ThrowawayMariaDb(Path dir, int port) {
        this.dir = dir;
        this.port = port;
    }

    /** A new server in a new directory the mysql user may enter, started, with user backup@127.0.0.1. */
    public static ThrowawayMariaDb start(String backupPassword) throws Exception {
        Path dir = Files.createTempDirectory("lifeboat-mariadb", PosixFilePermissions.asFileAttribute(
                PosixFilePermissions.fromString("rwxr-xr-x")));
        run(List.of("chown", "mysql:mysql", dir.toString()));
        run(List.of("mariadb-install-db", "--no-defaults", "--datadir=" + dir.resolve("data"), "--user=mysql",
                "--auth-root-authentication-method=normal", "--skip-test-db"));
        ThrowawayMariaDb db = new ThrowawayMariaDb(dir, TestSupport.freePort());
        db.start();
        db.sql("CREATE USER backup@'127.0.0.1' IDENTIFIED BY '" + backupPassword + "';"
                + "GRANT RELOAD, PROCESS, LOCK TABLES, BINLOG MONITOR, REPLICATION SLAVE, REPLICA MONITOR, SELECT,"
                + " SHOW VIEW, EVENT, TRIGGER, CREATE, INSERT, ALTER, INDEX ON *.* TO backup@'127.0.0.1'");
        return db;
    }

    /** The server's command line: its binlogs in its data directory, as a packaged server may keep them. */
    private List<String> serverCommand() {
        return List.of("mariadbd", "--no-defaults", "--datadir=" + dir.resolve("data"),
                "--socket=" + dir.resolve("sock"), "--port=" + port, "--bind-address=127.0.0.1",
                "--log-bin=" + dir.resolve("data/binlog"), "--server-id=1", "--binlog-format=ROW", "--user=mysql",
                "--pid-file=" + dir.resolve("pid"), "--log-error=" + dir.resolve("err.log"));
    }

    /** A shell line that starts the server detached, as a service manager would: a start hook for Lifeboat. */
    public String startCommand() {
        return "setsid " + String.join(" ", serverCommand()) + " >/dev/null 2>&1 </dev/null &";
    }

    /** Starts (again) on the same data directory. */
    public void start() throws Exception {
        server = new ProcessBuilder(serverCommand())
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        long deadline = System.currentTimeMillis() + 60_000;
        while (true) {
            if (!server.isAlive()) {
                throw new IllegalStateException("mariadbd did not start: " + Files.readString(dir.resolve("err.log")));
            }
            Process p = client("-e", "SELECT 1").start();
            if (p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0) {
                return;
            }
            if (System.currentTimeMillis() > deadline) {
                throw new IllegalStateException("mariadbd did not accept connections in 60 s");
            }
            Thread.sleep(100);
        }
    }

    /**
     * Runs SQL as root; returns what the client printed (tab-separated, no column names). The
     * statements go in on stdin, so that a password in them is in no process listing.
     */
    public String sql(String statements) throws Exception {
        Process p = client("--batch", "--skip-column-names").redirectErrorStream(true).start();
        try (OutputStream in = p.getOutputStream()) {
            in.write((statements + ";\n").getBytes(StandardCharsets.UTF_8));
        }
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException("SQL failed: " + statements + "\n" + out);
        }
        return out.strip();
    }

    private ProcessBuilder client(String... args) {
        List<String> cmd = new ArrayList<>(List.of("mariadb", "--no-defaults", "--socket=" + dir.resolve("sock"),
                "--user=root"));
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd);
    }

    /** A clean shutdown, of the server this started or of one a start hook started on its directory. */
    public void stop() throws Exception {
        if (server != null && server.isAlive()) {
            server.destroy();
            server.waitFor(120, TimeUnit.SECONDS);
        }
        Path pid = dir.resolve("pid");
        if (Files.exists(pid)) {
            ProcessHandle.of(Long.parseLong(Files.readString(pid).strip())).ifPresent(p -> {
                p.destroy();
                p.onExit().orTimeout(120, TimeUnit.SECONDS).join();
            });
        }
    }

    @Override
    public void close() throws Exception {
        stop();
        TestSupport.deleteTree(dir);
    }

    private static void run(List<String> cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", cmd) + " failed: " + out);
        }
    }
}
