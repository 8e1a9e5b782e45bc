package io.lifeboat.source.mysql;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The configured MariaDB server around a restore in place: whether it serves a data directory,
 * stopping it there, waiting for the restored one to answer, and numbering the restored server's
 * binlogs after every binlog the old one wrote, so that no name in the archive means two things.
 */
public final class LiveServer {
    private LiveServer() {
    }

    /** Whether the server answers and serves this data directory (a server elsewhere is not ours to touch). */
    public static boolean serves(MySqlSource server, Path dataDir) throws InterruptedException {
        try {
            String served = server.single("SELECT @@datadir");
            return served != null && sameDirectory(Path.of(served), dataDir);
        } catch (IOException notAnswering) {
            return false;
        }
    }

    /** The number of the newest binlog the server has, or -1 when binary logging is off. */
    public static long newestBinlog(MySqlSource server) throws IOException, InterruptedException {
        if (!"1".equals(server.single("SELECT @@log_bin"))) {
            return -1;
        }
        List<List<String>> files = server.query("SHOW BINARY LOGS");
        return files.isEmpty() ? -1 : Binlogs.number(files.get(files.size() - 1).get(0));
    }

    /**
     * Stops the server that serves dataDir as its service manager would (SIGTERM to the process in
     * its pid file) and waits until it has ended: InnoDB is shut down cleanly before the directory
     * is moved aside.
     */
    public static void stop(MySqlSource server, Path dataDir, Duration timeout) throws IOException, InterruptedException {
        List<String> row = server.query("SELECT @@pid_file, @@datadir").get(0);
        if (!sameDirectory(Path.of(row.get(1)), dataDir)) {
            throw new IOException(server.name() + " at " + server.host() + ":" + server.port() + " serves " + row.get(1)
                    + ", not " + dataDir + ": it is not the server of that data directory");
        }
        Path pidFile = dataDir.resolve(row.get(0));
        String pid = Files.readString(pidFile).strip();
        Optional<ProcessHandle> process = pid.matches("\\d{1,10}") ? ProcessHandle.of(Long.parseLong(pid))
                : Optional.empty();
        if (process.isEmpty()) {
            throw new IOException(server.name() + "'s pid file " + pidFile + " names no running process ('" + pid + "')");
        }
        process.get().destroy();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (process.get().isAlive()) {
            if (System.nanoTime() > deadline) {
                throw new IOException(server.name() + " (process " + pid + ") did not stop within " + timeout);
            }
            Thread.sleep(100);
        }
    }

    /** Waits until the server answers (its start command may return before it listens). */
    public static void awaitAnswer(MySqlSource server, Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            try {
                server.single("SELECT 1");
                return;
            } catch (IOException e) {
                if (System.nanoTime() > deadline) {
                    throw new IOException(server.name() + " did not answer within " + timeout + " of its start: "
                            + e.getMessage());
                }
            }
            Thread.sleep(200);
        }
    }

    /**
     * Makes the restored server write its binlogs from number first on: a data directory restored
     * without binlogs starts again at 000001, a name the archive already holds for the old server's
     * events (RESET MASTER TO renumbers, before anything else is written). Answers the name of the
     * file the restored server's own events begin in.
     */
    public static String continueBinlogsAt(MySqlSource server, long first) throws IOException, InterruptedException {
        List<List<String>> files = server.query("SHOW BINARY LOGS");
        if (files.isEmpty()) {
            throw new IOException(server.name() + " was restored in place with binary logging off: its binlogs "
                    + "cannot be streamed (docs/MARIADB.md)");
        }
        String newest = files.get(files.size() - 1).get(0);
        if (Binlogs.number(newest) < first) {
            server.query("RESET MASTER TO " + first);
        }
        return Binlogs.name(newest, first);
    }

    private static boolean sameDirectory(Path a, Path b) {
        try {
            return a.toRealPath().equals(b.toRealPath());
        } catch (IOException e) {
            return a.toAbsolutePath().normalize().equals(b.toAbsolutePath().normalize());
        }
    }
}
