package io.lifeboat.source.mysql;

import io.lifeboat.source.DirectoryTrees;
import io.lifeboat.source.ProcessOutput;
import io.lifeboat.source.Tool;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A restored data directory started privately, to replay binlogs into and to check: no TCP
 * listener, its socket in a directory only root and the server's user can enter, no binary log of
 * its own, and no grant checks (the restored accounts are the source's, whose passwords Lifeboat
 * does not have; only this socket reaches it). When Lifeboat runs as root, the server runs as
 * osUser (mysql), who is given the data directory.
 */
final class PrivateServer implements AutoCloseable {
    private static final Duration START_TIMEOUT = Duration.ofMinutes(10);
    private final Path runDir;
    private final Process process;

    private PrivateServer(Path runDir, Process process) {
        this.runDir = runDir;
        this.process = process;
    }

    /** A fresh, empty server's data directory (for a logical backup to be loaded into). */
    static void initialize(Path dataDir, String osUser) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("mariadb-install-db", "--no-defaults", "--datadir=" + dataDir,
                "--auth-root-authentication-method=normal", "--skip-test-db"));
        if (osUser != null) {
            cmd.add("--user=" + osUser);
        }
        Tool.run("mariadb-install-db", Tool.of(cmd), START_TIMEOUT).orThrow();
    }

    static PrivateServer start(Path dataDir, String osUser) throws IOException, InterruptedException {
        Path runDir = Files.createTempDirectory("lifeboat-mysql", PosixFilePermissions.asFileAttribute(
                PosixFilePermissions.fromString("rwx------")));
        if (osUser != null) {
            Tool.run("chown", Tool.of(List.of("chown", "-R", osUser, dataDir.toString(), runDir.toString())),
                    START_TIMEOUT).orThrow();
        }
        List<String> cmd = new ArrayList<>(List.of(MySqlSource.program("mariadbd"), "--no-defaults",
                "--datadir=" + dataDir, "--socket=" + runDir.resolve("sock"), "--skip-networking", "--skip-log-bin",
                "--skip-grant-tables", "--pid-file=" + runDir.resolve("pid"), "--log-error=" + runDir.resolve("err.log")));
        if (osUser != null) {
            cmd.add("--user=" + osUser);
        }
        Process p = Tool.of(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        PrivateServer server = new PrivateServer(runDir, p);
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (true) {
            if (!p.isAlive()) {
                String log = server.errorLog();
                server.close();
                throw new IOException("the restored server did not start (" + ProcessOutput.exit(p.exitValue()) + "): "
                        + log);
            }
            if (server.client(List.of("--execute=SELECT 1")).ok()) {
                return server;
            }
            if (System.nanoTime() > deadline) {
                server.close();
                throw new IOException("the restored server did not accept connections within " + START_TIMEOUT);
            }
            Thread.sleep(200);
        }
    }

    /** The mariadb client on the private socket, with these arguments. */
    ProcessBuilder clientProcess(List<String> args) {
        List<String> cmd = new ArrayList<>(List.of(MySqlSource.program("mariadb"), "--no-defaults",
                "--socket=" + runDir.resolve("sock"), "--user=root"));
        cmd.addAll(args);
        return Tool.of(cmd);
    }

    private Tool.Result client(List<String> args) throws IOException, InterruptedException {
        return Tool.run("mariadb", clientProcess(args), Duration.ofHours(4));
    }

    /** Rows of a query, each a list of its columns. */
    List<List<String>> query(String sql) throws IOException, InterruptedException {
        Tool.Result r = client(List.of("--batch", "--skip-column-names", "--raw", "--execute=" + sql)).orThrow();
        return r.out().lines().filter(l -> !l.isEmpty()).map(l -> Arrays.asList(l.split("\t", -1))).toList();
    }

    /** mariadb-check (CHECK TABLE) of every table: what it reported, and whether all were OK. */
    Tool.Result check() throws IOException, InterruptedException {
        return Tool.run("mariadb-check", Tool.of(List.of(MySqlSource.program("mariadb-check"), "--no-defaults",
                "--socket=" + runDir.resolve("sock"), "--user=root", "--all-databases", "--check", "--silent")),
                Duration.ofHours(4));
    }

    String errorLog() throws IOException {
        Path log = runDir.resolve("err.log");
        if (!Files.exists(log)) {
            return "";
        }
        String text = Files.readString(log);
        return text.substring(Math.max(0, text.length() - 2000)).strip();
    }

    /** A clean shutdown (SIGTERM), waited for; the data directory is left ready to start. */
    @Override
    public void close() throws IOException, InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.MINUTES)) {
            process.destroyForcibly().waitFor();
        }
        DirectoryTrees.delete(runDir);
    }
}
