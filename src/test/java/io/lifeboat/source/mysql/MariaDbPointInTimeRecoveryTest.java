package io.lifeboat.source.mysql;

import static io.lifeboat.TestSupport.cli;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.lifeboat.TestSupport;
import io.lifeboat.compress.Compression;
import io.lifeboat.repository.LogArchive;
import io.lifeboat.repository.Repository;
import io.lifeboat.storage.BlobStores;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A MariaDB server with binary logging, its binlogs streamed into the repository, backed up full,
 * incremental and logical through the command line, and restored to moments between commits: each
 * restore holds exactly the rows committed at or before its target — by time, binlog position and
 * GTID, a dropped table from before the drop, a row committed after an incremental by replaying
 * the binlogs on top of it — and a single table comes back from a logical dump.
 */
class MariaDbPointInTimeRecoveryTest {
    private static final String PASSWORD = System.getenv("LIFEBOAT_TEST_DB_PASSWORD");
    private static ThrowawayMariaDb db;
    private static Path work;
    private static Path repo;
    private static Path pw;
    private static BinlogStreamer streamer;
    private static Thread streaming;

    @BeforeAll
    static void startServerAndStreaming() throws Exception {
        db = ThrowawayMariaDb.start(PASSWORD);
        // restored data directories go below: the mysql user must be able to enter it
        work = Files.createTempDirectory("lifeboat-mariadb-pitr", PosixFilePermissions.asFileAttribute(
                PosixFilePermissions.fromString("rwxr-xr-x")));
        repo = work.resolve("repository");
        pw = TestSupport.passwordFile(work, "mariadb-pitr");
        assertEquals(0, cli("init", "--repo", repo.toString(), "--password-file", pw.toString(), "--compression",
                "zstd").exit());
        streamer = new BinlogStreamer(repository(), source(), work.resolve("spool"), Compression.parse("zstd"),
                Duration.ofMillis(200));
        streaming = new Thread(() -> {
            try {
                streamer.run();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, "binlog-stream");
        streaming.start();
    }

    @AfterAll
    static void stop() throws Exception {
        streamer.close();
        streaming.join(30_000);
        db.close();
        TestSupport.deleteTree(work);
    }

    @Test
    void eachRestoreHoldsExactlyWhatWasCommittedByItsTarget() throws Exception {
        db.sql("CREATE DATABASE camera; CREATE TABLE camera.counting_events (id BIGINT PRIMARY KEY AUTO_INCREMENT,"
                + " camera INT NOT NULL, at DATETIME(6) NOT NULL, people INT NOT NULL, note VARCHAR(40),"
                + " KEY by_camera (camera, at)); CREATE TABLE camera.zones (id INT PRIMARY KEY, name VARCHAR(40));"
                + "INSERT INTO camera.zones VALUES (1, 'entrance'), (2, 'hall'), (3, 'exit');"
                + "INSERT INTO camera.counting_events (camera, at, people, note) SELECT seq % 7, NOW(6), seq % 5,"
                + " CONCAT('before-', seq) FROM camera.seq_1_to_20000");
        assertOk(cli(db("backup")));

        insert("t0", 3);
        insert("t1", 5);
        Instant t1 = Instant.now();
        nextSecond();
        insert("t2", 7);
        String afterT2 = db.sql("SHOW MASTER STATUS").split("\t")[0] + ":" + db.sql("SHOW MASTER STATUS").split("\t")[1];
        String gtidT2 = db.sql("SELECT @@gtid_binlog_pos");
        db.sql("FLUSH BINARY LOGS");
        insert("t3", 11);
        Instant beforeDrop = Instant.now();
        nextSecond();
        db.sql("DROP TABLE camera.zones");

        assertEquals(20_000 + 3 + 5, restore("at-t1", "--to-time", t1.toString()).get("camera.counting_events").asLong());
        assertEquals(20_000 + 3 + 5 + 7, restore("at-t2-position", "--to-position", afterT2)
                .get("camera.counting_events").asLong());
        assertEquals(20_000 + 3 + 5 + 7, restore("at-t2-gtid", "--to-gtid", gtidT2).get("camera.counting_events").asLong());
        JsonNode beforeDropRows = restore("before-drop", "--to-time", beforeDrop.toString());
        assertEquals(3, beforeDropRows.get("camera.zones").asLong(), "the dropped table is back: " + beforeDropRows);
        assertEquals(20_000 + 26, beforeDropRows.get("camera.counting_events").asLong());

        // an incremental, then a row after it: the incremental restores on its full, the binlogs add the row
        db.sql("UPDATE camera.counting_events SET people = people + 1 WHERE id % 1000 = 0");
        TestSupport.Run incremental = cli(db("backup", "--incremental"));
        assertOk(incremental);
        insert("t4", 13);
        String checksum = db.sql("CHECKSUM TABLE camera.counting_events EXTENDED").split("\t")[1];
        awaitStreamed();
        TestSupport.Run latest = cli(repoArgs("db", "restore", "--to-latest", "--target", work.resolve("latest").toString(),
                "--json", "--start", "--port", String.valueOf(TestSupport.freePort())));
        assertOk(latest);
        JsonNode result = Repository.JSON.readTree(latest.out());
        assertEquals(2, result.get("chain").size(), "the full and the incremental: " + latest.out());
        assertEquals(20_000 + 39, result.get("rowCounts").get("camera.counting_events").asLong());
        assertTrue(!result.get("rowCounts").has("camera.zones"), "dropped at latest: " + latest.out());
        // the restored server, started on its own, holds the same rows byte for byte
        Path restored = work.resolve("latest");
        try {
            assertEquals(checksum, restoredSql(restored, "CHECKSUM TABLE camera.counting_events EXTENDED").split("\t")[1]);
        } finally {
            stopRestored(restored);
        }

        // a logical full, and a restore from it to a moment after it
        assertOk(cli(db("backup", "--logical")));
        insert("t5", 17);
        Instant t5 = Instant.now();
        nextSecond();
        insert("t6", 19);
        awaitStreamed();
        assertEquals(20_000 + 39 + 17, restore("logical-t5", "--to-time", t5.toString()).get("camera.counting_events").asLong());

        // targets the repository cannot reach are refused, and nothing is reported restored
        TestSupport.Run noFile = cli(repoArgs("db", "restore", "--to-position", "binlog.000099:4", "--target",
                work.resolve("unreachable-1").toString()));
        assertEquals(1, noFile.exit(), noFile.toString());
        assertTrue(noFile.err().contains("binlog.000099 is not in the repository"), noFile.err());
        TestSupport.Run noGtid = cli(repoArgs("db", "restore", "--to-gtid", "0-1-999999", "--target",
                work.resolve("unreachable-2").toString()));
        assertEquals(1, noGtid.exit(), noGtid.toString());
        assertTrue(noGtid.err().contains("did not reach gtid 0-1-999999"), noGtid.err());
        TestSupport.Run badGtid = cli(repoArgs("db", "restore", "--to-gtid", "zero", "--target",
                work.resolve("unreachable-3").toString()));
        assertTrue(badGtid.exit() != 0 && badGtid.err().contains("is not a GTID like 0-1-42"), badGtid.toString());

        TestSupport.Run check = cli(db("check"));
        assertEquals(0, check.exit(), check.toString());
        assertTrue(check.out().contains("binlogs of camera is safe"), check.out());
    }

    @Test
    void oneTableComesBackFromALogicalDumpIntoAnotherDatabase() throws Exception {
        db.sql("CREATE DATABASE shop; CREATE TABLE shop.items (id INT PRIMARY KEY, label VARCHAR(20), price DECIMAL(8,2),"
                + " blob_col VARBINARY(16)); INSERT INTO shop.items VALUES (1, 'lens', 19.90, 0x00ff10), (2, 'tab\\there',"
                + " 5.00, NULL), (3, 'quote''s', 1.25, 0x0a0d);"
                + "CREATE TABLE shop.other (id INT PRIMARY KEY); INSERT INTO shop.other VALUES (1)");
        String before = db.sql("SELECT * FROM shop.items ORDER BY id");
        assertOk(cli(db("dump", "--database", "shop")));
        db.sql("DELETE FROM shop.items WHERE id = 2");

        TestSupport.Run refused = cli(db("restore-table", "--database", "shop", "--table", "items", "--into", "shop"));
        assertEquals(1, refused.exit(), refused.toString());
        assertTrue(refused.err().contains("table items exists in shop"), refused.err());

        assertOk(cli(db("restore-table", "--database", "shop", "--table", "items", "--into", "shop_restored")));
        assertEquals(before, db.sql("SELECT * FROM shop_restored.items ORDER BY id"));
        assertEquals("", db.sql("SHOW TABLES FROM shop_restored LIKE 'other'"), "only the table asked for");
        TestSupport.Run missing = cli(db("restore-table", "--database", "shop", "--table", "nope", "--into", "x1"));
        assertEquals(1, missing.exit());
        assertTrue(missing.err().contains("holds no table nope"), missing.err());
    }

    /** Restores into a new directory, checked; returns rows per table. */
    private static JsonNode restore(String name, String... target) throws Exception {
        awaitStreamed();
        List<String> args = new ArrayList<>(List.of("db", "restore", "--target", work.resolve(name).toString(), "--json"));
        args.addAll(List.of(target));
        TestSupport.Run r = cli(repoArgs(args.toArray(String[]::new)));
        assertOk(r);
        JsonNode result = Repository.JSON.readTree(r.out());
        assertEquals("passed", result.get("validation").asText(), r.out());
        return result.get("rowCounts");
    }

    private static void insert(String note, int rows) throws Exception {
        db.sql("INSERT INTO camera.counting_events (camera, at, people, note) SELECT seq, NOW(6), 1, '" + note
                + "' FROM camera.seq_1_to_" + rows);
    }

    /** Binlog events carry whole seconds: the next commit is in a later second than what came before. */
    private static void nextSecond() throws InterruptedException {
        Thread.sleep(1000 - Instant.now().toEpochMilli() % 1000 + 50);
    }

    /** Until the repository holds all the server has written to its binlogs so far. */
    private static void awaitStreamed() throws Exception {
        String[] status = db.sql("SHOW MASTER STATUS").split("\t");
        long deadline = System.currentTimeMillis() + 60_000;
        while (true) {
            LogArchive.Segment s = new LogArchive(repository(), "camera")
                    .current(status[0]);
            if (s != null && s.size() >= Long.parseLong(status[1])) {
                return;
            }
            assertTrue(System.currentTimeMillis() < deadline, "binlog " + status[0] + " not streamed: "
                    + streamer.lastError());
            Thread.sleep(100);
        }
    }

    private static String restoredSql(Path dataDir, String sql) throws Exception {
        long deadline = System.currentTimeMillis() + 60_000;
        while (true) {
            Process p = new ProcessBuilder("mariadb", "--no-defaults", "--socket=" + dataDir.resolve("mysqld.sock"),
                    "--user=root", "--batch", "--skip-column-names", "-e", sql).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0) {
                return out.strip();
            }
            assertTrue(System.currentTimeMillis() < deadline, "the started server does not answer: " + out);
            Thread.sleep(200);
        }
    }

    private static void stopRestored(Path dataDir) throws Exception {
        Path pid = dataDir.resolve("mysqld.pid");
        if (Files.exists(pid)) {
            new ProcessBuilder("kill", Files.readString(pid).strip()).start().waitFor();
            long deadline = System.currentTimeMillis() + 60_000;
            while (Files.exists(pid) && System.currentTimeMillis() < deadline) {
                Thread.sleep(100);
            }
        }
    }

    private static String[] db(String command, String... more) {
        List<String> args = new ArrayList<>(List.of("db", command, "--type", "mariadb", "--port",
                String.valueOf(db.port), "--user", "backup", "--password-env", "LIFEBOAT_TEST_DB_PASSWORD"));
        args.addAll(List.of(more));
        return repoArgs(args.toArray(String[]::new));
    }

    private static String[] repoArgs(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--repo", repo.toString(), "--password-file", pw.toString(), "--source", "camera"));
        return all.toArray(String[]::new);
    }

    private static Repository repository() throws Exception {
        return Repository.open(BlobStores.open(repo.toString()), Files.readAllLines(pw).get(0)
                .getBytes(StandardCharsets.UTF_8));
    }

    private static MySqlSource source() {
        return new MySqlSource("camera", "127.0.0.1", db.port, "backup", "LIFEBOAT_TEST_DB_PASSWORD");
    }

    private static void assertOk(TestSupport.Run r) {
        assertEquals(0, r.exit(), r.toString());
    }
}
