package io.lifeboat.recovery;

import static io.lifeboat.ServedLifeboat.step;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lifeboat.ServedLifeboat;
import io.lifeboat.TestSupport;
import io.lifeboat.storage.S3Proxy;
import io.lifeboat.storage.S3Server;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A copy whose packs sit in GLACIER, read in a drill pointed at it: the packs the restore reads
 * are asked for once (not again after the service restarts while waiting), the drill waits and
 * says how many, the delay and the cost, and once the store has brought them back it restores
 * and checks every file. Until then a restore is refused with the reason, after it the files read
 * from the copy equal the originals. The node streams stay readable in STANDARD. The copy is under
 * object lock too: what the backup needs is locked for its retention.
 */
class ColdRestoreTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private Path work;
    private S3Server s3;
    private S3Proxy proxy;
    private ServedLifeboat lifeboat;

    @AfterEach
    void stop() throws Exception {
        if (lifeboat != null) {
            lifeboat.close();
        }
        if (proxy != null) {
            proxy.close();
        }
        if (s3 != null) {
            s3.close();
        }
        TestSupport.deleteTree(work);
    }

    @Test
    void aDrillFromTheArchiveClassAsksOnceWaitsAcrossARestartAndRestoresEveryFile() throws Exception {
        work = Files.createTempDirectory("lifeboat-cold");
        s3 = new S3Server();
        proxy = new S3Proxy(s3.port);
        Path app = work.resolve("app");
        for (int i = 0; i < 3; i++) { // about three packs of content, the node stream in the last
            TestSupport.writeRandom(app.resolve("media/clip-" + i + ".mp4"), 500 + i, 14L << 20);
        }
        Files.writeString(app.resolve("settings.yaml"), "cameras: 64\n");
        Path credentials = work.resolve("s3-credentials");
        Files.writeString(credentials, "[default]\naws_access_key_id = lifeboat-test\n"
                + "aws_secret_access_key = lifeboat-test-secret\n");
        String cold = "s3://lifeboat-cold/site-a?endpoint=http://127.0.0.1:" + proxy.port() + "&path-style=true"
                + "&region=us-east-1&storage-class=GLACIER&restore-tier=Bulk&lock=governance&lock-days=1"
                + "&credentials-file=" + credentials;
        lifeboat = new ServedLifeboat(work);
        Files.writeString(work.resolve("config/lifeboat.yaml"), """
                repository: { path: %1$s/repository, passwordFile: %1$s/repository.password, create: true }
                catalog: { url: 'jdbc:h2:file:%1$s/catalog/lifeboat;AUTO_SERVER=TRUE' }
                files:
                  - { name: app, path: %1$s/app, schedule: "0 3 * * *", retention: 30d }
                targets:
                  - { name: glacier, path: "%2$s" }
                dropFolder: { enabled: false }
                recovery:
                  thawPoll: 1s
                  drills: { sandbox: %1$s/drills, enabled: false, scope: component, component: app, from: glacier }
                """.formatted(work, cold));
        lifeboat.start();
        Instant started = Instant.now();
        JsonNode backup = lifeboat.awaitBackup(lifeboat.post("/api/v1/backup/trigger",
                "{\"type\": \"file\", \"source\": \"app\"}", "Admin"));
        assertEquals("success", backup.get("status").asText(), Files.readString(lifeboat.log()));
        assertEquals(List.of("glacier"), JSON.convertValue(backup.get("copies"), List.class), backup.toString());
        Set<String> archived = proxy.archived();
        long packs = Files.walk(work.resolve("repository/data")).filter(Files::isRegularFile).count();
        assertTrue(archived.size() >= 2 && archived.size() < packs, "packs of content archived, the one holding the "
                + "node stream not: " + archived + " of " + packs);
        assertTrue(archived.stream().allMatch(o -> o.startsWith("/lifeboat-cold/site-a/data/")), archived.toString());
        // locked for a day as each object went up, then, by the copy's retention, for the backup's 30 days
        Map<String, Instant> locks = proxy.retention();
        assertTrue(locks.keySet().containsAll(archived) && locks.keySet().stream().anyMatch(k -> k.contains("/snapshots/"))
                && locks.keySet().stream().anyMatch(k -> k.contains("/index/")), locks.toString());
        locks.forEach((object, until) -> assertTrue(!until.isBefore(started.plus(Duration.ofDays(30))),
                object + " is locked until " + until));

        String id = JSON.readTree(lifeboat.post("/api/v1/recovery/drills", "", "Admin").body()).get("recoveryId")
                .asText();
        JsonNode waiting = awaitWarmUp(id, "waiting");
        String detail = step(waiting, "warm-up").get("detail").asText();
        assertTrue(detail.contains(archived.size() + " objects") && detail.contains("in GLACIER, retrieval tier Bulk")
                && detail.contains("typically 5-12 hours") && detail.contains("0 readable"), detail);
        assertEquals(archived, proxy.restoresAsked(), "exactly the archived packs are asked for");
        TestSupport.Run refused = TestSupport.cli("restore", "--repo", cold, "--password-file",
                work.resolve("repository.password").toString(), "latest", "--target", work.resolve("early").toString());
        assertTrue(refused.exit() != 0 && refused.err().contains("is in an archive storage class and has not been "
                + "brought back"), refused.toString());

        // the service stops while the drill waits; started again, it waits on, asking nothing twice
        lifeboat.stop();
        lifeboat.start();
        JsonNode resumed = awaitWarmUp(id, "waiting");
        assertEquals(1, resumed.get("resumed").asInt(), resumed.toString());
        assertEquals(archived, proxy.restoresAsked());
        assertEquals(archived.size(), proxy.count("POST /lifeboat-cold/site-a/data/"), "each pack asked for once");

        proxy.finishRestores();
        JsonNode drill = lifeboat.awaitRecovery(id);
        assertEquals("completed", drill.get("status").asText(), drill.toString());
        assertTrue(step(drill, "warm-up").get("detail").asText().contains("all readable"), drill.toString());
        JsonNode validated = step(drill, "validate-data");
        assertTrue(validated.get("detail").asText().contains("app: 4 files, " + (3 * (14L << 20) + 12)
                + " bytes equal to snapshot"), validated.toString());
        assertFalse(Files.exists(work.resolve("drills").resolve(id)), "the sandbox is removed");

        Path restored = work.resolve("restored");
        TestSupport.Run restore = TestSupport.cli("restore", "--repo", cold, "--password-file",
                work.resolve("repository.password").toString(), "latest", "--target", restored.toString());
        assertEquals(0, restore.exit(), restore.toString());
        assertEquals(TestSupport.describe(app), TestSupport.describe(restored.resolve(app.toString().substring(1))),
                "every file read back from the archive class equals its original");
    }

    private JsonNode awaitWarmUp(String id, String word) throws Exception {
        for (int i = 0; i < 600; i++) {
            JsonNode r = lifeboat.recovery(id);
            JsonNode step = step(r, "warm-up");
            if (step.get("detail") != null && step.get("detail").asText().contains(word)
                    && "running".equals(step.get("status").asText())) {
                return r;
            }
            assertEquals("in_progress", r.get("status").asText(), r.toString());
            Thread.sleep(200);
        }
        throw new AssertionError("the warm-up never said '" + word + "': " + lifeboat.recovery(id));
    }
}
