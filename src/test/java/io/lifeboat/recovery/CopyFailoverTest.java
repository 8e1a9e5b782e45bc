package io.lifeboat.recovery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lifeboat.ServedLifeboat;
import io.lifeboat.TestSupport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The service copies each backup to its targets (a directory, as an NFS mount is, and a bucket
 * that cannot be reached) and shows where each backup lives: the unreachable one is alerted and
 * holds nothing back. When the repository is lost, a backup fails and is alerted (nothing is
 * written to the copy), and a drill restores from the copy that answers, saying so.
 */
class CopyFailoverTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    @TempDir
    Path work;
    private ServedLifeboat lifeboat;

    @AfterEach
    void stop() {
        if (lifeboat != null) {
            lifeboat.close();
        }
    }

    @Test
    void aLostRepositoryFailsBackupsAndADrillRestoresFromTheCopy() throws Exception {
        Path app = work.resolve("app");
        TestSupport.writeRandom(app.resolve("models/counter.onnx"), 71, 3L << 20);
        Files.writeString(app.resolve("settings.yaml"), "cameras: 64\n");
        lifeboat = new ServedLifeboat(work);
        Files.writeString(work.resolve("config/lifeboat.yaml"), """
                repository: { path: %1$s/repository, passwordFile: %1$s/repository.password, create: true }
                catalog: { url: 'jdbc:h2:file:%1$s/catalog/lifeboat;AUTO_SERVER=TRUE' }
                files:
                  - { name: app, path: %1$s/app, schedule: "0 3 * * *", retention: 30d }
                targets:
                  - { name: offsite, path: "s3://lifeboat-offsite/site-a?endpoint=http://127.0.0.1:9&path-style=true&timeout=1" }
                  - { name: nfs, path: %1$s/nfs/lifeboat }
                dropFolder: { enabled: false }
                recovery:
                  roots: [%1$s/restores]
                  drills: { sandbox: %1$s/drills, enabled: false }
                """.formatted(work));
        lifeboat.start();
        JsonNode backup = lifeboat.awaitBackup(lifeboat.post("/api/v1/backup/trigger",
                "{\"type\": \"file\", \"source\": \"app\"}", "Admin"));
        assertEquals("success", backup.get("status").asText(), Files.readString(lifeboat.log()));
        assertEquals(List.of("nfs"), JSON.convertValue(backup.get("copies"), List.class), backup.toString());
        JsonNode status = JSON.readTree(lifeboat.get("/api/v1/backup/status", "Auditor").body());
        JsonNode target = status.get("targets").get(0);
        assertEquals("nfs", target.get("target").asText(), status.toString());
        assertEquals("done", target.get("status").asText(), status.toString());
        // a target that cannot be reached holds back neither the backup nor the other copy: it is alerted, shown failed
        JsonNode offsite = status.get("targets").get(1);
        assertEquals("offsite", offsite.get("target").asText(), status.toString());
        assertEquals("failed", offsite.get("status").asText(), status.toString());
        assertTrue(Files.readString(work.resolve("alerts.log")).contains("\"kind\":\"copy-failed\""),
                Files.readString(work.resolve("alerts.log")));
        String metrics = lifeboat.metrics();
        assertTrue(metrics.lines().anyMatch(l -> l.startsWith("copy_status{") && l.contains("target=\"nfs\"")
                && l.endsWith(" 1.0")), metrics);
        assertTrue(metrics.lines().anyMatch(l -> l.startsWith("stored_bytes{") && l.contains("place=\"nfs\"")
                && l.contains("class=\"directory\"")), metrics);

        // the repository is lost (a dropped mount): a backup fails, alerted, and writes nothing to the copy
        Files.move(work.resolve("repository"), work.resolve("repository.lost"));
        long copyObjects = count(work.resolve("nfs/lifeboat"));
        JsonNode failed = lifeboat.awaitBackup(lifeboat.post("/api/v1/backup/trigger",
                "{\"type\": \"file\", \"source\": \"app\"}", "Admin"));
        assertEquals("failed", failed.get("status").asText(), failed.toString());
        assertTrue(Files.readString(work.resolve("alerts.log")).contains("\"kind\":\"backup-failed\""),
                Files.readString(work.resolve("alerts.log")));
        assertEquals(copyObjects, count(work.resolve("nfs/lifeboat")), "the copy is not written to");

        TestSupport.Run drill = lifeboat.cli("Admin", "recover", "drill");
        assertEquals(0, drill.exit(), drill + "\n" + Files.readString(lifeboat.log()));
        String id = drill.out().lines().findFirst().orElseThrow().split(" ")[1];
        JsonNode recovered = lifeboat.recovery(id);
        assertEquals("completed", recovered.get("status").asText(), recovered.toString());
        JsonNode files = StreamSupport.stream(recovered.get("steps").spliterator(), false)
                .filter(s -> s.get("name").asText().equals("restore-files")).findFirst().orElseThrow();
        assertTrue(files.get("detail").asText().startsWith("read from the copy " + work.resolve("nfs/lifeboat")),
                files.toString());
    }

    private static long count(Path dir) throws Exception {
        try (var all = Files.walk(dir)) {
            return all.filter(Files::isRegularFile).count();
        }
    }
}
