package io.lifeboat.source.mysql;

import static io.lifeboat.ServedLifeboat.step;
import static io.lifeboat.TestSupport.cli;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.lifeboat.ServedLifeboat;
import io.lifeboat.TestSupport;
import io.lifeboat.repository.LogArchive;
import io.lifeboat.repository.Repository;
import io.lifeboat.source.LogReport;
import io.lifeboat.storage.BlobStores;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A MariaDB server recovered in place by the service to a moment between commits: the server is
 * stopped, the restored data directory takes its place and is started by its start hook, and its
 * binlogs go on under new numbers as a new history. The service is killed after the hand-over and
 * the recovery resumes: the history is recorded, the binlogs streamed again and a full backup
 * taken. Point-in-time restores afterwards read the right history: a time after the recovery
 * holds the rows of the point and those written since, never those the recovery undid; a time
 * before it holds the old server's rows of that time.
 */
class MariaDbInPlaceRecoveryTest {
    private static final String PASSWORD = System.getenv("LIFEBOAT_TEST_DB_PASSWORD");
    private ThrowawayMariaDb db;
    private Path work;
    private ServedLifeboat lifeboat;

    @AfterEach
    void stopEverything() throws Exception {
        if (lifeboat != null) {
            lifeboat.close();
        }
        if (db != null) {
            db.close();
        }
        TestSupport.deleteTree(work);
    }

    @Test
    void aRecoveryInPlaceStartsANewBinlogHistoryThatLaterRestoresFollow() throws Exception {
        db = ThrowawayMariaDb.start(PASSWORD);
        // restored data directories go below: the mysql user must be able to enter it
        work = Files.createTempDirectory("lifeboat-mariadb-in-place", PosixFilePermissions.asFileAttribute(
                PosixFilePermissions.fromString("rwxr-xr-x")));
        db.sql("CREATE DATABASE camera; CREATE TABLE camera.counts (id INT PRIMARY KEY, note VARCHAR(40));"
                + "INSERT INTO camera.counts VALUES (1, 'backed up'), (2, 'backed up'), (3, 'backed up')");
        lifeboat = new ServedLifeboat(work);
        Files.writeString(work.resolve("config/lifeboat.yaml"), """
                repository: { path: %1$s/repository, passwordFile: %1$s/repository.password, create: true, compression: zstd }
                catalog: { url: 'jdbc:h2:file:%1$s/catalog/lifeboat' }
                databases:
                  - name: beAuth
                    type: mariadb
                    port: %2$d
                    user: backup
                    passwordEnv: LIFEBOAT_TEST_DB_PASSWORD
                    dataDirectory: %3$s/data
                    spool: %1$s/spool
                    start: { command: "%4$s" }
                    full: { schedule: "0 0 3 1 1 ?", retention: 30d }
                    incremental: { schedule: "0 0 3 1 1 ?", retention: 7d }
                    log: { schedule: "0 0 3 1 1 ?", retention: 24h }
                dropFolder: { enabled: false }
                recovery:
                  healthTimeout: 2s
                  drills: { sandbox: %1$s/drills, enabled: false }
                """.formatted(work, db.port, db.dir, db.startCommand()));
        lifeboat.token("Admin");
        lifeboat.token("Auditor");
        lifeboat.start();
        JsonNode full = lifeboat.awaitBackup(lifeboat.post("/api/v1/backup/trigger",
                "{\"type\": \"database\", \"source\": \"beAuth\", \"scope\": \"full\"}", "Admin"));
        assertEquals("success", full.get("status").asText(), Files.readString(lifeboat.log()));

        insert(10, 1, "before the point");
        nextSecond();
        Instant point = Instant.now();
        nextSecond();
        insert(20, 5, "undone by the recovery");
        db.sql("FLUSH BINARY LOGS");
        insert(25, 1, "undone by the recovery");
        nextSecond();
        Instant beforeRecovery = Instant.now();
        awaitStreamed();
        long oldNewest = binlogNumber(db.sql("SHOW MASTER STATUS").split("\t")[0]);
        lifeboat.close();

        // recovered in place to the point; the service is killed once the restored server runs, before protection resumes
        Path held = work.resolve("held");
        lifeboat.start(List.of("-Dlifeboat.hold-at=step:resume-protection", "-Dlifeboat.hold-file=" + held));
        String recovery = lifeboat.initiate("{\"type\": \"disaster\", \"backupId\": \"" + point + "\"}");
        lifeboat.awaitFile(held);
        assertEquals("4", db.sql("SELECT COUNT(*) FROM camera.counts"), "the server holds the rows of the point");
        String newFirst = db.sql("SHOW MASTER STATUS").split("\t")[0];
        assertEquals(oldNewest + 1, binlogNumber(newFirst), "the restored server's binlogs go on after the old ones");
        insert(30, 20, "after the recovery");
        nextSecond();
        Instant afterRecovery = Instant.now();
        lifeboat.close();

        lifeboat.start();
        JsonNode recovered = lifeboat.awaitRecovery(recovery);
        assertEquals("completed", recovered.get("status").asText(), recovered.toString());
        String protection = step(recovered, "resume-protection").get("detail").asText();
        assertTrue(protection.contains("log streamed again") && protection.contains("full"), protection);
        insert(60, 100, "after the protection backup");
        awaitStreamed();
        assertTrue(new LogArchive(repository(), "beAuth").has("timeline-" + newFirst + ".json"),
                "the new history is recorded");
        LogReport check = BinlogCheck.run(repository(), "beAuth", new MySqlSource("beAuth", "127.0.0.1", db.port,
                "backup", "LIFEBOAT_TEST_DB_PASSWORD"));
        assertEquals(List.of(), check.problems(), "the old history's last file, streamed in part, is no gap: " + check);

        // later restores: past the recovery from the old backup, before it, and the newest
        assertEquals(3 + 1 + 20, rows("after-recovery", "--to-time", afterRecovery.toString()),
                "from the backup before the recovery: the point's rows and those since, none the recovery undid");
        assertEquals(3 + 1 + 5 + 1, rows("before-recovery", "--to-time", beforeRecovery.toString()),
                "before the recovery, the rows the server had then");
        assertEquals(3 + 1 + 20 + 100, rows("latest", "--to-latest"));
    }

    private void insert(int from, int count, String note) throws Exception {
        db.sql("INSERT INTO camera.counts SELECT seq, '" + note + "' FROM camera.seq_" + from + "_to_" + (from + count - 1));
    }

    /** Binlog events carry whole seconds: the next commit is in a later second than what came before. */
    private static void nextSecond() throws InterruptedException {
        Thread.sleep(1000 - Instant.now().toEpochMilli() % 1000 + 50);
    }

    private static long binlogNumber(String file) {
        return Long.parseLong(file.substring(file.lastIndexOf('.') + 1));
    }

    /** Rows of camera.counts in a restore into a directory of its own by the command line. */
    private long rows(String name, String... how) throws Exception {
        List<String> args = new ArrayList<>(List.of("db", "restore", "--source", "beAuth", "--repo",
                work.resolve("repository").toString(), "--password-file", work.resolve("repository.password").toString(),
                "--target", work.resolve("restores/" + name).toString(), "--json"));
        args.addAll(List.of(how));
        TestSupport.Run r = cli(args.toArray(String[]::new));
        assertEquals(0, r.exit(), r.toString());
        return Repository.JSON.readTree(r.out()).get("rowCounts").get("camera.counts").asLong();
    }

    /** Until the repository holds all the server has written to its binlogs so far. */
    private void awaitStreamed() throws Exception {
        String[] status = db.sql("SHOW MASTER STATUS").split("\t");
        for (int i = 0; i < 600; i++) {
            LogArchive.Segment s = new LogArchive(repository(), "beAuth").current(status[0]);
            if (s != null && s.size() >= Long.parseLong(status[1])) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("binlog " + status[0] + " not streamed: " + Files.readString(lifeboat.log()));
    }

    private Repository repository() throws Exception {
        return Repository.open(BlobStores.open(work.resolve("repository").toString()),
                Files.readAllLines(work.resolve("repository.password")).get(0).getBytes(StandardCharsets.UTF_8));
    }
}
