package io.lifeboat.cli;

import io.lifeboat.compress.Compression;
import io.lifeboat.repository.LogArchive;
import io.lifeboat.repository.Repository;
import io.lifeboat.repository.Snapshot;
import io.lifeboat.source.postgres.PgBaseBackup;
import io.lifeboat.source.postgres.PgRestore;
import io.lifeboat.source.postgres.PgSource;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "db", mixinStandardHelpOptions = true,
        description = "PostgreSQL backups: full base backups, continuous WAL archiving, point-in-time restore.",
        subcommands = {DbCommand.Backup.class, DbCommand.ListBackups.class, DbCommand.Restore.class,
                DbCommand.WalPush.class, DbCommand.WalFetch.class})
final class DbCommand {

    /** Which database source. */
    static final class SourceName {
        @Option(names = "--source", required = true, paramLabel = "NAME", description = "database source, e.g. beCamera")
        String name;
    }

    @Command(name = "backup", mixinStandardHelpOptions = true,
            description = "Physical backup with pg_basebackup, streamed into the repository; --incremental leaves "
                    + "the WAL to the archive and stores only changed data.")
    static final class Backup implements Callable<Integer> {
        @Mixin
        RepositoryOptions repo;
        @Mixin
        SourceName source;
        @Option(names = "--host", defaultValue = "127.0.0.1", description = "default ${DEFAULT-VALUE}")
        String host;
        @Option(names = "--port", defaultValue = "5432", description = "default ${DEFAULT-VALUE}")
        int port;
        @Option(names = "--user", defaultValue = "postgres", description = "a user with REPLICATION; default ${DEFAULT-VALUE}")
        String user;
        @Option(names = "--password-env", paramLabel = "VAR", description = "environment variable holding the password")
        String passwordEnv;
        @Option(names = "--compression", paramLabel = "METHOD[:LEVEL]", description = "default: the repository's")
        String compression;
        @Option(names = "--incremental", description = "no WAL in the backup (needs WAL archiving to this repository)")
        boolean incremental;

        @Override
        public Integer call() throws Exception {
            Repository r = repo.open();
            if (incremental && new LogArchive(r, source.name).list().isEmpty()) {
                throw new IllegalArgumentException("an incremental backup of " + source.name + " needs its WAL archived "
                        + "to this repository (archive_command ... db wal-push), and none is");
            }
            Snapshot s = PgBaseBackup.run(r, new PgSource(source.name, host, port, user, passwordEnv),
                    Compression.parse(compression != null ? compression : r.config().compression()), incremental);
            if (repo.json) {
                Output.json(s);
            } else {
                System.out.printf("%s backup of %s saved as snapshot %s: %s, %s newly stored%n",
                        incremental ? "incremental" : "full", source.name, s.shortId(), Output.bytes(s.summary().bytes()),
                        Output.bytes(s.summary().storedBytes()));
            }
            return 0;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "Full backups and archived WAL of a source.")
    static final class ListBackups implements Callable<Integer> {
        @Mixin
        RepositoryOptions repo;
        @Mixin
        SourceName source;

        @Override
        public Integer call() throws Exception {
            Repository r = repo.open();
            List<Snapshot> fulls = r.snapshots().stream().filter(s -> s.tags() != null
                    && s.tags().contains("db:" + source.name) && (s.tags().contains(PgBaseBackup.TAG_FULL)
                    || s.tags().contains(PgBaseBackup.TAG_INCREMENTAL))).toList();
            List<String> wal = new LogArchive(r, source.name).list();
            if (repo.json) {
                Map<String, Object> out = new LinkedHashMap<>();
                out.put("full", fulls.stream().map(s -> Map.of("id", s.id(), "time", s.time(),
                        "size", s.summary().bytes())).toList());
                out.put("wal", wal);
                Output.json(out);
                return 0;
            }
            for (Snapshot s : fulls) {
                System.out.printf("%-11s  %s  %s  %s%n", s.tags().contains(PgBaseBackup.TAG_FULL) ? "full" : "incremental",
                        s.shortId(), s.time(), Output.bytes(s.summary().bytes()));
            }
            System.out.println(wal.isEmpty() ? "no WAL archived" : "WAL " + wal.get(0) + " .. " + wal.get(wal.size() - 1)
                    + " (" + wal.size() + " files)");
            return 0;
        }
    }

    /** Exactly one recovery target. */
    static final class Targets {
        @Option(names = "--to-time", paramLabel = "TIME", description = "e.g. 2026-11-25T14:03:00Z")
        String time;
        @Option(names = "--to-lsn", paramLabel = "LSN")
        String lsn;
        @Option(names = "--to-name", paramLabel = "RESTORE_POINT")
        String name;
        @Option(names = "--to-latest", description = "replay all archived WAL")
        boolean latest;

        PgRestore.Target target() {
            return time != null ? new PgRestore.Target("time", time) : lsn != null ? new PgRestore.Target("lsn", lsn)
                    : name != null ? new PgRestore.Target("name", name) : PgRestore.Target.latest();
        }
    }

    @Command(name = "restore", mixinStandardHelpOptions = true,
            description = "Point-in-time restore into a fresh data directory; start PostgreSQL on it to replay WAL "
                    + "from the repository up to the target.")
    static final class Restore implements Callable<Integer> {
        @Mixin
        RepositoryOptions repo;
        @Mixin
        SourceName source;
        @ArgGroup(exclusive = true, multiplicity = "1")
        Targets targets;
        @Option(names = "--target", required = true, paramLabel = "DIR", description = "new data directory")
        Path dataDir;
        @Option(names = "--lifeboat-command", paramLabel = "CMD",
                description = "how the PostgreSQL server runs lifeboat for restore_command; default: this installation")
        String lifeboatCommand;

        @Override
        public Integer call() throws Exception {
            if (repo.passwordFile == null) {
                throw new IllegalArgumentException("db restore needs --password-file: PostgreSQL's restore_command "
                        + "reads the passphrase from it (keep it readable by the server's user)");
            }
            Repository r = repo.open();
            String command = lifeboatCommand != null ? lifeboatCommand
                    : System.getProperty("lifeboat.command", "lifeboat");
            PgRestore.Target target = targets.target();
            Snapshot base = PgRestore.prepare(r, source.name, dataDir.toAbsolutePath(), target,
                    PgRestore.restoreCommand(Arrays.asList(command.split(" ")), r.store().location(),
                            repo.passwordFile.toAbsolutePath(), source.name));
            if (repo.json) {
                Output.json(Map.of("base", base.id(), "target", dataDir.toAbsolutePath().toString()));
            } else {
                System.out.printf("restored full backup %s of %s into %s; start PostgreSQL on it to recover to %s%n",
                        base.shortId(), source.name, dataDir, target.value() == null ? "the latest WAL" : target.value());
            }
            return 0;
        }
    }

    @Command(name = "wal-push", mixinStandardHelpOptions = true,
            description = "Archive one WAL file (PostgreSQL's archive_command: ... db wal-push --source NAME %p).")
    static final class WalPush implements Callable<Integer> {
        @Mixin
        RepositoryOptions repo;
        @Mixin
        SourceName source;
        @Parameters(paramLabel = "PATH", description = "the WAL file (%p)")
        Path file;

        @Override
        public Integer call() throws Exception {
            Repository r = repo.open();
            LogArchive archive = new LogArchive(r, source.name);
            String name = file.getFileName().toString();
            LogArchive.Segment existing = archive.get(name);
            if (existing != null) {
                // PostgreSQL retries a push whose answer it missed: the same bytes are fine, other bytes are not.
                LogArchive.Segment again;
                try (InputStream in = Files.newInputStream(file)) {
                    again = archive.chunksOf(in, Compression.parse(r.config().compression()));
                }
                if (existing.chunks().equals(again.chunks())) {
                    return 0;
                }
                throw new IllegalArgumentException("WAL file " + name + " is archived already with other content");
            }
            try (InputStream in = Files.newInputStream(file)) {
                archive.put(name, in, Compression.parse(r.config().compression()));
            }
            return 0;
        }
    }

    @Command(name = "wal-fetch", mixinStandardHelpOptions = true,
            description = "Fetch one archived WAL file (PostgreSQL's restore_command). Exits 1 when it is not archived.")
    static final class WalFetch implements Callable<Integer> {
        @Mixin
        RepositoryOptions repo;
        @Mixin
        SourceName source;
        @Parameters(index = "0", paramLabel = "NAME", description = "WAL file name (%f)")
        String name;
        @Parameters(index = "1", paramLabel = "DEST", description = "where to write it (%p)")
        Path dest;

        @Override
        public Integer call() throws Exception {
            LogArchive archive = new LogArchive(repo.open(), source.name);
            LogArchive.Segment segment = archive.get(name);
            if (segment == null) {
                return 1;
            }
            Path temp = dest.resolveSibling(dest.getFileName() + ".lifeboat-part");
            try (InputStream in = archive.open(segment)) {
                Files.copy(in, temp, StandardCopyOption.REPLACE_EXISTING);
            }
            Files.move(temp, dest, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            return 0;
        }
    }
}
