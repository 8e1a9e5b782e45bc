package io.lifeboat.cli;

import io.lifeboat.catalog.Catalog;
import io.lifeboat.config.ConfigLoader;
import io.lifeboat.repository.LogArchive;
import io.lifeboat.repository.Repository;
import io.lifeboat.repository.Snapshot;
import io.lifeboat.source.LogGap;
import io.lifeboat.source.mysql.MySqlRestore;
import io.lifeboat.source.postgres.PgBaseBackup;
import io.lifeboat.source.postgres.PgRestore;
import io.lifeboat.source.postgres.PgTools;
import io.lifeboat.source.postgres.RestoreValidation;
import io.lifeboat.source.postgres.WalBatches;
import io.lifeboat.source.postgres.WalChain;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "restore", mixinStandardHelpOptions = true,
        description = "Point-in-time restore into a fresh data directory. The restored server is then started "
                + "privately, recovers to the target from the repository's WAL or binlogs and is checked (pg_amcheck "
                + "or mariadb-check, rows per table, recorded in the catalog); --start then runs it on its own.")
final class DbRestoreCommand implements Callable<Integer> {
    /** Exactly one recovery target. */
    static final class Targets {
        @Option(names = "--to-time", paramLabel = "TIME", description = "e.g. 2026-11-25T14:03:00Z")
        String time;
        @Option(names = "--to-lsn", paramLabel = "LSN", description = "PostgreSQL")
        String lsn;
        @Option(names = "--to-name", paramLabel = "RESTORE_POINT", description = "PostgreSQL")
        String name;
        @Option(names = "--to-position", paramLabel = "FILE:POS",
                description = "MySQL/MariaDB: a binlog position, e.g. binlog.000042:1176 (as SHOW MASTER STATUS gives)")
        String position;
        @Option(names = "--to-gtid", paramLabel = "GTID", description = "MySQL/MariaDB: up to this GTID, e.g. 0-1-4711")
        String gtid;
        @Option(names = "--to-latest", description = "replay all archived WAL or binlogs")
        boolean latest;

        MySqlRestore.Target mysqlTarget() {
            if (lsn != null || name != null) {
                throw new IllegalArgumentException("--to-lsn and --to-name are PostgreSQL's; use --to-position or "
                        + "--to-gtid");
            }
            return time != null ? new MySqlRestore.Target("time", time) : position != null
                    ? new MySqlRestore.Target("position", position) : gtid != null ? new MySqlRestore.Target("gtid", gtid)
                    : MySqlRestore.Target.latest();
        }

        PgRestore.Target target() {
            if (position != null || gtid != null) {
                throw new IllegalArgumentException("--to-position and --to-gtid are MySQL/MariaDB's; use --to-lsn");
            }
            return time != null ? new PgRestore.Target("time", time) : lsn != null ? new PgRestore.Target("lsn", lsn)
                    : name != null ? new PgRestore.Target("name", name) : PgRestore.Target.latest();
        }
    }

    @Mixin
    RepositoryOptions repo;
    @Mixin
    DbCommand.SourceName source;
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
    @Option(names = "--keep-archiving", description = "with --start: keep the source's archive_command (this copy "
            + "replaces the source); by default a started copy does not archive, so its new timeline never reaches "
            + "the source's archive")
    boolean keepArchiving;
    @Option(names = "--port", paramLabel = "PORT",
            description = "MySQL/MariaDB with --start: the port the restored server listens on (not the source's)")
    Integer port;
    @Option(names = "--run-as", paramLabel = "USER",
            description = "system user that owns and runs the restored server; default postgres (mysql for "
                    + "MySQL/MariaDB) when run as root")
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
        Repository r = repo.openForReading();
        if (DbCommand.holdsMysql(r, source.name)) {
            return mysql(r);
        }
        if (repo.passwordFile == null) {
            throw new IllegalArgumentException("db restore needs --password-file: PostgreSQL's restore_command "
                    + "reads the passphrase from it (keep it readable by the server's user)");
        }
        if (start && noValidate) {
            throw new IllegalArgumentException("--start needs the validation that --no-validate turns off");
        }
        String command = lifeboatCommand != null ? lifeboatCommand
                : System.getProperty("lifeboat.command", "lifeboat");
        PgRestore.Target target = targets.target();
        Path dir = dataDir.toAbsolutePath();
        long started = System.nanoTime();
        Snapshot base = PgRestore.prepare(r, source.name, dir, target,
                PgRestore.restoreCommand(Arrays.asList(command.split(" ")), r.store().address(),
                        repo.passwordFile.toAbsolutePath(), source.name));
        String targetText = target.value() == null ? "latest" : target.kind() + " " + target.value();
        String walStart = PgBaseBackup.WalRange.of(base).start();
        List<LogGap> gaps = WalChain.gaps(new LogArchive(r, source.name).list(), walStart, null).stream()
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
                System.out.printf("restored backup %s of %s into %s; start PostgreSQL on it to recover to %s "
                        + "(set archive_mode = off first unless it replaces the source)%n",
                        base.shortId(), source.name, dir, targetText);
            }
            return 0;
        }
        String owner = PgTools.serverUser(runAs);
        RestoreValidation.Result result;
        String failure = null;
        try {
            result = RestoreValidation.run(dir, owner, superuser, Duration.ofMinutes(recoveryMinutes));
        } catch (IOException e) {
            result = null;
            failure = e.getMessage();
        }
        WalBatches.dropPrefetched(dir.resolve(PgRestore.PREFETCH));
        String status = result != null && result.passed() ? "passed" : "failed";
        String report = (gaps.isEmpty() ? "" : "WAL gap " + gaps.get(0) + ": recovery ended before it. ")
                + (result == null ? failure : result.amcheckReport());
        recordInCatalog(new Catalog.RestoreCheck(UUID.randomUUID().toString(), source.name, base.id(),
                targetText, dir.toString(), Instant.now(), (System.nanoTime() - started) / 1_000_000,
                status, result == null ? null : result.totalRows(),
                result == null ? null : Repository.JSON.writeValueAsString(result.rowCounts()), report));
        if (result == null || !result.passed()) {
            throw new IllegalStateException("restored " + source.name + " into " + dir + " but validation failed: "
                    + report);
        }
        if (start) {
            if (!keepArchiving) {
                PgRestore.disableArchiving(dir);
            }
            PgRestore.startServer(dir, owner);
        }
        if (repo.json) {
            printJson(Map.of("base", base.id()), dir, status, result.totalRows(), result.rowCounts());
        } else {
            System.out.printf("restored backup %s of %s into %s, recovered to %s; validation passed: pg_amcheck "
                    + "clean, %d tables, %d rows%s%n", base.shortId(), source.name, dir, targetText,
                    result.rowCounts().size(), result.totalRows(), start ? "; server started" : "");
        }
        return 0;
    }

    /** MySQL/MariaDB: restore, replay the binlogs, check, record; start when asked. */
    private int mysql(Repository r) throws Exception {
        if (noValidate || keepArchiving) {
            throw new IllegalArgumentException("--no-validate and --keep-archiving are PostgreSQL's");
        }
        MySqlRestore.Target target = targets.mysqlTarget();
        if (start && port == null) {
            throw new IllegalArgumentException("--start needs --port: the port the restored server listens on, beside "
                    + "the source's own");
        }
        Path dir = dataDir.toAbsolutePath();
        String owner = runAs != null ? runAs : "root".equals(System.getProperty("user.name")) ? "mysql" : null;
        long started = System.nanoTime();
        MySqlRestore.Result result = null;
        String failure = null;
        try {
            result = MySqlRestore.restore(r, source.name, target, dir, owner);
        } catch (IOException e) {
            failure = e.getMessage();
        }
        String status = result != null && result.passed() ? "passed" : "failed";
        String report = result == null ? failure : result.checkReport();
        recordInCatalog(new Catalog.RestoreCheck(UUID.randomUUID().toString(), source.name,
                result == null ? null : result.chain().get(0), target.toString(), dir.toString(),
                Instant.now(), (System.nanoTime() - started) / 1_000_000, status,
                result == null ? null : result.totalRows(),
                result == null ? null : Repository.JSON.writeValueAsString(result.rowCounts()), report));
        if (result == null || !result.passed()) {
            throw new IllegalStateException("restoring " + source.name + " into " + dir + " failed: " + report);
        }
        if (start) {
            MySqlRestore.startServer(dir, port, owner);
        }
        if (repo.json) {
            Map<String, Object> restored = new LinkedHashMap<>();
            restored.put("chain", result.chain());
            restored.put("replayedFrom", result.replayedFrom());
            printJson(restored, dir, status, result.totalRows(), result.rowCounts());
        } else {
            System.out.printf("restored %s of %s (%d backups) into %s, binlogs replayed from %s to %s; validation "
                    + "passed: %s, %d tables, %d rows%s%n", result.chain().get(0).substring(0, 8), source.name,
                    result.chain().size(), dir, result.replayedFrom() == null ? "-" : result.replayedFrom(), target,
                    result.checkReport(), result.rowCounts().size(), result.totalRows(),
                    start ? "; server started on port " + port : "");
        }
        return 0;
    }

    /** What was restored, then where, the validation and the rows per table. */
    private void printJson(Map<String, Object> restored, Path dir, String status, long totalRows,
                           Map<String, Long> rowCounts) throws IOException {
        Map<String, Object> out = new LinkedHashMap<>(restored);
        out.put("target", dir.toString());
        out.put("validation", status);
        out.put("totalRows", totalRows);
        out.put("rowCounts", rowCounts);
        out.put("started", start);
        Output.json(out);
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
