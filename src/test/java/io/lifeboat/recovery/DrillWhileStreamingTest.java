package io.lifeboat.recovery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lifeboat.ServedLifeboat;
import io.lifeboat.TestSupport;
import io.lifeboat.repository.Repository;
import io.lifeboat.repository.Snapshot;
import io.lifeboat.source.postgres.PgBaseBackup;
import io.lifeboat.source.postgres.ThrowawayCluster;
import io.lifeboat.storage.LocalBlobStore;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Drills and a recovery of a database whose WAL the service streams while it is written to, a
 * segment switched at every batch: every one completes. Each reads WAL that reached the repository
 * after its base backup was opened, and the newest segment while it is still a partial that the
 * receiver replaces, or completes, under it. A damaged segment fails the drill, named.
 */
class DrillWhileStreamingTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private Path work;
    private ThrowawayCluster cluster;
    private ServedLifeboat lifeboat;

    @AfterEach
    void stopEverything() throws Exception {
        StreamedCluster.stop(lifeboat, cluster, work);
    }

    @Test
    void drillsOneAfterAnotherUnderWriteLoadAllComplete() throws Exception {
        work = StreamedCluster.workDirectory("lifeboat-drills");
        Files.createDirectories(work.resolve("restores"));
        cluster = StreamedCluster.withCounts(work);
        lifeboat = new ServedLifeboat(work);
        Files.writeString(work.resolve("config/lifeboat.yaml"), """
                repository: { path: %1$s/repository, passwordFile: %1$s/repository.password, create: true, compression: zstd:3 }
                catalog: { url: 'jdbc:h2:file:%1$s/catalog/lifeboat;AUTO_SERVER=TRUE' }
                databases:
                %2$s
                dropFolder: { enabled: false }
                recovery:
                  roots: [%1$s/restores]
                  drills: { sandbox: %1$s/drills, enabled: false }
                """.formatted(work, cluster.streamedDatabase(work)));
        lifeboat.start();
        JsonNode full = lifeboat.awaitBackup(lifeboat.post("/api/v1/backup/trigger",
                "{\"type\": \"database\", \"source\": \"beCamera\", \"scope\": \"full\"}", "Admin"));
        assertEquals("success", full.get("status").asText(), Files.readString(lifeboat.log()));

        AtomicBoolean done = new AtomicBoolean();
        AtomicLong batches = new AtomicLong();
        CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> write(done, batches));
        try {
            for (int i = 0; i < 4; i++) {
                awaitBatches(batches, batches.get() + 3, writer); // WAL written and streamed since the last one
                TestSupport.Run drill = lifeboat.cli("Admin", "recover", "drill");
                assertEquals(0, drill.exit(), "drill " + i + " while streaming:\n" + drill + "\n"
                        + Files.readString(lifeboat.log()));
                String id = drill.out().lines().findFirst().orElseThrow().split(" ")[1];
                assertEquals("completed", lifeboat.recovery(id).get("status").asText(), drill.toString());
            }
            // a recovery of everything into a target replays to the newest WAL, the partial the receiver is writing
            awaitBatches(batches, batches.get() + 3, writer);
            HttpResponse<String> began = lifeboat.post("/api/v1/recovery/initiate", "{\"type\": \"disaster\", "
                    + "\"backupId\": \"latest\", \"target\": \"" + work.resolve("restores/latest") + "\"}", "Admin");
            assertEquals(202, began.statusCode(), began.body());
            JsonNode recovered = lifeboat.awaitRecovery(JSON.readTree(began.body()).get("recoveryId").asText());
            assertEquals("completed", recovered.get("status").asText(), recovered.toString());
        } finally {
            done.set(true);
            writer.join();
        }

        // the WAL segment a drill starts from, damaged in the repository: the drill fails and names it
        Repository repo = Repository.open(new LocalBlobStore(work.resolve("repository")),
                Files.readString(work.resolve("repository.password")).strip().getBytes(StandardCharsets.UTF_8));
        Snapshot base = repo.snapshots().stream().filter(s -> s.tags().contains("db:beCamera")).reduce((a, b) -> b)
                .orElseThrow();
        String segment = PgBaseBackup.WalRange.of(base).start();
        Path stored = work.resolve("repository/logs/beCamera/" + segment);
        byte[] bytes = Files.readAllBytes(stored);
        bytes[bytes.length / 2] ^= 0x40;
        Files.write(stored, bytes);
        TestSupport.Run damaged = lifeboat.cli("Admin", "recover", "drill");
        assertTrue(damaged.exit() != 0 && damaged.out().contains("restore-databases failed")
                && damaged.out().contains("logs/beCamera/" + segment), damaged.toString());
    }

    /** Inserts a batch and switches the segment, until told to stop (or a bounded number of batches). */
    private void write(AtomicBoolean done, AtomicLong batches) {
        try (Connection db = cluster.connect(); Statement s = db.createStatement()) {
            for (int i = 0; i < 20_000 && !done.get(); i++) {
                s.execute("INSERT INTO counts SELECT g, md5(g::text) FROM generate_series(1, 2000) g");
                s.execute("SELECT pg_switch_wal()");
                batches.incrementAndGet();
                Thread.sleep(500); // about a segment a second, as a busy platform writes; the drills run meanwhile
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Waits until the writer has written that many batches; a writer that failed says why. */
    private static void awaitBatches(AtomicLong batches, long count, CompletableFuture<Void> writer) throws Exception {
        while (batches.get() < count) {
            if (writer.isDone()) {
                writer.join();
                throw new AssertionError("the writer stopped before " + count + " batches");
            }
            Thread.sleep(50);
        }
    }
}
