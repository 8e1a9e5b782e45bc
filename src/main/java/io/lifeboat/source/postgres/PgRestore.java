package io.lifeboat.source.postgres;

import io.lifeboat.repository.Repository;
import io.lifeboat.repository.RepositoryException;
import io.lifeboat.repository.RepositoryLock;
import io.lifeboat.repository.Snapshot;
import io.lifeboat.source.DatabaseBackups;
import io.lifeboat.source.ProcessOutput;
import io.lifeboat.source.Tool;
import io.lifeboat.source.files.StreamSnapshot;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;

/**
 * Point-in-time recovery into a fresh data directory: the newest full backup that finished before
 * the target is unpacked, and PostgreSQL is told to replay archived WAL — fetched from the
 * repository by restore_command — up to the target, then promote.
 */
public final class PgRestore {
    /** WAL fetched ahead, under the restored data directory (where restore_command runs); base backups skip pg_wal. */
    public static final String PREFETCH = "pg_wal/lifeboat-prefetch";

    /**
     * Where recovery stops: a time, an LSN, a named restore point, the end of the backup itself
     * (immediate), or the end of the archived WAL (latest).
     */
    public record Target(String kind, String value) {
        public static Target latest() {
            return new Target("latest", null);
        }

        String settings() {
            return switch (kind) {
                case "time" -> "recovery_target_time = " + quote(POSTGRES_TIME.format(parseTime(value))) + "\n";
                case "lsn" -> "recovery_target_lsn = " + quote(value) + "\n";
                case "name" -> "recovery_target_name = " + quote(value) + "\n";
                case "immediate" -> "recovery_target = 'immediate'\n";
                default -> "";
            };
        }
    }

    private PgRestore() {
    }

    /**
     * The backup to start from: the newest full or incremental one that finished before a time
     * target. An incremental one needs the archived WAL from its start, which recovery fetches.
     */
    public static Snapshot baseFor(Repository repository, String source, Target target) throws IOException {
        return baseFor(repository.snapshots(), source, target);
    }

    /** As above, among snapshots already read. */
    public static Snapshot baseFor(List<Snapshot> snapshots, String source, Target target) {
        Instant before = "time".equals(target.kind()) ? parseTime(target.value()) : Instant.MAX;
        Snapshot chosen = null;
        for (Snapshot s : snapshots) {
            String kind = DatabaseBackups.kind(s, source);
            if (("full".equals(kind) || "incremental".equals(kind)) && !Instant.parse(s.time()).isAfter(before)) {
                chosen = s;
            }
        }
        if (chosen == null) {
            throw new RepositoryException("no backup of " + source + " finished before "
                    + ("time".equals(target.kind()) ? target.value() : "now"));
        }
        return chosen;
    }

    /** Unpacks the base backup into dataDir (which must be empty or absent) and sets up recovery. */
    public static Snapshot prepare(Repository repository, String source, Path dataDir, Target target,
                                   String restoreCommand) throws IOException, InterruptedException {
        Snapshot base = baseFor(repository, source, target);
        prepare(repository, base, dataDir, target, restoreCommand);
        return base;
    }

    /** Unpacks that base backup into dataDir (which must be empty or absent) and sets up recovery. */
    static void prepare(Repository repository, Snapshot base, Path dataDir, Target target, String restoreCommand)
            throws IOException, InterruptedException {
        if (Files.exists(dataDir)) {
            try (Stream<Path> entries = Files.list(dataDir)) {
                if (entries.findAny().isPresent()) {
                    throw new IllegalArgumentException("target directory " + dataDir + " is not empty");
                }
            }
        }
        Files.createDirectories(dataDir);
        Files.setPosixFilePermissions(dataDir, PosixFilePermissions.fromString("rwx------"));
        Process tar = Tool.of(List.of("tar", "-x", "-f", "-", "-C", dataDir.toAbsolutePath().toString()))
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        ProcessOutput errors = new ProcessOutput(tar.getErrorStream(), "tar");
        try (RepositoryLock lock = repository.sharedLock("restore");
             InputStream in = StreamSnapshot.open(repository, base); OutputStream out = tar.getOutputStream()) {
            in.transferTo(out);
        }
        if (tar.waitFor() != 0) {
            throw new IOException("unpacking the base backup failed: " + errors.tail());
        }
        Files.writeString(dataDir.resolve("recovery.signal"), "");
        Files.writeString(dataDir.resolve("postgresql.auto.conf"), "\n# written by lifeboat db restore\n"
                + "restore_command = " + quote(restoreCommand) + "\n" + target.settings()
                + ("latest".equals(target.kind()) ? "" : "recovery_target_action = 'promote'\n"),
                StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    /**
     * A copy that archived with the source's archive_command would put its new timeline into the
     * source's archive, where a later recovery of the source could follow it.
     */
    public static void disableArchiving(Path dataDir) throws IOException {
        Files.writeString(dataDir.resolve("postgresql.auto.conf"), "\n# lifeboat db restore --start: a copy does not "
                + "archive into its source's repository\narchive_mode = off\n", StandardOpenOption.APPEND);
    }

    /** Starts a restored, validated cluster on its own configuration (as osUser when not null). */
    public static void startServer(Path dataDir, String osUser) throws IOException, InterruptedException {
        RestoredServer.run(List.of(PgTools.bin("pg_ctl").toString(), "-D", dataDir.toString(), "-l",
                dataDir.resolve("lifeboat-start.log").toString(), "-w", "-t", "300", "start"), osUser);
    }

    /** PostgreSQL keeps microseconds; it refuses a time written with more digits. */
    private static final java.time.format.DateTimeFormatter POSTGRES_TIME = java.time.format.DateTimeFormatter
            .ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSSxxx").withZone(java.time.ZoneOffset.UTC);

    /** A time with its zone: ISO 8601 ("2026-11-25T14:03:00Z") or PostgreSQL's form ("2026-11-25 14:03:00+00"). */
    static Instant parseTime(String text) {
        String iso = text.trim().replace(' ', 'T').replaceFirst("([+-]\\d\\d)$", "$1:00");
        try {
            return java.time.OffsetDateTime.parse(iso).toInstant();
        } catch (java.time.format.DateTimeParseException e) {
            throw new IllegalArgumentException("--to-time '" + text + "' is not a time with a zone, like "
                    + "2026-11-25 14:03:00+00");
        }
    }

    /** A postgresql.conf string literal: its parser reads backslash escapes inside quotes too. */
    static String quote(String value) {
        return "'" + value.replace("\\", "\\\\").replace("'", "''") + "'";
    }

    /** The restore_command that fetches WAL from this repository through the lifeboat command line. */
    public static String restoreCommand(List<String> lifeboat, String repo, Path passwordFile, String source) {
        // PostgreSQL hands the command to the shell after replacing %f and %p: quote what could hold
        // the shell's characters (an S3 location's '&'), and double a '%' that is not one of those
        return String.join(" ", lifeboat) + " db wal-fetch --repo " + percent(shell(repo)) + " --password-file "
                + percent(shell(passwordFile.toString())) + " --source " + source + " --prefetch-dir " + PREFETCH
                + " %f %p";
    }

    /** One word for /bin/sh: as it is when it is plain, else in single quotes. */
    static String shell(String word) {
        return word.matches("[A-Za-z0-9_./:=@+,-]+") ? word : "'" + word.replace("'", "'\\''") + "'";
    }

    private static String percent(String text) {
        return text.replace("%", "%%");
    }
}
