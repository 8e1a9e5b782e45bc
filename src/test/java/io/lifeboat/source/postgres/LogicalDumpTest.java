package io.lifeboat.source.postgres;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lifeboat.TestSupport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Table-level recovery from logical dumps, and the checks a restored cluster must pass: on a
 * throwaway cluster, a dropped table and a dropped schema come back from a dump into the database
 * the user names, and validation finds a corrupted index.
 */
class LogicalDumpTest {
    private static Path work;
    private static ThrowawayCluster cluster;
    private static String repo;
    private static String pw;

    @BeforeAll
    static void setUp() throws Exception {
        work = Files.createTempDirectory("lifeboat-dump");
        new ProcessBuilder("chown", "postgres", work.toString()).start().waitFor();
        cluster = ThrowawayCluster.create(work.resolve("data"), "");
        cluster.start();
        repo = work.resolve("repo").toString();
        pw = TestSupport.passwordFile(work, "dump passphrase").toString();
        TestSupport.Run init = TestSupport.cli("init", "--repo", repo, "--password-file", pw, "--compression", "zstd");
        assertEquals(0, init.exit(), init.toString());
        try (Connection db = cluster.connect()) {
            db.createStatement().execute("CREATE DATABASE becamera");
        }
        try (Connection db = connect("becamera")) {
            db.createStatement().execute("CREATE TABLE counts (camera int, hour timestamptz, people int, PRIMARY KEY (camera, hour))");
            db.createStatement().execute("INSERT INTO counts SELECT c, timestamptz '2026-11-01' + h * interval '1 hour', "
                    + "(c * 31 + h * 7) % 50 FROM generate_series(1, 40) c, generate_series(0, 499) h");
            db.createStatement().execute("CREATE TABLE cameras (id int PRIMARY KEY, name text)");
            db.createStatement().execute("INSERT INTO cameras SELECT g, 'gate ' || g FROM generate_series(1, 40) g");
            db.createStatement().execute("CREATE SCHEMA billing");
            db.createStatement().execute("CREATE TABLE billing.invoices AS SELECT g AS id, g * 1.5 AS amount "
                    + "FROM generate_series(1, 300) g");
        }
    }

    @AfterAll
    static void tearDown() throws Exception {
        cluster.close();
        TestSupport.deleteTree(work);
    }

    @Test
    void aDroppedTableAndSchemaComeBackFromTheDumpWithTheirRows() throws Exception {
        String before = fingerprint("becamera", "SELECT sum(camera * 1000003 + people), count(*) FROM counts");
        TestSupport.Run dump = TestSupport.cli("db", "dump", "--repo", repo, "--password-file", pw, "--source",
                "beCamera", "--port", String.valueOf(cluster.port), "--database", "becamera");
        assertEquals(0, dump.exit(), dump.toString());
        try (Connection db = connect("becamera")) {
            db.createStatement().execute("DROP TABLE counts");
            db.createStatement().execute("DROP SCHEMA billing CASCADE");
            db.createStatement().execute("UPDATE cameras SET name = 'renamed'");
        }
        TestSupport.Run table = TestSupport.cli("db", "restore-table", "--repo", repo, "--password-file", pw,
                "--source", "beCamera", "--port", String.valueOf(cluster.port), "--database", "becamera",
                "--table", "counts", "--into", "becamera");
        assertEquals(0, table.exit(), table.toString());
        assertEquals(before, fingerprint("becamera", "SELECT sum(camera * 1000003 + people), count(*) FROM counts"));
        assertEquals("renamed:40", fingerprint("becamera", "SELECT min(name), count(*) FROM cameras"),
                "only the named table was restored");

        try (Connection db = cluster.connect()) {
            db.createStatement().execute("CREATE DATABASE scratch");
        }
        TestSupport.Run schema = TestSupport.cli("db", "restore-table", "--repo", repo, "--password-file", pw,
                "--source", "beCamera", "--port", String.valueOf(cluster.port), "--database", "becamera",
                "--schema", "billing", "--into", "scratch");
        assertEquals(0, schema.exit(), schema.toString());
        assertEquals("67725.0:300", fingerprint("scratch", "SELECT sum(amount), count(*) FROM billing.invoices"));

        TestSupport.Run again = TestSupport.cli("db", "restore-table", "--repo", repo, "--password-file", pw,
                "--source", "beCamera", "--port", String.valueOf(cluster.port), "--database", "becamera",
                "--table", "counts", "--into", "becamera");
        assertEquals(1, again.exit(), again.toString());
        assertTrue(again.err().contains("pg_restore into becamera failed") && again.err().contains("already exists"),
                again.err());
        assertEquals(before, fingerprint("becamera", "SELECT sum(camera * 1000003 + people), count(*) FROM counts"),
                "a refused restore leaves the table as it was");

        TestSupport.Run missing = TestSupport.cli("db", "restore-table", "--repo", repo, "--password-file", pw,
                "--source", "beCamera", "--database", "nosuchdb", "--table", "t", "--into", "becamera");
        assertEquals(1, missing.exit());
        assertTrue(missing.err().contains("no logical dump of beCamera/nosuchdb"), missing.err());
    }

    @Test
    void validationFindsACorruptIndexAndCountsRows() throws Exception {
        ThrowawayCluster copy = ThrowawayCluster.create(work.resolve("copy"), "");
        String indexFile;
        try {
            copy.start();
            try (Connection db = copy.connect()) {
                db.createStatement().execute("CREATE TABLE t AS SELECT g AS id, md5(g::text) AS v FROM generate_series(1, 20000) g");
                db.createStatement().execute("CREATE INDEX t_v ON t (v)");
                try (ResultSet rs = db.createStatement().executeQuery("SELECT pg_relation_filepath('t_v')")) {
                    rs.next();
                    indexFile = rs.getString(1);
                }
            }
        } finally {
            copy.close();
        }
        RestoreValidation.Result good = RestoreValidation.run(copy.dataDir, "postgres", "postgres", Duration.ofMinutes(2));
        assertTrue(good.passed(), good.amcheckReport());
        assertEquals(20000L, good.rowCounts().get("postgres.public.t"));

        // a wait that cannot end well ends at once, with the server's reason (not at the recovery timeout)
        java.io.IOException noRole = org.junit.jupiter.api.Assertions.assertThrows(java.io.IOException.class,
                () -> RestoreValidation.run(copy.dataDir, "postgres", "nosuchrole", Duration.ofMinutes(30)));
        assertTrue(noRole.getMessage().contains("role \"nosuchrole\" does not exist"), noRole.getMessage());

        // overwrite the middle of a leaf page's items with garbage, as a bad disk would
        Path file = copy.dataDir.resolve(indexFile);
        try (var ch = java.nio.channels.FileChannel.open(file, java.nio.file.StandardOpenOption.WRITE)) {
            ch.write(java.nio.ByteBuffer.wrap(TestSupport.random(5, 4000)), 8192 * 3 + 2000);
        }
        RestoreValidation.Result bad = RestoreValidation.run(copy.dataDir, "postgres", "postgres", Duration.ofMinutes(2));
        assertFalse(bad.passed(), "pg_amcheck must report the damaged index");
        assertTrue(bad.amcheckReport().contains("t_v"), bad.amcheckReport());
    }

    private static Connection connect(String database) throws Exception {
        return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + cluster.port + "/" + database, "postgres", null);
    }

    private static String fingerprint(String database, String sql) throws Exception {
        try (Connection db = connect(database); ResultSet rs = db.createStatement().executeQuery(sql)) {
            rs.next();
            return rs.getString(1) + ":" + rs.getString(2);
        }
    }
}
