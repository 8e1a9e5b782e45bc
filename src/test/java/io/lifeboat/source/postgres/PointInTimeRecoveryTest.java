package io.lifeboat.source.postgres;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lifeboat.storage.S3Server;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Full backup plus continuous WAL archiving of a throwaway cluster, then point-in-time restores:
 * the restored cluster holds exactly the transactions committed at or before the target. Lifeboat
 * runs as the postgres user throughout, as PostgreSQL's archive_command and restore_command do,
 * through bin/lifeboat: the launcher answers the segments a call pushed or fetched ahead without
 * starting Java, as in production.
 */
class PointInTimeRecoveryTest {
    /** This build installed as bin/lifeboat runs it, shared by the tests (they only read it). */
    private static Path installation;
    private Path work;
    private String repo;
    private List<String> lifeboat;
    private final List<ThrowawayCluster> clusters = new ArrayList<>();

    @BeforeAll
    static void install() throws Exception {
        installation = installed();
    }

    @AfterAll
    static void uninstall() throws Exception {
        io.lifeboat.TestSupport.deleteTree(installation);
    }

    @BeforeEach
    void setUp() throws Exception {
        work = Files.createTempDirectory("lifeboat-pitr");
        Files.setPosixFilePermissions(work, PosixFilePermissions.fromString("rwxr-xr-x"));
        lifeboat = commandForPostgresUser(work.resolve("lib"));
        Files.writeString(work.resolve("pw"), "pitr passphrase\n");
        Files.createDirectories(work.resolve("config"));
        Files.writeString(work.resolve("config/lifeboat.yaml"), "catalog:\n  url: jdbc:h2:file:"
                + work.resolve("catalog/lifeboat") + "\n");
        chownToPostgres(work);
        repo = work.resolve("repo").toString();
        ThrowawayCluster.lifeboatAsPostgres(cmd("init", "--repo", repo, "--password-file",
                work.resolve("pw").toString(), "--compression", "zstd"));
    }

    @AfterEach
    void tearDown() throws Exception {
        for (ThrowawayCluster c : clusters) {
            c.close();
        }
        io.lifeboat.TestSupport.deleteTree(work);
    }

    @Test
    void restoreToATimeHoldsExactlyTheRowsCommittedByThen() throws Exception {
        ThrowawayCluster primary = archivingPrimary();
        Instant t1;
        Instant beforeDrop;
        try (Connection db = primary.connect()) {
            t1 = threePhases(db, primary);
            beforeDrop = serverNow(db);
            db.createStatement().execute("DROP TABLE counts");
            awaitArchived(db, primary);
        }

        assertEquals(List.of("t0:100", "t1:10"), restoreAndCount("--to-time", t1.toString(), "r1"));
        assertEquals(List.of("t0:100", "t1:10", "t2:5"), restoreAndCount("--to-time", beforeDrop.toString(), "r2"),
                "the dropped table comes back from the time before the drop");
        assertEquals(List.of("no table"), restoreAndCount("--to-latest", null, "r3"), "latest replays the drop too");
        try (io.lifeboat.catalog.Catalog catalog = io.lifeboat.catalog.Catalog.open("jdbc:h2:file:"
                + work.resolve("catalog/lifeboat"), null, null)) {
            List<io.lifeboat.catalog.Catalog.RestoreCheck> checks = catalog.restoreChecks("beCamera");
            assertEquals(List.of("passed", "passed", "passed"), checks.stream().map(c -> c.status()).toList());
            assertTrue(checks.stream().anyMatch(c -> c.rowCounts().contains("\"postgres.public.counts\":115")),
                    "row counts per table are in the catalog: " + checks);
        }
    }

    @Test
    void aRepositoryInS3TakesTheArchivedWalAndRestoresToATime() throws Exception {
        try (S3Server s3 = new S3Server()) {
            repo = s3.repository("lifeboat-pitr", "beCamera");
            ThrowawayCluster.lifeboatAsPostgres(cmd("init", "--repo", repo, "--password-file",
                    work.resolve("pw").toString(), "--compression", "zstd"));
            ThrowawayCluster primary = archivingPrimary();
            Instant t1;
            try (Connection db = primary.connect()) {
                t1 = threePhases(db, primary);
                awaitArchived(db, primary);
            }
            assertEquals(List.of("t0:100", "t1:10"), restoreAndCount("--to-time", t1.toString(), "r-s3"));
        }
    }

    /**
     * 100 rows of phase t0, a full backup, 10 rows of t1, then 5 of t2; returns a moment after t1's
     * commit and before t2's, as the server's clock reads them.
     */
    private Instant threePhases(Connection db, ThrowawayCluster primary) throws Exception {
        db.createStatement().execute("CREATE TABLE counts (id serial PRIMARY KEY, phase text NOT NULL)");
        db.createStatement().execute("INSERT INTO counts (phase) SELECT 't0' FROM generate_series(1, 100)");
        dbBackup(primary);
        db.createStatement().execute("INSERT INTO counts (phase) SELECT 't1' FROM generate_series(1, 10)");
        Instant t1 = serverNow(db);
        db.createStatement().execute("INSERT INTO counts (phase) SELECT 't2' FROM generate_series(1, 5)");
        return t1;
    }

    /**
     * The server's clock, between the commit before and the one after: a commit records the time
     * it was made, and recovery targets are to the microsecond, so no pause is needed around it.
     */
    private static Instant serverNow(Connection db) throws Exception {
        try (ResultSet rs = db.createStatement().executeQuery("SELECT clock_timestamp()")) {
            rs.next();
            return rs.getObject(1, OffsetDateTime.class).toInstant();
        }
    }

    @Test
    void anIncrementalBackupStoresLittleAndRestoresWithTheArchivedWal() throws Exception {
        ThrowawayCluster primary = cluster(ThrowawayCluster.create(work.resolve("primary"), "wal_level = replica\n"));
        primary.start();
        long full;
        long incremental;
        try (Connection db = primary.connect()) {
            db.createStatement().execute("CREATE TABLE frames AS SELECT g AS id, md5(g::text) || md5((g * 7)::text)"
                    + " AS digest FROM generate_series(1, 1200000) g");
            // a settled table, as most of a production database is: hint bits set, tuples frozen
            db.createStatement().execute("VACUUM FREEZE frames");
            db.createStatement().execute("CHECKPOINT");
        }
        // archiving from here on (archive_mode is read at start): no restore needs the WAL that loaded the
        // table before the full backup, and storing it took longer than the rest of the test
        primary.configure(archiving());
        primary.restart();
        try (Connection db = primary.connect()) {
            full = storedBytes(dbBackup(primary, "--json"));
            db.createStatement().execute("UPDATE frames SET digest = 'changed' WHERE id % 150000 = 0");
            awaitArchived(db, primary);
            incremental = storedBytes(dbBackup(primary, "--incremental", "--json"));
            db.createStatement().execute("INSERT INTO frames VALUES (0, 'after the incremental')");
            awaitArchived(db, primary);
        }
        System.out.printf("full stored %d bytes, incremental after 8 updated rows stored %d (%.1f %%)%n", full,
                incremental, 100.0 * incremental / full);
        assertTrue(incremental < full / 4, "incremental stored " + incremental + " of a full's " + full);
        ThrowawayCluster.lifeboatAsPostgres(cmd("db", "restore", "--repo", repo, "--password-file",
                work.resolve("pw").toString(), "--source", "beCamera", "--target", work.resolve("r").toString(),
                "--lifeboat-command", String.join(" ", lifeboat), "--to-latest", "--no-validate"));
        ThrowawayCluster restored = cluster(ThrowawayCluster.existing(work.resolve("r")));
        restored.configure("archive_mode = off\n");
        restored.start();
        try (Connection db = restored.connect()) {
            long deadline = System.currentTimeMillis() + 120_000;
            while (inRecovery(db) && System.currentTimeMillis() < deadline) {
                Thread.sleep(200);
            }
            try (ResultSet rs = db.createStatement().executeQuery(
                    "SELECT count(*), count(*) FILTER (WHERE digest = 'changed'), count(*) FILTER (WHERE id = 0)"
                    + " FROM frames")) {
                rs.next();
                assertEquals(1200001, rs.getLong(1));
                assertEquals(8, rs.getLong(2));
                assertEquals(1, rs.getLong(3), "the row committed after the incremental came from the WAL archive");
            }
        }
    }

    @Test
    void continuousWalIsInTheRepositorySecondsAfterACommitAndRestoresToTheLastOne() throws Exception {
        ThrowawayCluster primary = cluster(ThrowawayCluster.create(work.resolve("primary"), "wal_level = replica\n"));
        primary.start();
        Path spool = work.resolve("spool");
        List<String> receive = new ArrayList<>(List.of("runuser", "-u", "postgres", "--"));
        receive.addAll(List.of(cmd("db", "wal-receive", "--repo", repo,
                "--password-file", work.resolve("pw").toString(), "--source", "beCamera", "--port",
                String.valueOf(primary.port), "--spool", spool.toString())));
        Process receiver = new ProcessBuilder(receive).directory(ThrowawayCluster.privateDirectory().toFile())
                .redirectErrorStream(true).redirectOutput(work.resolve("receiver.log").toFile()).start();
        List<Double> lags = new ArrayList<>();
        io.lifeboat.repository.Repository opened = io.lifeboat.repository.Repository.open(
                io.lifeboat.storage.BlobStores.open(repo),
                "pitr passphrase".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        try (Connection db = primary.connect()) {
            db.createStatement().execute("CREATE TABLE visits (id serial PRIMARY KEY, marker text NOT NULL)");
            dbBackup(primary);
            db.createStatement().execute("INSERT INTO visits (marker) SELECT 'bulk' FROM generate_series(1, 1000)");
            dbBackup(primary, "--incremental");
            for (int i = 0; i < 5; i++) {
                String marker = "lag-probe-" + java.util.UUID.randomUUID();
                db.createStatement().execute("INSERT INTO visits (marker) VALUES ('" + marker + "')");
                lags.add(secondsUntilInRepository(opened, marker));
            }
        } finally {
            primary.close();
            receiver.destroy();
            receiver.waitFor();
        }
        System.out.printf("continuous WAL: commit to durable in the repository %s s%n", lags);
        List<String> restored = restoreStartAndCountVisits("r-stream", primary.port);
        assertEquals(List.of("bulk:1000", "probes:5"), restored,
                "the last commits, received only into a partial segment, are restored");
    }

    /** Polls the newest archived WAL (complete or partial) until it holds the marker's bytes. */
    private static double secondsUntilInRepository(io.lifeboat.repository.Repository repo, String marker)
            throws Exception {
        long start = System.nanoTime();
        byte[] needle = marker.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        io.lifeboat.repository.LogArchive archive = new io.lifeboat.repository.LogArchive(repo, "beCamera");
        while (System.nanoTime() - start < 60_000_000_000L) {
            List<String> names = archive.list();
            List<io.lifeboat.repository.LogArchive.Segment> newest = new ArrayList<>();
            for (String name : names.subList(Math.max(0, names.size() - 2), names.size())) {
                newest.add(archive.get(name));
            }
            repo.refreshIndex(); // after reading the segments, so that their chunks are in it
            for (io.lifeboat.repository.LogArchive.Segment segment : newest) {
                if (segment != null) {
                    byte[] bytes;
                    try (java.io.InputStream in = archive.open(segment)) {
                        bytes = in.readAllBytes();
                    }
                    if (indexOf(bytes, needle) >= 0) {
                        return (System.nanoTime() - start) / 1e9;
                    }
                }
            }
            Thread.sleep(100);
        }
        throw new AssertionError(marker + " did not reach the repository within 60 s");
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    /** Restores to the latest WAL with --start: the server runs on its own configuration (the lost primary's port). */
    private List<String> restoreStartAndCountVisits(String name, int port) throws Exception {
        String out = ThrowawayCluster.lifeboatAsPostgres(cmd("db", "restore", "--repo", repo,
                "--password-file", work.resolve("pw").toString(), "--source", "beCamera", "--target",
                work.resolve(name).toString(), "--lifeboat-command", String.join(" ", lifeboat), "--to-latest",
                "--json", "--config", work.resolve("config").toString(), "--start"));
        cluster(ThrowawayCluster.existing(work.resolve(name)));
        var validation = io.lifeboat.repository.Repository.JSON.readTree(out.substring(out.indexOf('{')));
        assertEquals("passed", validation.get("validation").asText(), out);
        assertTrue(validation.get("started").asBoolean(), out);
        try (Connection db = java.sql.DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/postgres",
                "postgres", null); ResultSet rs = db.createStatement().executeQuery(
                "SELECT count(*) FILTER (WHERE marker = 'bulk'), count(*) FILTER (WHERE marker LIKE 'lag-probe-%')"
                        + " FROM visits")) {
            rs.next();
            return List.of("bulk:" + rs.getLong(1), "probes:" + rs.getLong(2));
        }
    }

    @Test
    void retentionRemovesExpiredBackupsAndOnlyTheWalNoKeptBackupNeeds() throws Exception {
        ThrowawayCluster primary = archivingPrimary();
        String full1;
        String full1WalStart;
        try (Connection db = primary.connect()) {
            db.createStatement().execute("CREATE TABLE counts (id serial PRIMARY KEY, phase text NOT NULL)");
            var backup = io.lifeboat.repository.Repository.JSON.readTree(dbBackup(primary, "--json"));
            full1 = backup.get("id").asText();
            full1WalStart = java.util.stream.StreamSupport.stream(backup.get("tags").spliterator(), false)
                    .map(t -> t.asText()).filter(t -> t.startsWith("wal-start:")).findFirst().orElseThrow()
                    .substring("wal-start:".length());
            for (String phase : List.of("a", "b", "c")) {
                db.createStatement().execute("INSERT INTO counts (phase) SELECT '" + phase + "' FROM generate_series(1, 10)");
                awaitArchived(db, primary);
                if (phase.equals("a")) {
                    dbBackup(primary, "--incremental");
                } else if (phase.equals("b")) {
                    dbBackup(primary);
                }
            }
        }
        Instant nextWeek = Instant.now().plus(java.time.Duration.ofDays(8));
        Instant nextMonth = Instant.now().plus(java.time.Duration.ofDays(31));
        String before = dbList();
        var preview = forget("--as-of", nextMonth.toString(), "--dry-run");
        assertEquals(before, dbList(), "--dry-run removes nothing");
        assertEquals(List.of("full", "incremental"), kinds(preview, false), preview.toString());
        assertEquals(full1, preview.at("/backups/0/id").asText());
        assertTrue(preview.get("removeWal").size() > 0, preview.toString());

        var week = forget("--as-of", nextWeek.toString());
        assertEquals(List.of("incremental"), kinds(week, false), "after a week only the incremental expired");
        week.get("removeWal").forEach(w -> assertTrue(w.asText().compareTo(full1WalStart) < 0,
                w + ": the oldest full still needs all WAL from " + full1WalStart));
        var month = forget("--as-of", nextMonth.toString());
        assertEquals(List.of("full"), kinds(month, false), "after a month the first full expired, the newest stays");
        List<String> removed = new ArrayList<>();
        week.get("removeWal").forEach(w -> removed.add(w.asText()));
        month.get("removeWal").forEach(w -> removed.add(w.asText()));
        List<String> previewed = new ArrayList<>();
        preview.get("removeWal").forEach(w -> previewed.add(w.asText()));
        assertEquals(previewed, removed, "the preview named exactly what went");
        assertTrue(removed.stream().anyMatch(w -> w.compareTo(full1WalStart) >= 0), "the first full's WAL went with it");
        String check = ThrowawayCluster.lifeboatAsPostgres(cmd("db", "check", "--repo", repo,
                "--password-file", work.resolve("pw").toString(), "--source", "beCamera", "--no-server"));
        assertTrue(check.contains("is safe"), check);
        primary.close();
        assertEquals(List.of("a:10", "b:10", "c:10"), restoreAndCount("--to-latest", null, "r-kept"),
                "the kept full and the kept WAL still restore every row");
    }

    private String dbList() throws Exception {
        return ThrowawayCluster.lifeboatAsPostgres(cmd("db", "list", "--repo", repo,
                "--password-file", work.resolve("pw").toString(), "--source", "beCamera"));
    }

    private com.fasterxml.jackson.databind.JsonNode forget(String... options) throws Exception {
        List<String> args = new ArrayList<>(List.of("db", "forget", "--repo", repo,
                "--password-file", work.resolve("pw").toString(), "--source", "beCamera", "--json"));
        args.addAll(List.of(options));
        String out = ThrowawayCluster.lifeboatAsPostgres(cmd(args.toArray(String[]::new)));
        return io.lifeboat.repository.Repository.JSON.readTree(out.substring(out.indexOf('{')));
    }

    /** Kinds of the backups a retention plan keeps (true) or removes (false), in time order. */
    private static List<String> kinds(com.fasterxml.jackson.databind.JsonNode plan, boolean kept) {
        List<String> out = new ArrayList<>();
        plan.get("backups").forEach(b -> {
            if (b.get("keep").asBoolean() == kept) {
                out.add(b.get("kind").asText());
            }
        });
        return out;
    }

    private static long storedBytes(String json) throws Exception {
        return io.lifeboat.repository.Repository.JSON.readTree(json).at("/summary/storedBytes").asLong();
    }

    @Test
    void aRetriedPushOfTheSameWalIsAcceptedAndOtherContentUnderItsNameIsRefused() throws Exception {
        Path segment = work.resolve("000000010000000000000009");
        Files.write(segment, io.lifeboat.TestSupport.random(9, 1 << 20));
        chownToPostgres(work);
        String[] push = cmd("db", "wal-push", "--repo", repo, "--password-file",
                work.resolve("pw").toString(), "--source", "beCamera", segment.toString());
        ThrowawayCluster.lifeboatAsPostgres(push);
        ThrowawayCluster.lifeboatAsPostgres(push);
        Files.write(segment, io.lifeboat.TestSupport.random(10, 1 << 20));
        Process p = new ProcessBuilder(push).start();
        String err = new String(p.getErrorStream().readAllBytes());
        assertEquals(1, p.waitFor(), err);
        assertTrue(err.contains("archived already with other content"), err);
    }

    @Test
    void aFailedBaseBackupIsReportedAndLeavesNoSnapshot() throws Exception {
        Process p = new ProcessBuilder(cmd("db", "backup", "--repo", repo, "--password-file",
                work.resolve("pw").toString(), "--source", "beAuth", "--port", "1")).start();
        String err = new String(p.getErrorStream().readAllBytes());
        assertEquals(1, p.waitFor(), err);
        assertTrue(err.contains("pg_basebackup of beAuth failed") && err.lines().count() <= 3, err);
        String list = ThrowawayCluster.lifeboatAsPostgres(cmd("db", "list", "--repo", repo,
                "--password-file", work.resolve("pw").toString(), "--source", "beAuth"));
        assertTrue(list.contains("no log archived") && !list.contains("full "), list);
    }

    /** Restores into a new data directory, starts it, waits for promotion, counts rows per phase. */
    private List<String> restoreAndCount(String targetOption, String targetValue, String name) throws Exception {
        List<String> args = new ArrayList<>(List.of("db", "restore", "--repo", repo,
                "--password-file", work.resolve("pw").toString(), "--source", "beCamera", "--target",
                work.resolve(name).toString(), "--lifeboat-command", String.join(" ", lifeboat), "--json",
                "--config", work.resolve("config").toString(), targetOption));
        if (targetValue != null) {
            args.add(targetValue);
        }
        String out = ThrowawayCluster.lifeboatAsPostgres(cmd(args.toArray(String[]::new)));
        var validation = io.lifeboat.repository.Repository.JSON.readTree(out.substring(out.indexOf('{')));
        assertEquals("passed", validation.get("validation").asText(), out);
        ThrowawayCluster restored = cluster(ThrowawayCluster.existing(work.resolve(name)));
        restored.configure("archive_mode = off\n");
        restored.start();
        try (Connection db = restored.connect()) {
            long deadline = System.currentTimeMillis() + 120_000;
            while (inRecovery(db) && System.currentTimeMillis() < deadline) {
                Thread.sleep(200);
            }
            assertFalse(inRecovery(db), "promoted after recovery: " + restored.log());
            List<String> counts = new ArrayList<>();
            try (ResultSet rs = db.createStatement().executeQuery("SELECT to_regclass('counts') IS NOT NULL")) {
                rs.next();
                if (!rs.getBoolean(1)) {
                    assertTrue(validation.at("/rowCounts/postgres.public.counts").isMissingNode(), out);
                    return List.of("no table");
                }
            }
            long rows = 0;
            try (ResultSet rs = db.createStatement().executeQuery(
                    "SELECT phase, count(*) FROM counts GROUP BY phase ORDER BY phase")) {
                while (rs.next()) {
                    counts.add(rs.getString(1) + ":" + rs.getLong(2));
                    rows += rs.getLong(2);
                }
            }
            assertEquals(rows, validation.at("/rowCounts/postgres.public.counts").asLong(), out);
            return counts;
        }
    }

    private static boolean inRecovery(Connection db) throws Exception {
        try (ResultSet rs = db.createStatement().executeQuery("SELECT pg_is_in_recovery()")) {
            rs.next();
            return rs.getBoolean(1);
        }
    }

    /** Switches to a new WAL file and waits until the archiver has stored the one just closed. */
    private static void awaitArchived(Connection db, ThrowawayCluster cluster) throws Exception {
        String closed;
        try (ResultSet rs = db.createStatement().executeQuery("SELECT pg_walfile_name(pg_switch_wal())")) {
            rs.next();
            closed = rs.getString(1);
        }
        long deadline = System.currentTimeMillis() + 120_000;
        while (System.currentTimeMillis() < deadline) {
            try (ResultSet rs = db.createStatement().executeQuery(
                    "SELECT last_archived_wal, last_failed_wal FROM pg_stat_archiver")) {
                rs.next();
                String last = rs.getString(1);
                if (last != null && last.compareTo(closed) >= 0) {
                    return;
                }
            }
            Thread.sleep(200);
        }
        throw new AssertionError("WAL file " + closed + " was not archived in time: " + String.join("\n",
                cluster.log().lines().filter(l -> !l.startsWith("20") && !l.startsWith("\t")).limit(20).toList()));
    }

    /** lifeboat db backup of the cluster as beCamera, as the postgres user; returns what it printed. */
    private String dbBackup(ThrowawayCluster cluster, String... options) throws Exception {
        List<String> args = new ArrayList<>(List.of("db", "backup", "--repo", repo,
                "--password-file", work.resolve("pw").toString(), "--source", "beCamera", "--port",
                String.valueOf(cluster.port)));
        args.addAll(List.of(options));
        return ThrowawayCluster.lifeboatAsPostgres(cmd(args.toArray(String[]::new)));
    }

    /** A started cluster whose archive_command pushes its WAL into the test's repository. */
    private ThrowawayCluster archivingPrimary() throws Exception {
        ThrowawayCluster primary = cluster(ThrowawayCluster.create(work.resolve("primary"), "wal_level = replica\n"
                + archiving()));
        primary.start();
        return primary;
    }

    /** The settings that push a cluster's WAL into the test's repository. */
    private String archiving() {
        // the command goes to the shell: the repository in quotes (an S3 location holds '&'), each quote
        // doubled inside the postgresql.conf string
        String push = String.join(" ", cmd("db", "wal-push", "--repo", "'" + repo + "'", "--password-file",
                work.resolve("pw").toString(), "--source", "beCamera", "%p"));
        return "archive_mode = on\narchive_command = '" + push.replace("'", "''") + "'\n";
    }

    private ThrowawayCluster cluster(ThrowawayCluster c) {
        clusters.add(c);
        return c;
    }

    private String[] cmd(String... args) {
        List<String> all = new ArrayList<>(lifeboat);
        all.addAll(List.of(args));
        return all.toArray(String[]::new);
    }

    /**
     * The test's launcher, where the postgres user can read it: bin/lifeboat of the installation,
     * with this test's cache and the S3 server's credentials in its environment (which the Java
     * it starts, and the fetch-ahead that starts, inherit).
     */
    private static List<String> commandForPostgresUser(Path lib) throws Exception {
        Files.createDirectories(lib);
        Path script = lib.resolve("lifeboat");
        StringBuilder env = new StringBuilder("export LIFEBOAT_CACHE=" + lib.resolveSibling("cache") + "\n");
        S3Server.credentials().forEach((k, v) -> env.append("export ").append(k).append('=').append(v).append('\n'));
        Files.writeString(script, "#!/bin/sh\n" + env + "exec " + installation.resolve("bin/lifeboat") + " \"$@\"\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        return List.of(script.toString());
    }

    /**
     * This build laid out as bin/lifeboat expects it once built (target/lifeboat.jar, the runtime
     * libraries in target/lib and the stamp that says they are complete), with no sources beside
     * it, so the launcher never builds; the postgres user's.
     */
    private static Path installed() throws Exception {
        Path home = Files.createTempDirectory("lifeboat-install", PosixFilePermissions.asFileAttribute(
                PosixFilePermissions.fromString("rwxr-xr-x")));
        Path launcher = Files.createDirectories(home.resolve("bin")).resolve("lifeboat");
        Files.copy(Path.of("bin/lifeboat"), launcher);
        Files.setPosixFilePermissions(launcher, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path lib = Files.createDirectories(home.resolve("target/lib"));
        Path classes = Path.of("target/classes");
        try (JarOutputStream jar = new JarOutputStream(Files.newOutputStream(home.resolve("target/lifeboat.jar")));
             Stream<Path> walk = Files.walk(classes)) {
            for (Path p : walk.filter(p -> !p.equals(classes)).toList()) {
                // directories too, as a packaged jar has them: resources are found by their folder (migrations)
                boolean folder = Files.isDirectory(p);
                jar.putNextEntry(new JarEntry(classes.relativize(p) + (folder ? "/" : "")));
                if (!folder) {
                    Files.copy(p, jar);
                }
                jar.closeEntry();
            }
        }
        for (String entry : Files.readString(Path.of("target/runtime-classpath.txt")).strip()
                .split(File.pathSeparator)) {
            Files.copy(Path.of(entry), lib.resolve(Path.of(entry).getFileName()));
        }
        Files.createFile(lib.resolve(".complete"));
        // the class-data archive the launcher makes after it builds, from a demo run: every command starts faster
        Path demo = Files.createTempDirectory("lifeboat-demo");
        try {
            Process p = new ProcessBuilder("java", "-XX:ArchiveClassesAtExit=" + home.resolve("target/lifeboat.jsa"),
                    "--add-opens", "java.base/sun.nio.fs=ALL-UNNAMED", "-Xlog:cds=off", "-Xlog:cds+dynamic=off", "-cp",
                    home.resolve("target/lifeboat.jar") + File.pathSeparator + lib + "/*", "io.lifeboat.cli.Lifeboat",
                    "demo", "--dir", demo.toString())
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            assertEquals(0, p.waitFor(), "the demo run that makes the class-data archive");
        } finally {
            io.lifeboat.TestSupport.deleteTree(demo);
        }
        chownToPostgres(home);
        return home;
    }

    private static void chownToPostgres(Path dir) throws Exception {
        Process p = new ProcessBuilder("chown", "-R", "postgres:postgres", dir.toString()).inheritIO().start();
        assertEquals(0, p.waitFor());
    }
}
