package io.lifeboat.recovery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lifeboat.ServedLifeboat;
import io.lifeboat.TestSupport;
import io.lifeboat.service.ServiceRuns;
import io.lifeboat.source.postgres.ThrowawayCluster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The service copies each backup to its targets (a directory, as an NFS mount is, and a bucket
 * that cannot be reached) and shows where each backup lives: the unreachable one is alerted and
 * holds nothing back. When the repository is lost, a backup fails and is alerted (nothing is
 * written to the copy), and a drill restores the files and the PostgreSQL database with its WAL
 * from the copy that answers, every row as backed up, saying so. With whenUnreachable: next-target
 * a backup then goes to the first target that answers, alerted, and back into the repository at
 * the first run after it answers again.
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
                  - { name: nfs, path: %1$s/nfs/lifeboat, quota: 1KiB, minFree: 100 }
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
        Path alerts = work.resolve("alerts.log");
        ServiceRuns.awaitAlert(alerts, l -> l.contains("\"kind\":\"copy-failed\""));
        // the directory target is past its quota and its disk has less free than it asks for (all of it)
        ServiceRuns.awaitAlert(alerts, l -> l.contains("\"kind\":\"target-quota\"") && l.contains("over its quota of 1KiB"));
        ServiceRuns.awaitAlert(alerts, l -> l.contains("\"kind\":\"target-disk-full\"")
                && l.contains("under its minFree of 100%"));
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
        ServiceRuns.awaitAlert(alerts, l -> l.contains("\"kind\":\"backup-failed\""));
        assertEquals(copyObjects, count(work.resolve("nfs/lifeboat")), "the copy is not written to");

        TestSupport.Run drill = lifeboat.cli("Admin", "recover", "drill");
        assertEquals(0, drill.exit(), drill + "\n" + Files.readString(lifeboat.log()));
        String id = drill.out().lines().findFirst().orElseThrow().split(" ")[1];
        JsonNode recovered = lifeboat.recovery(id);
        assertEquals("completed", recovered.get("status").asText(), recovered.toString());
        for (String name : List.of("restore-files", "restore-databases")) {
            JsonNode restored = ServedLifeboat.step(recovered, name);
            assertTrue(restored.get("detail").asText().startsWith("read from the copy " + work.resolve("nfs/lifeboat")),
                    restored.toString());
        }
        // every row written before the incremental, compared table by table with its fingerprint
        assertTrue(recovered.toString().contains("beCamera: 1 tables, 25000 rows, rows and checksums equal to the "
                + "backup's fingerprint"), recovered.toString());

        // the other policy, edited live: a backup while the repository is lost goes to the first target that answers
        Path config = work.resolve("config/lifeboat.yaml");
        Files.writeString(config, Files.readString(config).replace("create: true }",
                "create: true, whenUnreachable: next-target }"));
        long deadline2 = System.currentTimeMillis() + 60_000;
        while (lifeboat.metrics().lines().noneMatch(l -> l.startsWith("lifeboat_reloads_total")
                && l.contains("configuration") && l.contains("applied"))) {
            assertTrue(System.currentTimeMillis() < deadline2, "the configuration was not reloaded");
            Thread.sleep(200);
        }
        Files.writeString(app.resolve("settings.yaml"), "cameras: 72\n");
        Map<String, String> during = TestSupport.describe(app);
        Set<String> copied = snapshotsIn(work.resolve("nfs/lifeboat"));
        JsonNode elsewhere = lifeboat.awaitBackup(lifeboat.post("/api/v1/backup/trigger",
                "{\"type\": \"file\", \"source\": \"app\"}", "Admin"));
        assertEquals("success", elsewhere.get("status").asText(), Files.readString(lifeboat.log()));
        ServiceRuns.awaitAlert(alerts, l -> l.contains("\"kind\":\"repository-unreachable\"")
                && l.contains("went to target nfs"));
        Set<String> written = snapshotsIn(work.resolve("nfs/lifeboat"));
        written.removeAll(copied);
        assertEquals(1, written.size(), "the backup is in the target: " + written);

        // the repository is back: the next run sends that backup back into it
        Files.move(work.resolve("repository.lost"), work.resolve("repository"));
        Files.writeString(app.resolve("settings.yaml"), "cameras: 80\n");
        assertEquals("success", lifeboat.awaitBackup(lifeboat.post("/api/v1/backup/trigger",
                "{\"type\": \"file\", \"source\": \"app\"}", "Admin")).get("status").asText());
        assertTrue(snapshotsIn(work.resolve("repository")).containsAll(written), Files.readString(lifeboat.log()));
        Path back = work.resolve("back");
        TestSupport.Run restore = TestSupport.cli("restore", "--repo", work.resolve("repository").toString(),
                "--password-file", work.resolve("repository.password").toString(), written.iterator().next(), "--target",
                back.toString());
        assertEquals(0, restore.exit(), restore.toString());
        assertEquals(during, TestSupport.describe(back.resolve(app.toString().substring(1))));
    }

    private static Set<String> snapshotsIn(Path repository) throws Exception {
        try (var names = Files.list(repository.resolve("snapshots"))) {
            return names.map(p -> p.getFileName().toString()).collect(Collectors.toCollection(HashSet::new));
        }
    }

    private static long count(Path dir) throws Exception {
        try (var all = Files.walk(dir)) {
            return all.filter(Files::isRegularFile).count();
        }
    }
}
