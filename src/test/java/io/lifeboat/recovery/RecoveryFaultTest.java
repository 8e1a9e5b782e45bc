package io.lifeboat.recovery;

import static io.lifeboat.ServedLifeboat.step;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lifeboat.ServedLifeboat;
import io.lifeboat.TestSupport;
import io.lifeboat.source.postgres.ThrowawayCluster;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A recovery in place killed anywhere: one disaster recovery of a PostgreSQL cluster and two file
 * sources is held at a named point (before a step, the copy staged, the database stopped, the
 * live place moved aside and not yet recorded, the restored copy renamed in and not yet recorded,
 * ...), killed there (kill -9) and started again held at the next point, ten times over. It ends
 * where an uninterrupted one ends: the backup's bytes and rows in place, what was there kept
 * exactly once, no staging copy left, the copy checked before a kill handed over rather than
 * restored again. Then what operators meet around it: a backup asked for during the recovery
 * waits and backs up the restored state; the WAL receiver streams the new timeline at once and a
 * point-in-time restore to a moment after the recovery works; a failed recovery is aborted
 * (everything put back, the database running on its old data) or resumed from its failed step.
 */
class RecoveryFaultTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private Path work;
    private ThrowawayCluster cluster;
    private ServedLifeboat lifeboat;

    @AfterEach
    void stopEverything() throws Exception {
        StreamedCluster.stop(lifeboat, cluster, work);
    }

    @Test
    void aRecoveryKilledAnywhereResumesToTheSameEndAndAFailedOneIsPutBackOrResumed() throws Exception {
        work = StreamedCluster.workDirectory("lifeboat-faults");
        cluster = StreamedCluster.withCounts(work);
        Path app = work.resolve("platform/app");
        Path media = work.resolve("platform/media");
        Files.createDirectories(app.resolve("conf"));
        Files.writeString(app.resolve("conf/settings.yml"), "cameras: 12\n");
        Files.createSymbolicLink(app.resolve("current"), Path.of("conf/settings.yml"));
        Files.createDirectories(media);
        TestSupport.writeRandom(media.resolve("clip.mp4"), 3, 2_000_000);
        lifeboat = new ServedLifeboat(work);
        writeConfig("");
        // the tokens are made while the service is down: the catalog is then opened by one process at a time
        lifeboat.token("Admin");
        lifeboat.token("Auditor");
        lifeboat.start();
        awaitBackup("{\"type\": \"file\", \"source\": \"app\"}");
        awaitBackup("{\"type\": \"file\", \"source\": \"media\"}");
        String dbBackup = awaitBackup("{\"type\": \"database\", \"source\": \"beCamera\", \"scope\": \"full\"}");
        Map<String, String> appBacked = TestSupport.describe(app);
        Map<String, String> mediaBacked = TestSupport.describe(media);
        String dbBacked = contents();
        lifeboat.close();
        change(1);

        // one disaster recovery, killed at each point in turn: started again each time held at the next
        List<String> points = List.of("step:restore-databases", "database:staged", "database:stopped",
                "database:swap-planned", "database:moved-aside", "database:renamed-in", "files:staged",
                "files:swap-planned", "files:moved-aside", "files:renamed-in");
        Path held = work.resolve("held");
        String disaster = null;
        Object stagedCopy = null;
        for (String point : points) {
            Files.deleteIfExists(held);
            lifeboat.start(List.of("-Dlifeboat.hold-at=" + point, "-Dlifeboat.hold-file=" + held));
            if (disaster == null) {
                disaster = lifeboat.initiate("{\"type\": \"disaster\", \"backupId\": \"" + dbBackup + "\"}");
            }
            lifeboat.awaitFile(held);
            if (point.equals("database:staged")) {
                stagedCopy = Files.getAttribute(staging(cluster.dataDir, disaster), "unix:ino");
            }
            lifeboat.close();
        }
        // the last start: the recovery finishes; a backup of a source it restores, asked for meanwhile, waits for it
        Files.writeString(work.resolve("hold-start"), "");
        lifeboat.start();
        lifeboat.awaitFile(work.resolve("start.held"));
        HttpResponse<String> waiting = lifeboat.post("/api/v1/backup/trigger", "{\"type\": \"file\", \"source\":"
                + " \"media\"}", "Admin");
        awaitLogLine("waits: recovery " + disaster);
        Files.delete(work.resolve("hold-start"));
        JsonNode recovered = lifeboat.awaitRecovery(disaster);
        assertEquals("completed", recovered.get("status").asText(), recovered.toString());
        List<String> saidResumed = Files.readString(lifeboat.log()).lines()
                .filter(l -> l.contains("was cut short by a stop")).map(l -> l.replaceAll(".*resumed ", "")).toList();
        assertEquals(points.size(), recovered.get("resumed").asInt(), "the service said it resumed the recovery "
                + saidResumed + ": " + recovered);
        assertEquals(appBacked, TestSupport.describe(app), "the files are the backup's");
        assertEquals(mediaBacked, TestSupport.describe(media));
        assertEquals(dbBacked, contents(), "the database holds the backup's rows");
        assertEquals(stagedCopy, Files.getAttribute(cluster.dataDir, "unix:ino"),
                "the copy checked before a kill was handed over, not restored again");
        for (Path live : List.of(cluster.dataDir, app, media)) {
            assertKeptOnce(recovered, live);
        }
        Path keptApp = Path.of(movedAside(recovered, "app"));
        assertTrue(Files.exists(keptApp.resolve("round-1.txt")), "what was there is kept: " + keptApp);
        assertTrue(Files.exists(Path.of(movedAside(recovered, "beCamera")).resolve("PG_VERSION")),
                "the old cluster is kept whole");
        JsonNode after = lifeboat.awaitBackup(waiting);
        assertEquals("success", after.get("status").asText(), after.toString());
        JsonNode check = lifeboat.awaitRecovery(lifeboat.initiate("{\"type\": \"component\", \"backupId\": \"" + after.get("id")
                .asText() + "\", \"target\": \"" + work.resolve("restores/waited") + "\"}"));
        assertEquals("completed", check.get("status").asText(), check.toString());
        assertEquals(mediaBacked, TestSupport.describe(work.resolve("restores/waited/files/media" + media)),
                "the backup that waited holds the restored state, not the one before");

        // protection resumed at once: streamed on the new timeline, a full backup on it, and a point after the recovery
        assertTrue(step(recovered, "resume-protection").get("detail").asText().contains("log streamed again, full backup"),
                recovered.toString());
        try (Connection db = counting()) {
            db.createStatement().execute("INSERT INTO counts VALUES (-1000, 'after the recovery')");
        }
        Thread.sleep(1100); // commit times are PostgreSQL's: the point lies clearly between the two commits
        Instant afterRecovery = Instant.now();
        Thread.sleep(1100);
        try (Connection db = counting()) {
            db.createStatement().execute("INSERT INTO counts VALUES (-1001, 'after the point')");
        }
        String segment = currentSegment();
        try (Connection db = cluster.connect()) {
            db.createStatement().execute("SELECT pg_switch_wal()");
        }
        lifeboat.awaitFile(work.resolve("repository/logs/beCamera/" + segment));
        assertFalse(segment.startsWith("00000001"), "the restored cluster is on a timeline of its own: " + segment);
        JsonNode pitr = lifeboat.awaitRecovery(lifeboat.initiate("{\"type\": \"component\", \"backupId\": \""
                + latestDatabaseBackup() + "\", \"pointInTime\": \"" + afterRecovery
                + "\", \"target\": \"" + work.resolve("restores/after") + "\"}"));
        assertEquals("completed", pitr.get("status").asText(), pitr.toString());
        assertTrue(JSON.writeValueAsString(pitr.get("steps")).contains("20001 rows"), pitr.toString());

        // a recovery that fails after its hand-over is put back by an abort
        change(2);
        Map<String, String> appBefore = TestSupport.describe(app);
        String dbBefore = contents();
        writeConfig("- { name: platform, stop: { command: \"true\" }, start: { command: \"true\" },"
                + " health: \"http://127.0.0.1:" + TestSupport.freePort() + "/health\" }");
        awaitPlanned(true);
        JsonNode failed = lifeboat.awaitRecovery(lifeboat.initiate("{\"type\": \"disaster\", \"backupId\": \"" + dbBackup + "\"}"));
        assertEquals("failed", failed.get("status").asText(), failed.toString());
        assertEquals("failed", step(failed, "validate-health").get("status").asText(), failed.toString());
        assertEquals(appBacked, TestSupport.describe(app), "restored before it failed");
        TestSupport.Run aborted = lifeboat.cli("Admin", "recover", "abort", failed.get("recoveryId").asText());
        assertEquals(0, aborted.exit(), aborted.toString());
        assertTrue(aborted.out().contains("put back from") && aborted.out().contains("aborted"), aborted.toString());
        assertEquals(appBefore, TestSupport.describe(app), "the files are as they were before the recovery");
        assertEquals(dbBefore, contents(), "the database runs on its data from before the recovery");
        assertEquals("aborted", lifeboat.recovery(failed.get("recoveryId").asText()).get("status").asText());
        assertEquals(409, lifeboat.post("/api/v1/recovery/resume", "{\"recoveryId\": \"" + failed.get("recoveryId")
                .asText() + "\"}", "Admin").statusCode(), "an aborted recovery is not resumed");

        // ... or, once what failed is fixed, resumed from its failed step
        JsonNode again = lifeboat.awaitRecovery(lifeboat.initiate("{\"type\": \"disaster\", \"backupId\": \"" + dbBackup + "\"}"));
        assertEquals("failed", again.get("status").asText(), again.toString());
        writeConfig("");
        awaitPlanned(false);
        TestSupport.Run resumed = lifeboat.cli("Admin", "recover", "run", "--resume", again.get("recoveryId").asText());
        assertEquals(0, resumed.exit(), resumed.toString());
        JsonNode finished = lifeboat.recovery(again.get("recoveryId").asText());
        assertEquals("completed", finished.get("status").asText(), finished.toString());
        assertEquals(step(again, "restore-databases").get("duration"), step(finished, "restore-databases").get("duration"),
                "restored once");
        assertEquals(appBacked, TestSupport.describe(app));
        assertEquals(dbBacked, contents());
    }

    private static Path staging(Path live, String recoveryId) {
        return live.resolveSibling("." + live.getFileName() + ".lifeboat-restoring-" + recoveryId.substring(0, 8));
    }

    private static String movedAside(JsonNode recovery, String source) {
        for (JsonNode item : recovery.get("items")) {
            if (item.get("source").asText().equals(source)) {
                return item.get("movedAside").get(0).asText();
            }
        }
        throw new AssertionError("no item " + source + " in " + recovery);
    }

    /** What was at the live place is kept exactly once, and nothing of the recovery is left beside it. */
    private static void assertKeptOnce(JsonNode recovery, Path live) throws Exception {
        List<String> beside = new ArrayList<>();
        try (Stream<Path> siblings = Files.list(live.getParent())) {
            String name = live.getFileName().toString();
            siblings.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(name + ".before-recovery-")
                    || n.startsWith("." + name + ".lifeboat-restoring-") || n.startsWith(name + ".aborted-recovery-"))
                    .forEach(beside::add);
        }
        assertEquals(1, beside.size(), live + ": only the one kept aside: " + beside);
        assertTrue(beside.get(0).contains(".before-recovery-"), live + ": " + beside);
        for (JsonNode item : recovery.get("items")) {
            if (item.get("restoreTo").asText().equals(live.toString())) {
                assertEquals(1, item.get("movedAside").size(), live + ": " + item);
            }
        }
    }

    private void change(int round) throws Exception {
        Files.writeString(work.resolve("platform/app/round-" + round + ".txt"), "round " + round + "\n");
        Files.writeString(work.resolve("platform/app/conf/settings.yml"), "cameras: " + (12 + round) + "\n");
        Files.writeString(work.resolve("platform/media/round-" + round + ".bin"), "x".repeat(round));
        try (Connection db = counting()) {
            db.createStatement().execute("INSERT INTO counts VALUES (-" + round + ", 'after the backup')");
        }
    }

    private void writeConfig(String services) throws Exception {
        Files.createDirectories(work.resolve("restores"));
        Files.writeString(work.resolve("start.sh"), """
                if [ -e %1$s/hold-start ]; then touch %1$s/start.held; while [ -e %1$s/hold-start ]; do sleep 0.1; done; fi
                """.formatted(work));
        Files.writeString(work.resolve("config/lifeboat.yaml"), """
                repository: { path: %1$s/repository, passwordFile: %1$s/repository.password, create: true, compression: zstd:3 }
                catalog: { url: 'jdbc:h2:file:%1$s/catalog/lifeboat' }
                files:
                  - { name: app, path: %1$s/platform/app, schedule: "0 0 3 1 1 ?", retention: 30d }
                  - { name: media, path: %1$s/platform/media, schedule: "0 0 3 1 1 ?", retention: 30d }
                databases:
                %2$s
                dropFolder: { enabled: false }
                recovery:
                  roots: [%1$s/restores]
                  healthTimeout: 2s
                  services:
                    - { name: hold, stop: { command: "true" }, start: { command: "sh %1$s/start.sh" } }
                    %3$s
                  drills: { sandbox: %1$s/drills, enabled: false }
                """.formatted(work, cluster.streamedDatabase(work), services));
    }

    /** Until the service plans with the edited lifeboat.yaml: with the service named platform, or without it. */
    private void awaitPlanned(boolean withPlatform) throws Exception {
        for (int i = 0; i < 600; i++) {
            String plan = lifeboat.post("/api/v1/recovery/plan", "{\"type\": \"disaster\", \"backupId\": \"latest\"}",
                    "Admin").body();
            if (plan.contains("platform: sh -c true") == withPlatform) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("the edit of lifeboat.yaml was not applied: " + Files.readString(lifeboat.log()));
    }

    private String awaitBackup(String body) throws Exception {
        JsonNode b = lifeboat.awaitBackup(lifeboat.post("/api/v1/backup/trigger", body, "Admin"));
        assertEquals("success", b.get("status").asText(), Files.readString(lifeboat.log()));
        return b.get("id").asText();
    }

    private String latestDatabaseBackup() throws Exception {
        JsonNode backups = JSON.readTree(lifeboat.get("/api/v1/backup/status?type=database", "Auditor").body())
                .get("backups");
        return backups.get(0).get("id").asText();
    }

    private void awaitLogLine(String text) throws Exception {
        for (int i = 0; i < 600 && !Files.readString(lifeboat.log()).contains(text); i++) {
            Thread.sleep(100);
        }
        assertTrue(Files.readString(lifeboat.log()).contains(text), "no '" + text + "' in the service log");
    }

    private String currentSegment() throws Exception {
        try (Connection db = cluster.connect(); ResultSet rs = db.createStatement().executeQuery(
                "SELECT pg_walfile_name(pg_current_wal_lsn())")) {
            rs.next();
            return rs.getString(1);
        }
    }

    private Connection counting() throws Exception {
        return cluster.connect();
    }

    /** Every row of the table, in order, as one digest. */
    private String contents() throws Exception {
        try (Connection db = counting(); ResultSet rs = db.createStatement().executeQuery(
                "SELECT count(*) || ':' || md5(string_agg(n || camera, ',' ORDER BY n)) FROM counts")) {
            rs.next();
            return rs.getString(1);
        }
    }
}
