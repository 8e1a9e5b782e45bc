package io.lifeboat.recovery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lifeboat.ServedLifeboat;
import io.lifeboat.TestSupport;
import io.lifeboat.source.postgres.ThrowawayCluster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The service copies each backup to its targets (a directory, as an NFS mount is, and a bucket
 * that cannot be reached) and shows where each backup lives: the unreachable one is alerted and
 * holds nothing back. When the repository is lost, a backup fails and is alerted (nothing is
 * written to the copy), and a drill restores the files and the PostgreSQL database with its WAL
 * from the copy that answers, every row as backed up, saying so.
 */
class CopyFailoverTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private Path work;
    private ThrowawayCluster cluster;
    private ServedLifeboat lifeboat;

    @AfterEach
    void stop() throws Exception {
        StreamedCluster.stop(lifeboat, cluster, work);
    }

    @Test
    void aLostRepositoryFailsBackupsAndADrillRestoresFromTheCopy() throws Exception {
        work = StreamedCluster.workDirectory("lifeboat-copies");
        cluster = StreamedCluster.withCounts(work);
        Path app = work.resolve("app");
        TestSupport.writeRandom(app.resolve("models/counter.onnx"), 71, 3L << 20);
        Files.writeString(app.resolve("settings.yaml"), "cameras: 64\n");
        lifeboat = new ServedLifeboat(work);
        Files.writeString(work.resolve("config/lifeboat.yaml"), """
                repository: { path: %1$s/repository, passwordFile: %1$s/repository.password, create: true }
                catalog: { url: 'jdbc:h2:file:%1$s/catalog/lifeboat;AUTO_SERVER=TRUE' }
                files:
                  - { name: app, path: %1$s/app, schedule: "0 3 * * *", retention: 30d }
                databases:
                %2$s
                targets:
                  - { name: offsite, path: "s3://lifeboat-offsite/site-a?endpoint=http://127.0.0.1:9&path-style=true&timeout=1" }
                  - { name: nfs, path: %1$s/nfs/lifeboat }
                dropFolder: { enabled: false }
                recovery:
                  roots: [%1$s/restores]
                  drills: { sandbox: %1$s/drills, enabled: false }
                """.formatted(work, cluster.streamedDatabase(work)));
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

        // rows after the full and an incremental; once the WAL past it is stored, the next run's copy step carries
        // it to the copy (as the log check's does on its schedule)
        assertEquals("success", lifeboat.awaitBackup(lifeboat.post("/api/v1/backup/trigger",
                "{\"type\": \"database\", \"source\": \"beCamera\", \"scope\": \"full\"}", "Admin"))
                .get("status").asText(), Files.readString(lifeboat.log()));
        try (Connection db = cluster.connect(); Statement sql = db.createStatement()) {
            sql.execute("INSERT INTO counts SELECT g, md5(g::text) FROM generate_series(20001, 25000) g");
        }
        JsonNode incremental = lifeboat.awaitBackup(lifeboat.post("/api/v1/backup/trigger",
                "{\"type\": \"database\", \"source\": \"beCamera\", \"scope\": \"incremental\"}", "Admin"));
        assertEquals("success", incremental.get("status").asText(), Files.readString(lifeboat.log()));
        String segment;
        try (Connection db = cluster.connect(); Statement sql = db.createStatement()) {
            // a record after the incremental, so the segment holding its end is the one the switch completes
            sql.execute("INSERT INTO counts VALUES (0, 'after the incremental')");
            ResultSet rs = sql.executeQuery("SELECT pg_walfile_name(pg_current_wal_insert_lsn())");
            rs.next();
            segment = rs.getString(1);
            sql.execute("SELECT pg_switch_wal()");
        }
        long deadline = System.currentTimeMillis() + 60_000;
        while (!Files.exists(work.resolve("repository/logs/beCamera/" + segment))) {
            assertTrue(System.currentTimeMillis() < deadline, "segment " + segment + " was not stored");
            Thread.sleep(100);
        }
        assertEquals("success", lifeboat.awaitBackup(lifeboat.post("/api/v1/backup/trigger",
                "{\"type\": \"file\", \"source\": \"app\"}", "Admin")).get("status").asText());
        assertTrue(Files.exists(work.resolve("nfs/lifeboat/logs/beCamera/" + segment)), "the WAL is in the copy");

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
        for (String step : List.of("restore-files", "restore-databases")) {
            JsonNode restored = StreamSupport.stream(recovered.get("steps").spliterator(), false)
                    .filter(s -> s.get("name").asText().equals(step)).findFirst().orElseThrow();
            assertTrue(restored.get("detail").asText().startsWith("read from the copy " + work.resolve("nfs/lifeboat")),
                    restored.toString());
        }
        // every row written before the incremental, compared table by table with its fingerprint
        assertTrue(recovered.toString().contains("beCamera: 1 tables, 25000 rows, rows and checksums equal to the "
                + "backup's fingerprint"), recovered.toString());
    }

    private static long count(Path dir) throws Exception {
        try (var all = Files.walk(dir)) {
            return all.filter(Files::isRegularFile).count();
        }
    }
}
