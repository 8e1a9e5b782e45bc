package io.lifeboat.source.mysql;

import io.lifeboat.repository.LogArchive;
import io.lifeboat.repository.Repository;
import io.lifeboat.repository.RepositoryException;
import io.lifeboat.repository.RepositoryLock;
import io.lifeboat.repository.Snapshot;
import io.lifeboat.source.DatabaseBackups;
import io.lifeboat.source.DirectoryTrees;
import io.lifeboat.source.ProcessOutput;
import io.lifeboat.source.Tool;
import io.lifeboat.source.files.StreamSnapshot;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Point-in-time recovery of a MySQL/MariaDB source into a fresh data directory: the newest full
 * backup before the target and the incrementals on top of it are unpacked and prepared
 * (mariadb-backup), or a logical full is loaded into a new server; the server is started
 * privately, the archived binlogs are replayed from the backup's position up to the target
 * (mariadb-binlog piped into the server), and the result is checked: mariadb-check of every table
 * and rows per table. The server is stopped again, its data directory ready to start.
 */
public final class MySqlRestore {
    private static final Duration REPLAY_TIMEOUT = Duration.ofHours(4);
    private static final Pattern CHECKPOINT = Pattern.compile("(from_lsn|to_lsn) = (\\d+)");
    private static final DateTimeFormatter BINLOG_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss")
            .withZone(ZoneOffset.UTC);

    /** Where replay stops: a time, a binlog position (FILE:OFFSET), a GTID, the backup itself, or the newest binlog. */
    public record Target(String kind, String value) {
        public static Target latest() {
            return new Target("latest", null);
        }

        @Override
        public String toString() {
            return value == null ? kind : kind + " " + value;
        }
    }

    /**
     * What the restore found: the chain restored, the binlog positions its data begins and ends at
     * (null without replay), the check, rows per table.
     */
    public record Result(List<String> chain, String replayedFrom, String replayedTo, boolean passed, String checkReport,
                         Map<String, Long> rowCounts, long totalRows) {
    }

    /** What a replay reached: the end of the last binlog it read, and what the report should add (else null). */
    private record Replayed(Binlogs.Position end, String note) {
    }

    private MySqlRestore() {
    }

    /**
     * The backups to restore, oldest first: the newest full one (physical or logical) at or
     * before the target, and the incrementals taken on it, one on another, up to the target; none
     * that a history the target does not lie in took after it was left (BinlogTimelines).
     */
    public static List<Snapshot> chainFor(List<Snapshot> snapshots, String source,
                                          List<BinlogTimelines.Switch> switches, Target target) {
        Snapshot full = null;
        for (Snapshot s : snapshots) {
            if ("full".equals(DatabaseBackups.kind(s, source)) && before(s, target)
                    && BinlogTimelines.onPath(s, switches, target)) {
                full = s;
            }
        }
        if (full == null) {
            throw new RepositoryException("no full backup of " + source + " at or before " + target);
        }
        List<Snapshot> chain = new ArrayList<>(List.of(full));
        for (Snapshot s : snapshots) {
            if ("incremental".equals(DatabaseBackups.kind(s, source)) && before(s, target)
                    && BinlogTimelines.onPath(s, switches, target) && chain.get(chain.size() - 1).id().equals(Binlogs.LOGS.basedOn(s))) {
                chain.add(s);
            }
        }
        return chain;
    }

    /** The chain that ends with that backup: it, and the backups it is based on, back to a full; oldest first. */
    public static List<Snapshot> chainTo(List<Snapshot> snapshots, String source, Snapshot last) {
        List<Snapshot> chain = new ArrayList<>(List.of(last));
        while (!"full".equals(DatabaseBackups.kind(chain.get(0), source))) {
            String base = Binlogs.LOGS.basedOn(chain.get(0));
            Snapshot found = snapshots.stream().filter(s -> s.id().equals(base)).findFirst().orElseThrow(() ->
                    new RepositoryException("backup " + chain.get(0).shortId() + " of " + source + " is based on "
                            + (base == null ? "no backup" : base.substring(0, 8)) + ", which is not in the repository"));
            chain.add(0, found);
        }
        return chain;
    }

    /** Whether the backup's data ends at or before the target. */
    static boolean before(Snapshot s, Target target) {
        Binlogs.Position at = Binlogs.Position.of(s);
        return switch (target.kind()) {
            case "time" -> !Instant.parse(s.time()).isAfter(parseTime(target.value()));
            case "position" -> {
                Binlogs.Position to = Binlogs.Position.parse(target.value());
                yield at != null && (Binlogs.number(at.file()) < Binlogs.number(to.file())
                        || at.file().equals(to.file()) && at.offset() <= to.offset());
            }
            case "gtid" -> gtidBefore(DatabaseBackups.tag(s, Binlogs.TAG_GTID), target.value());
            default -> true;
        };
    }

    /** Whether a backup's GTID position is at or before the target GTID, in the target's domain. */
    private static boolean gtidBefore(String backup, String target) {
        String[] t = checkGtid(target).split("-");
        if (backup == null) {
            return false;
        }
        for (String g : backup.split(",")) {
            String[] b = g.split("-");
            if (b.length == 3 && b[0].equals(t[0])) {
                return Long.parseLong(b[2]) <= Long.parseLong(t[2]);
            }
        }
        return true; // the backup holds nothing of that domain yet
    }

    private static String checkGtid(String gtid) {
        if (gtid == null || !gtid.matches("\\d{1,10}-\\d{1,10}-\\d{1,19}")) {
            throw new IllegalArgumentException("--to-gtid '" + gtid + "' is not a GTID like 0-1-42 (domain-server-sequence)");
        }
        return gtid;
    }

    /** A time with its zone: ISO 8601 ("2026-11-25T14:03:00Z") or "2026-11-25 14:03:00+00". */
    static Instant parseTime(String text) {
        String iso = text.trim().replace(' ', 'T').replaceFirst("([+-]\\d\\d)$", "$1:00");
        try {
            return OffsetDateTime.parse(iso).toInstant();
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("--to-time '" + text + "' is not a time with a zone, like "
                    + "2026-11-25 14:03:00+00");
        }
    }

    /**
     * Restores the chain for target into dataDir (empty or absent), replays the binlogs and checks
     * the result, running the server as osUser (null: this process's user).
     */
    public static Result restore(Repository repository, String source, Target target, Path dataDir, String osUser)
            throws IOException, InterruptedException {
        List<BinlogTimelines.Switch> switches = BinlogTimelines.read(new LogArchive(repository, source));
        return restore(repository, source, chainFor(repository.snapshots(), source, switches, target), target, dataDir,
                osUser);
    }

    /** Restores that chain (a full and the incrementals on it, oldest first), then as above. */
    public static Result restore(Repository repository, String source, List<Snapshot> chain, Target target, Path dataDir,
                                 String osUser) throws IOException, InterruptedException {
        emptyOrAbsent(dataDir);
        replayFrom(chain.get(chain.size() - 1), target);
        if ("position".equals(target.kind())) {
            Binlogs.Position to = Binlogs.Position.parse(target.value());
            LogArchive.Segment last = new LogArchive(repository, source).current(to.file());
            if (last == null || last.size() < to.offset()) {
                throw new IOException("binlog " + to.file() + (last == null ? " is not in the repository"
                        : " is in the repository up to offset " + last.size() + " only") + ": cannot reach " + to);
            }
        }
        if (osUser != null && Files.exists(dataDir.toAbsolutePath().getParent()) && !Tool.run("test", Tool.of(List.of(
                "runuser", "-u", osUser, "--", "test", "-x", dataDir.toAbsolutePath().getParent().toString())),
                Duration.ofMinutes(1)).ok()) {
            throw new IOException("the system user " + osUser + " cannot enter " + dataDir.toAbsolutePath().getParent()
                    + ", where the restored server's data goes: choose a place it can reach");
        }
        Files.createDirectories(dataDir);
        Path work = Files.createTempDirectory(dataDir.toAbsolutePath().getParent(), ".lifeboat-restore-",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        try (RepositoryLock lock = repository.sharedLock("restore")) {
            Snapshot full = chain.get(0);
            boolean logical = DatabaseBackups.is(full, DatabaseBackups.MYSQL_LOGICAL);
            if (logical) {
                PrivateServer.initialize(dataDir, osUser);
            } else {
                unpackAndPrepare(repository, chain, dataDir, work);
            }
            Snapshot last = chain.get(chain.size() - 1);
            Binlogs.Position from = replayFrom(last, target);
            Replayed replayed = new Replayed(Binlogs.Position.of(last), from == null && !"immediate".equals(target.kind())
                    ? "backup " + last.shortId() + " has no binlog position: restored to its own end" : null);
            try (PrivateServer server = PrivateServer.start(dataDir, osUser)) {
                if (logical) {
                    load(repository, full, server);
                }
                if (from != null) {
                    replayed = replay(repository, source, from, target, work, server);
                }
            }
            String note = replayed.note();
            try (PrivateServer server = PrivateServer.start(dataDir, osUser)) {
                Tool.Result check = server.check();
                Map<String, Long> rows = rowCounts(server);
                String report = (check.out() + "\n" + check.err()).strip();
                String said = (report.isEmpty() ? "mariadb-check: every table OK" : report) + (note == null ? ""
                        : " (" + note + ")");
                return new Result(chain.stream().map(Snapshot::id).toList(), from == null ? null : from.toString(),
                        replayed.end() == null ? null : replayed.end().toString(), check.ok() && report.isEmpty(), said, rows, rows.values().stream().mapToLong(Long::longValue).sum());
            }
        } finally {
            DirectoryTrees.delete(work);
        }
    }

    /**
     * Where replay begins: the backup's binlog position; none for a target of the backup itself.
     * A backup taken with binary logging off has none, and reaches no other target than its own
     * end; a GTID target is compared within one domain, so a server of several is refused it.
     */
    private static Binlogs.Position replayFrom(Snapshot last, Target target) {
        if ("immediate".equals(target.kind())) {
            return null;
        }
        Binlogs.Position from = Binlogs.Position.of(last);
        if (from == null && !"latest".equals(target.kind())) {
            throw new IllegalArgumentException("backup " + last.shortId() + " has no binlog position (binary logging "
                    + "was off when it was taken): it restores only to its own end (--to-latest)");
        }
        String gtid = DatabaseBackups.tag(last, Binlogs.TAG_GTID);
        if ("gtid".equals(target.kind()) && gtid != null && gtid.contains(",")) {
            throw new IllegalArgumentException("--to-gtid on a server with several GTID domains (" + gtid + ") would "
                    + "replay only the target's domain: use --to-position or --to-time");
        }
        return from;
    }

    private static void emptyOrAbsent(Path dataDir) throws IOException {
        if (Files.exists(dataDir)) {
            try (Stream<Path> entries = Files.list(dataDir)) {
                if (entries.findAny().isPresent()) {
                    throw new IllegalArgumentException("target directory " + dataDir + " is not empty");
                }
            }
        }
    }

    /** mbstream -x of the full into dataDir, prepare, then each incremental checked and applied in order. */
    private static void unpackAndPrepare(Repository repository, List<Snapshot> chain, Path dataDir, Path work)
            throws IOException, InterruptedException {
        unpack(repository, chain.get(0), dataDir);
        prepare(List.of("--prepare", "--target-dir=" + dataDir));
        for (int i = 1; i < chain.size(); i++) {
            Path inc = work.resolve("incremental-" + i);
            Files.createDirectories(inc);
            unpack(repository, chain.get(i), inc);
            // applying an incremental that does not start where the data ends damages the data (and
            // mariadb-backup finds out only halfway): compare the checkpoints first
            String has = checkpoint(dataDir, "to_lsn");
            String starts = checkpoint(inc, "from_lsn");
            if (!has.equals(starts)) {
                throw new IOException("incremental " + chain.get(i).shortId() + " starts at LSN " + starts
                        + " but the restored data ends at " + has + ": the chain is broken");
            }
            prepare(List.of("--prepare", "--target-dir=" + dataDir, "--incremental-dir=" + inc));
            DirectoryTrees.delete(inc);
        }
    }

    private static void unpack(Repository repository, Snapshot backup, Path into) throws IOException, InterruptedException {
        Process mbstream = Tool.of(List.of(MySqlSource.program("mbstream"), "-x", "-C", into.toAbsolutePath().toString()))
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        ProcessOutput errors = new ProcessOutput(mbstream.getErrorStream(), "mbstream");
        try (InputStream in = StreamSnapshot.open(repository, backup); OutputStream out = mbstream.getOutputStream()) {
            in.transferTo(out);
        }
        int exit = mbstream.waitFor();
        if (exit != 0) {
            throw new IOException("unpacking backup " + backup.shortId() + " failed (mbstream " + ProcessOutput.exit(exit)
                    + "): " + errors.tail());
        }
    }

    private static void prepare(List<String> args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(MySqlSource.program("mariadb-backup"), "--no-defaults"));
        cmd.addAll(args);
        Tool.Result r = Tool.run("mariadb-backup --prepare", Tool.of(cmd), REPLAY_TIMEOUT);
        if (!r.ok()) {
            String err = r.err();
            throw new IOException("mariadb-backup --prepare failed (" + ProcessOutput.exit(r.exit()) + "): "
                    + err.substring(Math.max(0, err.length() - 1500)));
        }
    }

    private static String checkpoint(Path dir, String field) throws IOException {
        Matcher m = CHECKPOINT.matcher(Files.readString(dir.resolve("xtrabackup_checkpoints")));
        while (m.find()) {
            if (m.group(1).equals(field)) {
                return m.group(2);
            }
        }
        throw new IOException(dir + "/xtrabackup_checkpoints has no " + field);
    }

    /** Loads a logical full backup into the private server. */
    private static void load(Repository repository, Snapshot dump, PrivateServer server)
            throws IOException, InterruptedException {
        Process client = server.clientProcess(List.of("--binary-mode")).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        ProcessOutput errors = new ProcessOutput(client.getErrorStream(), "mariadb");
        try (InputStream in = StreamSnapshot.open(repository, dump); OutputStream out = client.getOutputStream()) {
            in.transferTo(out);
        } catch (IOException e) {
            // the client stopped reading: its exit status and stderr tell why
        }
        int exit = client.waitFor();
        if (exit != 0) {
            throw new IOException("loading logical backup " + dump.shortId() + " failed (" + ProcessOutput.exit(exit)
                    + "): " + errors.tail());
        }
    }

    /** A binlog's magic and the first field of its first event's header: the time it was written. */
    private static final int BINLOG_HEAD = 8;

    /**
     * Whether a binlog whose first bytes are head began before the time: it starts with its magic
     * and a format description event, whose header begins with the time it was written, as
     * seconds (unsigned, little-endian), and every later event of the file is at least as late.
     */
    private static boolean startsBefore(byte[] head, Instant time) {
        if (head.length < BINLOG_HEAD || (head[0] & 0xff) != 0xfe || head[1] != 'b' || head[2] != 'i' || head[3] != 'n') {
            return true; // not known: replay it
        }
        long seconds = ByteBuffer.wrap(head, 4, 4).order(ByteOrder.LITTLE_ENDIAN).getInt() & 0xffffffffL;
        return seconds < time.getEpochSecond();
    }

    /**
     * Copies the archived binlogs from the backup's file on (to the target's file for a position)
     * and replays them from the backup's offset to the target. Refused, before anything is
     * replayed, when the repository cannot reach the target: a missing or partly streamed file on
     * the way, the target's file or offset not there, a time past a gap. A target past a restore in
     * place is reached through the histories it passes (BinlogTimelines), one stretch after another.
     */
    private static Replayed replay(Repository repository, String source, Binlogs.Position from, Target target, Path work,
                                   PrivateServer server) throws IOException, InterruptedException {
        LogArchive archive = new LogArchive(repository, source);
        List<BinlogTimelines.Leg> legs = BinlogTimelines.legs(BinlogTimelines.read(archive), from, target);
        Replayed replayed = null;
        for (int i = 0; i < legs.size(); i++) {
            replayed = replay(archive, legs.get(i), work.resolve("binlogs-" + i), server);
        }
        return replayed;
    }

    private static Replayed replay(LogArchive archive, BinlogTimelines.Leg leg, Path staged, PrivateServer server)
            throws IOException, InterruptedException {
        Binlogs.Position from = leg.from();
        Target target = leg.to();
        TreeSet<Long> have = Binlogs.numbers(archive.list());
        long newest = have.isEmpty() ? -1 : have.last();
        Binlogs.Position to = "position".equals(target.kind()) ? Binlogs.Position.parse(target.value()) : null;
        long lastNeeded = Math.min(leg.lastFile(), to != null ? Binlogs.number(to.file()) : newest);
        Files.createDirectories(staged);
        List<String> files = new ArrayList<>();
        Instant stop = "time".equals(target.kind())
                ? parseTime(target.value()).plusSeconds(1).truncatedTo(ChronoUnit.SECONDS) : null;
        LogArchive.Segment lastStaged = null;
        String gap = null;
        for (long n = Binlogs.number(from.file()); n <= lastNeeded; n++) {
            String name = Binlogs.name(from.file(), n);
            // the newest file, or the last of a history, may be there as a partial (the newest one growing while read)
            LogArchive.Segment s = have.contains(n) ? archive.current(name) : null;
            if (s == null) {
                gap = name;
                break;
            }
            try (InputStream in = archive.open(s)) {
                byte[] head = in.readNBytes(BINLOG_HEAD);
                if (stop != null && !files.isEmpty() && !startsBefore(head, stop)) {
                    break; // it and every later file hold only events the replay would skip
                }
                try (OutputStream out = Files.newOutputStream(staged.resolve(name))) {
                    out.write(head);
                    in.transferTo(out);
                }
            }
            files.add(staged.resolve(name).toString());
            lastStaged = s;
        }
        String note = null;
        if (gap != null) {
            String why = "binlog " + gap + " is not in the repository (or only partly: its end was never streamed)";
            boolean before = lastStaged != null && "time".equals(target.kind())
                    && !parseTime(target.value()).isAfter(Instant.parse(lastStaged.stored()));
            if (!before) {
                throw new IOException(why + ": replay from " + from + " cannot reach " + target + " (db check names the gap)");
            }
        } else if ("time".equals(target.kind()) && lastStaged != null
                && parseTime(target.value()).isAfter(Instant.parse(lastStaged.stored()))) {
            note = "the binlogs in the repository end at " + lastStaged.stored() + ", before the target";
        }
        if (files.isEmpty()) {
            throw new IOException("binlog " + from.file() + ", where replay starts, is not in the repository");
        }
        List<String> cmd = new ArrayList<>(List.of(MySqlSource.program("mariadb-binlog"), "--no-defaults",
                "--start-position=" + from.offset()));
        switch (target.kind()) {
            case "time" -> cmd.add("--stop-datetime=" + BINLOG_TIME.format(stop));
            case "position" -> cmd.add("--stop-position=" + to.offset());
            case "gtid" -> cmd.add("--stop-position=" + checkGtid(target.value()));
            default -> { }
        }
        cmd.addAll(files);
        ProcessBuilder reader = Tool.of(cmd);
        // event times are whole seconds, read in the tool's time zone: UTC, as the target is written
        reader.environment().put("TZ", "UTC");
        Process binlog = reader.start();
        ProcessOutput binlogErrors = new ProcessOutput(binlog.getErrorStream(), "mariadb-binlog");
        Process client = server.clientProcess(List.of("--binary-mode")).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        ProcessOutput clientErrors = new ProcessOutput(client.getErrorStream(), "mariadb");
        try (InputStream in = binlog.getInputStream(); OutputStream out = client.getOutputStream()) {
            // the server checks no grants for this socket; grant statements in the binlogs need the tables back
            out.write("FLUSH PRIVILEGES;\n".getBytes(StandardCharsets.US_ASCII));
            in.transferTo(out);
        } catch (IOException e) {
            binlog.destroyForcibly();
        }
        int readExit = binlog.waitFor();
        int applyExit = client.waitFor();
        if (applyExit != 0) {
            throw new IOException("replaying binlogs failed (mariadb " + ProcessOutput.exit(applyExit) + "): "
                    + clientErrors.tail());
        }
        String said = binlogErrors.tail();
        if (readExit != 0) {
            throw new IOException("reading binlogs failed (mariadb-binlog " + ProcessOutput.exit(readExit) + "): " + said);
        }
        if (said.contains("Did not reach stop") && !"time".equals(target.kind())) {
            // mariadb-binlog says so and exits 0: the binlogs end before that GTID or position
            throw new IOException("replay did not reach " + target + ": the binlogs in the repository end before it");
        }
        return new Replayed(new Binlogs.Position(lastStaged.name().replace(LogArchive.PARTIAL, ""), lastStaged.size()),
                note);
    }

    /** Rows of every table of the server's databases (not its own schemas), "database.table" to count. */
    private static Map<String, Long> rowCounts(PrivateServer server) throws IOException, InterruptedException {
        List<List<String>> tables = server.query("SELECT TABLE_SCHEMA, TABLE_NAME FROM information_schema.TABLES "
                + "WHERE TABLE_TYPE = 'BASE TABLE' AND TABLE_SCHEMA NOT IN ('mysql', 'information_schema', "
                + "'performance_schema', 'sys') ORDER BY 1, 2");
        Map<String, Long> counts = new LinkedHashMap<>();
        for (List<String> t : tables) {
            String count = server.query("SELECT COUNT(*) FROM " + SqlNames.quote(t.get(0)) + "."
                    + SqlNames.quote(t.get(1))).get(0).get(0);
            counts.put(t.get(0) + "." + t.get(1), Long.parseLong(count));
        }
        return counts;
    }

    /**
     * Starts a restored, checked server on its own, detached, listening on port (its socket, pid
     * file and error log in its data directory); waits until it listens, or says why it stopped.
     */
    public static void startServer(Path dataDir, int port, String osUser) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(MySqlSource.program("mariadbd"), "--no-defaults",
                "--datadir=" + dataDir, "--port=" + port, "--socket=" + dataDir.resolve("mysqld.sock"),
                "--pid-file=" + dataDir.resolve("mysqld.pid"), "--log-error=" + dataDir.resolve("mysqld.err")));
        if (osUser != null) {
            cmd.add("--user=" + osUser);
        }
        Process server = Tool.of(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
        while (!Files.exists(dataDir.resolve("mysqld.sock"))) {
            if (!server.isAlive() || System.nanoTime() > deadline) {
                String log = Files.exists(dataDir.resolve("mysqld.err")) ? Files.readString(dataDir.resolve("mysqld.err"))
                        : "";
                throw new IOException("the restored server did not start on port " + port + ": "
                        + log.substring(Math.max(0, log.length() - 1500)).strip());
            }
            Thread.sleep(200);
        }
    }
}
