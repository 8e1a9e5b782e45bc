package io.lifeboat.cli;

import io.lifeboat.compress.Compression;
import io.lifeboat.repository.LogArchive;
import io.lifeboat.repository.Repository;
import io.lifeboat.repository.RepositoryLock;
import io.lifeboat.source.LogStreamer;
import io.lifeboat.source.Tool;
import io.lifeboat.source.mysql.BinlogStreamer;
import io.lifeboat.source.postgres.WalBatches;
import io.lifeboat.source.postgres.WalReceiver;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** How WAL moves between PostgreSQL and the repository: wal-push, wal-fetch, wal-receive. */
final class DbWalCommands {
    private DbWalCommands() {
    }

    @Command(name = "wal-push", mixinStandardHelpOptions = true,
            description = "Archive one WAL file (PostgreSQL's archive_command: ... db wal-push --source NAME %%p).")
    static final class WalPush implements Callable<Integer> {
        @Mixin
        RepositoryOptions repo;
        @Mixin
        DbCommand.SourceName source;
        @Parameters(paramLabel = "PATH", description = "the WAL file (%%p)")
        Path file;
        @Option(names = "--push-ahead", defaultValue = "32", paramLabel = "N",
                description = "also store up to N other segments the server marked ready; default ${DEFAULT-VALUE}")
        int pushAhead;

        @Override
        public Integer call() throws Exception {
            Repository r = repo.open();
            LogArchive archive = new LogArchive(r, source.name);
            Compression.Setting compression = Compression.parse(r.config().compression());
            try (InputStream in = Files.newInputStream(file)) {
                archive.putOnce(file.getFileName().toString(), in, compression);
            }
            WalBatches.forgetMarker(file);
            WalBatches.pushAhead(archive, file, pushAhead, compression);
            return 0;
        }
    }

    @Command(name = "wal-fetch", mixinStandardHelpOptions = true,
            description = "Fetch one archived WAL file (PostgreSQL's restore_command). Exits 1 when it is not archived.")
    static final class WalFetch implements Callable<Integer> {
        @Mixin
        RepositoryOptions repo;
        @Mixin
        DbCommand.SourceName source;
        @Parameters(index = "0", paramLabel = "NAME", description = "WAL file name (%%f)")
        String name;
        @Parameters(index = "1", paramLabel = "DEST", description = "where to write it (%%p)")
        Path dest;
        @Option(names = "--prefetch-dir", paramLabel = "DIR",
                description = "fetch the next segments ahead into DIR (relative: to the data directory)")
        Path prefetchDir;
        @Option(names = "--prefetch", defaultValue = "16", paramLabel = "N",
                description = "how many segments to fetch ahead; default ${DEFAULT-VALUE}")
        int prefetch;
        /** Up to this many segments left in the archive are fetched ahead at once; a second JVM would cost more. */
        private static final int INLINE = 4;

        @Override
        public Integer call() throws Exception {
            if (prefetchDir != null && WalBatches.takePrefetched(prefetchDir, name, dest)) {
                return 0;
            }
            Repository r = repo.openForReading();
            LogArchive archive = new LogArchive(r, source.name);
            // a segment wal-receive had only partly received when the source was lost ends the recovery
            LogArchive.Segment segment = archive.current(name);
            if (segment == null) {
                return 1;
            }
            Path temp = dest.resolveSibling(dest.getFileName() + ".lifeboat-part");
            try (RepositoryLock lock = r.sharedLock("wal-fetch"); InputStream in = archive.open(segment)) {
                Files.copy(in, temp, StandardCopyOption.REPLACE_EXISTING);
            }
            Files.move(temp, dest, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            if (prefetchDir != null) {
                String launcher = System.getProperty("lifeboat.command");
                if (launcher != null && WalBatches.archivedAfter(archive, name, INLINE) > INLINE) {
                    // fetch ahead while PostgreSQL replays what it has, as pgBackRest's asynchronous archive-get does
                    List<String> cmd = new ArrayList<>(List.of(launcher, "db", "wal-prefetch", "--repo",
                            r.store().address(), "--source", source.name, "--prefetch-dir",
                            prefetchDir.toAbsolutePath().toString(), "--count", String.valueOf(prefetch)));
                    if (repo.passwordFile != null) {
                        cmd.addAll(List.of("--password-file", repo.passwordFile.toAbsolutePath().toString()));
                    }
                    cmd.add(name);
                    Path running = prefetchDir.resolve(WalPrefetch.RUNNING);
                    if (WalPrefetch.runningElsewhere(running, -1)) {
                        return 0;
                    }
                    Files.createDirectories(prefetchDir);
                    Process p = Tool.of(cmd)
                            .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                            .redirectError(ProcessBuilder.Redirect.DISCARD).start();
                    // written before PostgreSQL asks for the next segment: the launcher then waits for it
                    Files.writeString(running, String.valueOf(p.pid()));
                } else {
                    try (RepositoryLock lock = r.sharedLock("wal-fetch")) {
                        WalBatches.prefetch(archive, name, prefetchDir, prefetch);
                    }
                }
            }
            return 0;
        }
    }

    @Command(name = "wal-prefetch", hidden = true, mixinStandardHelpOptions = true,
            description = "Fetch the segments after NAME into a prefetch directory (started by wal-fetch, in the "
                    + "background); one at a time per directory.")
    static final class WalPrefetch implements Callable<Integer> {
        @Mixin
        RepositoryOptions repo;
        @Mixin
        DbCommand.SourceName source;
        @Option(names = "--prefetch-dir", required = true, paramLabel = "DIR")
        Path dir;
        @Option(names = "--count", defaultValue = "16", paramLabel = "N")
        int count;
        @Parameters(paramLabel = "NAME", description = "the segment recovery has just been given")
        String name;

        /** Holds the pid of the running prefetch; the launcher waits while that process lives. */
        static final String RUNNING = "prefetch.pid";

        /** Whether a live process other than `self` is prefetching into this directory. */
        static boolean runningElsewhere(Path running, long self) throws IOException {
            try {
                long pid = Long.parseLong(Files.readString(running).strip());
                return pid != self && ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
            } catch (java.nio.file.NoSuchFileException | NumberFormatException e) {
                return false;
            }
        }

        @Override
        public Integer call() throws Exception {
            Files.createDirectories(dir);
            Path running = dir.resolve(RUNNING);
            long self = ProcessHandle.current().pid();
            if (runningElsewhere(running, self)) {
                return 0; // another prefetch runs; it will have what is next soon enough
            }
            Files.writeString(running, String.valueOf(self));
            try {
                Repository r = repo.openForReading();
                try (RepositoryLock lock = r.sharedLock("wal-fetch")) {
                    WalBatches.prefetch(new LogArchive(r, source.name), name, dir, count);
                }
            } finally {
                Files.deleteIfExists(running);
            }
            return 0;
        }
    }

    @Command(name = "wal-receive", mixinStandardHelpOptions = true,
            description = "Stream WAL (pg_receivewal over a replication slot) or, with --type mariadb, binlogs "
                    + "(mariadb-binlog as a replica) continuously into the repository until stopped: an RPO of "
                    + "seconds. The service does this itself for the databases it backs up.")
    static final class WalReceive extends DbCommand.OnServer implements Callable<Integer> {
        @Option(names = "--spool", required = true, paramLabel = "DIR",
                description = "local directory pg_receivewal or mariadb-binlog writes to before each file is stored")
        Path spool;
        @Option(names = "--interval", defaultValue = "1", paramLabel = "SECONDS",
                description = "how often what arrived is stored; default ${DEFAULT-VALUE}")
        int interval;

        @Override
        public Integer call() throws Exception {
            Repository r = repo.open();
            Compression.Setting compression = Compression.parse(r.config().compression());
            LogStreamer receiver = server.mysql()
                    ? new BinlogStreamer(r, server.mysqlSource(source.name), spool, compression,
                            Duration.ofSeconds(interval))
                    : new WalReceiver(r, server.source(source.name), spool, compression,
                            Duration.ofSeconds(interval));
            CountDownLatch ended = new CountDownLatch(1);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                receiver.close();
                try {
                    if (ended.await(30, TimeUnit.SECONDS)) {
                        Runtime.getRuntime().halt(0); // asked to stop, and stopped with everything stored: a clean end
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }));
            try {
                receiver.run();
            } finally {
                ended.countDown();
            }
            return 0;
        }
    }
}
