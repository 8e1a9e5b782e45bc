package io.lifeboat.cli;

import io.lifeboat.catalog.Catalog;
import io.lifeboat.compress.Compression;
import io.lifeboat.config.ConfigLoader;
import io.lifeboat.config.Retention;
import io.lifeboat.repository.LogArchive;
import io.lifeboat.repository.Repository;
import io.lifeboat.repository.Snapshot;
import io.lifeboat.source.postgres.PgBackups;
import io.lifeboat.source.postgres.PgBaseBackup;
import io.lifeboat.source.postgres.PgDump;
import io.lifeboat.source.postgres.PgRestore;
import io.lifeboat.source.postgres.PgSource;
import io.lifeboat.source.postgres.RestoreValidation;
import io.lifeboat.source.postgres.PgRetention;
import io.lifeboat.source.postgres.WalChain;
import io.lifeboat.source.postgres.WalCheck;
import io.lifeboat.source.postgres.WalReceiver;
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
        description = "PostgreSQL backups: base backups, logical dumps, continuous WAL archiving, point-in-time and "
                + "table-level restore.",
        subcommands = {DbCommand.Backup.class, DbCommand.Dump.class, DbCommand.ListBackups.class,
                DbCommand.Restore.class, DbCommand.RestoreTable.class, DbCommand.WalPush.class, DbCommand.WalFetch.class, DbCommand.WalReceive.class, DbCommand.Check.class, DbCommand.Forget.class})
final class DbCommand {

    /** How to reach the PostgreSQL server; the password only through an environment variable. */
    static final class Server {
        @Option(names = "--host", defaultValue = "127.0.0.1", description = "default ${DEFAULT-VALUE}")
        String host;
        @Option(names = "--port", defaultValue = "5432", description = "default ${DEFAULT-VALUE}")
        int port;
        @Option(names = "--user", defaultValue = "postgres",
                description = "base backups need REPLICATION, dumps read access; default ${DEFAULT-VALUE}")
        String user;
        @Option(names = "--password-env", paramLabel = "VAR", description = "environment variable holding the password")
        String passwordEnv;

        PgSource source(String name) {
            return new PgSource(name, host, port, user, passwordEnv);
        }
    }

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
        @Mixin
        Server server;
        @Option(names = "--compression", paramLabel = "METHOD[:LEVEL]", description = "default: the repository's")
        String compression;
        @Option(names = "--incremental", description = "no WAL in the backup (needs WAL archiving to this repository)")
        boolean incremental;
        @Option(names = "--wal-wait", defaultValue = "60", paramLabel = "SECONDS",
                description = "how long an incremental waits for its WAL to reach the archive; default ${DEFAULT-VALUE}")
        int walWait;

        @Override
        public Integer call() throws Exception {
            Repository r = repo.open();
            Snapshot s = PgBaseBackup.run(r, server.source(source.name),
                    Compression.parse(compression != null ? compression : r.config().compression()), incremental,
                    java.time.Duration.ofSeconds(walWait));
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

    @Command(name = "dump", mixinStandardHelpOptions = true,
            description = "Logical backup of one database with pg_dump (custom format), streamed into the repository; "
                    + "restore single tables or schemas from it with restore-table.")
    static final class Dump implements Callable<Integer> {
        @Mixin
        RepositoryOptions repo;
        @Mixin
        SourceName source;
        @Mixin
        Server server;
        @Option(names = "--database", required = true, paramLabel = "DB", description = "the database to dump")
        String database;

        @Override
        public Integer call() throws Exception {
            Repository r = repo.open();
            Snapshot s = PgDump.run(r, server.source(source.name), database,
                    Compression.parse(r.config().compression()));
            if (repo.json) {
                Output.json(s);
            } else {
                System.out.printf("dump of %s/%s saved as snapshot %s: %s, %s newly stored%n", source.name, database,
                        s.shortId(), Output.bytes(s.summary().bytes()), Output.bytes(s.summary().storedBytes()));
            }
            return 0;
        }
    }

    @Command(name = "restore-table", mixinStandardHelpOptions = true,
            description = "Restore tables or schemas from a logical dump into a database of your choice "
                    + "(the tables must not exist there).")
    static final class RestoreTable implements Callable<Integer> {
        @Mixin
        RepositoryOptions repo;
        @Mixin
        SourceName source;
        @Mixin
        Server server;
        @Option(names = "--database", required = true, paramLabel = "DB", description = "the database that was dumped")
        String database;
        @Option(names = "--snapshot", paramLabel = "ID", description = "which dump; default the newest")
        String snapshot;
        @Option(names = "--table", paramLabel = "NAME", description = "a table to restore (repeatable)")
        List<String> tables = new java.util.ArrayList<>();
        @Option(names = "--schema", paramLabel = "NAME", description = "a schema to restore (repeatable)")
        List<String> schemas = new java.util.ArrayList<>();
        @Option(names = "--into", required = true, paramLabel = "DB", description = "database to restore into")
        String into;

        @Override
        public Integer call() throws Exception {
            if (tables.isEmpty() && schemas.isEmpty()) {
                throw new IllegalArgumentException("name at least one --table or --schema to restore");
            }
            Repository r = repo.open();
            Snapshot dump = PgDump.find(r, source.name, database, snapshot);
            PgDump.restore(r, dump, server.source(source.name), into, tables, schemas);
            if (repo.json) {
                Output.json(Map.of("dump", dump.id(), "into", into, "tables", tables, "schemas", schemas));
            } else {
                System.out.printf("restored %s from dump %s of %s/%s (%s) into %s%n",
                        String.join(", ", java.util.stream.Stream.concat(schemas.stream().map(n -> "schema " + n),
                                tables.stream().map(n -> "table " + n)).toList()),
                        dump.shortId(), source.name, database, dump.time(), into);
            }
            return 0;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true,
            description = "Base backups, logical dumps and archived WAL of a source.")
    static final class ListBackups implements Callable<Integer> {
        @Mixin
        RepositoryOptions repo;
        @Mixin
        SourceName source;

        @Override
        public Integer call() throws Exception {
            Repository r = repo.open();
            List<Map<String, Object>> backups = new java.util.ArrayList<>();
            for (Snapshot s : r.snapshots()) {
                String kind = PgBackups.kind(s, source.name);
                if (kind != null) {
                    Map<String, Object> b = new LinkedHashMap<>();
                    b.put("id", s.id());
                    b.put("kind", kind);
                    b.put("time", s.time());
                    b.put("size", s.summary().bytes());
                    b.put("database", PgBackups.database(s));
                    backups.add(b);
                }
            }
            List<String> wal = new LogArchive(r, source.name).list();
            if (repo.json) {
                Output.json(Map.of("backups", backups, "wal", wal));
                return 0;
            }
            for (Map<String, Object> b : backups) {
                System.out.printf("%-11s  %s  %s  %s%s%n", b.get("kind"), b.get("id").toString().substring(0, 8),
                        b.get("time"), Output.bytes((Long) b.get("size")),
                        b.get("database") == null ? "" : "  database " + b.get("database"));
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
            description = "Point-in-time restore into a fresh data directory. The restored cluster is then started "
                    + "privately, recovers to the target from the repository's WAL and is checked (pg_amcheck, rows "
                    + "per table, recorded in the catalog); --start then runs it on its own configuration.")
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
        @Option(names = "--no-validate", description = "only unpack and configure recovery; start it yourself")
        boolean noValidate;
        @Option(names = "--start", description = "after validation, start the server (pg_ctl) on its own configuration")
        boolean start;
        @Option(names = "--run-as", paramLabel = "USER",
                description = "system user that owns and runs the restored server; default postgres when run as root")
        String runAs;
        @Option(names = "--superuser", defaultValue = "postgres", paramLabel = "ROLE",
                description = "a superuser role of the restored cluster, for the checks; default ${DEFAULT-VALUE}")
        String superuser;
        @Option(names = "--recovery-timeout", defaultValue = "60", paramLabel = "MINUTES",
                description = "how long recovery may take; default ${DEFAULT-VALUE}")
        int recoveryMinutes;
        @Option(names = "--config", paramLabel = "DIR",
                description = "record the validation in this configuration's catalog; default ./config when present")
        Path config;

        @Override
        public Integer call() throws Exception {
            if (repo.passwordFile == null) {
                throw new IllegalArgumentException("db restore needs --password-file: PostgreSQL's restore_command "
                        + "reads the passphrase from it (keep it readable by the server's user)");
            }
            if (start && noValidate) {
                throw new IllegalArgumentException("--start needs the validation that --no-validate turns off");
            }
            Repository r = repo.open();
            String command = lifeboatCommand != null ? lifeboatCommand
                    : System.getProperty("lifeboat.command", "lifeboat");
            PgRestore.Target target = targets.target();
            Path dir = dataDir.toAbsolutePath();
            long started = System.nanoTime();
            Snapshot base = PgRestore.prepare(r, source.name, dir, target,
                    PgRestore.restoreCommand(Arrays.asList(command.split(" ")), r.store().location(),
                            repo.passwordFile.toAbsolutePath(), source.name));
            String targetText = target.value() == null ? "latest" : target.kind() + " " + target.value();
            String walStart = PgBaseBackup.WalRange.of(base).start();
            List<WalChain.Gap> gaps = WalChain.gaps(new LogArchive(r, source.name).list(), walStart, null).stream()
                    .filter(g -> walStart == null || g.last().compareTo(walStart) >= 0).toList();
            if (!gaps.isEmpty()) {
                // recovery stops at the first missing segment: say so rather than let a short restore pass unnoticed
                System.err.println("warning: WAL gap after backup " + base.shortId() + ": " + gaps.get(0)
                        + " missing; recovery ends before it, whatever the target");
            }
            if (noValidate) {
                if (repo.json) {
                    Output.json(Map.of("base", base.id(), "target", dir.toString()));
                } else {
                    System.out.printf("restored backup %s of %s into %s; start PostgreSQL on it to recover to %s%n",
                            base.shortId(), source.name, dir, targetText);
                }
                return 0;
            }
            String owner = runAs != null ? runAs : "root".equals(System.getProperty("user.name")) ? "postgres" : null;
            RestoreValidation.Result result;
            String failure = null;
            try {
                result = RestoreValidation.run(dir, owner, superuser, java.time.Duration.ofMinutes(recoveryMinutes));
            } catch (java.io.IOException e) {
                result = null;
                failure = e.getMessage();
            }
            String status = result != null && result.passed() ? "passed" : "failed";
            String report = (gaps.isEmpty() ? "" : "WAL gap " + gaps.get(0) + ": recovery ended before it. ")
                    + (result == null ? failure : result.amcheckReport());
            recordInCatalog(new Catalog.RestoreCheck(java.util.UUID.randomUUID().toString(), source.name, base.id(),
                    targetText, dir.toString(), java.time.Instant.now(), (System.nanoTime() - started) / 1_000_000,
                    status, result == null ? null : result.totalRows(),
                    result == null ? null : Repository.JSON.writeValueAsString(result.rowCounts()), report));
            if (result == null || !result.passed()) {
                throw new IllegalStateException("restored " + source.name + " into " + dir + " but validation failed: "
                        + report);
            }
            if (start) {
                PgRestore.startServer(dir, owner);
            }
            if (repo.json) {
                Map<String, Object> out = new LinkedHashMap<>();
                out.put("base", base.id());
                out.put("target", dir.toString());
                out.put("validation", status);
                out.put("totalRows", result.totalRows());
                out.put("rowCounts", result.rowCounts());
                out.put("started", start);
                Output.json(out);
            } else {
                System.out.printf("restored backup %s of %s into %s, recovered to %s; validation passed: pg_amcheck "
                        + "clean, %d tables, %d rows%s%n", base.shortId(), source.name, dir, targetText,
                        result.rowCounts().size(), result.totalRows(), start ? "; server started" : "");
            }
            return 0;
        }

        private void recordInCatalog(Catalog.RestoreCheck check) {
            Path dir = config != null ? config : Path.of("config");
            if (config == null && !Files.exists(dir.resolve("lifeboat.yaml"))) {
                System.err.println("validation not recorded: no catalog configuration (--config DIR)");
                return;
            }
            try (Catalog catalog = Catalog.open(ConfigLoader.load(dir).catalog())) {
                catalog.recordRestoreCheck(check);
            } catch (RuntimeException e) {
                System.err.println("validation " + check.status() + " but not recorded in the catalog of " + dir + ": "
                        + e.getMessage().lines().findFirst().orElse(e.toString()));
            }
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
            try (InputStream in = Files.newInputStream(file)) {
                new LogArchive(r, source.name).putOnce(file.getFileName().toString(), in,
                        Compression.parse(r.config().compression()));
            }
            return 0;
        }
    }

    @Command(name = "wal-receive", mixinStandardHelpOptions = true,
            description = "Stream WAL continuously (pg_receivewal over a replication slot) into the repository until "
                    + "stopped; use it instead of archive_command for an RPO of seconds.")
    static final class WalReceive implements Callable<Integer> {
        @Mixin
        RepositoryOptions repo;
        @Mixin
        SourceName source;
        @Mixin
        Server server;
        @Option(names = "--spool", required = true, paramLabel = "DIR",
                description = "local directory pg_receivewal writes to before each segment is stored")
        Path spool;
        @Option(names = "--interval", defaultValue = "1", paramLabel = "SECONDS",
                description = "how often what arrived is stored; default ${DEFAULT-VALUE}")
        int interval;

        @Override
        public Integer call() throws Exception {
            Repository r = repo.open();
            WalReceiver receiver = new WalReceiver(r, server.source(source.name), spool,
                    Compression.parse(r.config().compression()), java.time.Duration.ofSeconds(interval));
            Thread main = Thread.currentThread();
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                receiver.close();
                try {
                    main.join(30_000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }));
            receiver.run();
            return 0;
        }
    }

    @Command(name = "check", mixinStandardHelpOptions = true,
            description = "Is the WAL safe? No gap in the archived chain after the newest full backup, and (unless "
                    + "--no-server) the server's archiving or wal-receive working. Exit 1 names each problem.")
    static final class Check implements Callable<Integer> {
        @Mixin
        RepositoryOptions repo;
        @Mixin
        SourceName source;
        @Mixin
        Server server;
        @Option(names = "--no-server", description = "check the repository only")
        boolean noServer;

        @Override
        public Integer call() throws Exception {
            WalCheck.Report report = WalCheck.run(repo.open(), source.name, noServer ? null : server.source(source.name));
            if (repo.json) {
                Output.json(report);
            } else {
                System.out.println((report.ok() ? "WAL of " + source.name + " is safe" : "WAL of " + source.name
                        + " is NOT safe") + ": " + report.archivedSegments() + " files archived, newest "
                        + report.newestArchived());
                report.problems().forEach(p -> System.out.println("problem: " + p));
                report.notes().forEach(n -> System.out.println("note: " + n));
            }
            return report.ok() ? 0 : 1;
        }
    }

    @Command(name = "forget", mixinStandardHelpOptions = true,
            description = "Apply retention: remove backups older than their retention (never the newest full) and the "
                    + "WAL no kept backup needs. --dry-run shows what would go.")
    static final class Forget implements Callable<Integer> {
        @Mixin
        RepositoryOptions repo;
        @Mixin
        SourceName source;
        @Option(names = "--keep-full", defaultValue = "30d", paramLabel = "AGE", description = "default ${DEFAULT-VALUE}")
        String full;
        @Option(names = "--keep-incremental", defaultValue = "7d", paramLabel = "AGE",
                description = "default ${DEFAULT-VALUE}")
        String incremental;
        @Option(names = "--keep-wal", defaultValue = "24h", paramLabel = "AGE",
                description = "WAL no kept backup needs stays this long; default ${DEFAULT-VALUE}")
        String wal;
        @Option(names = "--dry-run", description = "only show what would be removed")
        boolean dryRun;
        @Option(names = "--as-of", paramLabel = "TIME",
                description = "judge ages as of this time instead of now (e.g. with --dry-run: what goes next week)")
        java.time.Instant asOf;

        @Override
        public Integer call() throws Exception {
            Repository r = repo.open();
            PgRetention.Plan plan = PgRetention.plan(r, source.name, Retention.parse(full),
                    Retention.parse(incremental), Retention.parse(wal), asOf != null ? asOf : java.time.Instant.now());
            if (!dryRun) {
                PgRetention.apply(r, source.name, plan);
            }
            if (repo.json) {
                Output.json(Map.of("dryRun", dryRun, "backups", plan.backups(), "removeWal", plan.removeWal()));
                return 0;
            }
            for (PgRetention.Decision d : plan.backups()) {
                System.out.printf("%-6s %-11s %s  %s  %s%n", d.keep() ? "keep" : dryRun ? "would remove" : "remove",
                        d.kind(), d.id().substring(0, 8), d.time(), d.reason());
            }
            System.out.printf("%s %d WAL files%s%n", dryRun ? "would remove" : "removed", plan.removeWal().size(),
                    plan.keepWalFrom() == null ? "" : "; WAL from " + plan.keepWalFrom() + " on is kept");
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
            // a segment wal-receive had only partly received when the source was lost ends the recovery
            LogArchive.Segment segment = archive.getCompleteOrPartial(name);
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
