package io.lifeboat.maintenance;

import static io.lifeboat.TestSupport.cli;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lifeboat.TestSupport;
import io.lifeboat.repository.Repository;
import io.lifeboat.repository.RepositoryLock;
import io.lifeboat.storage.LocalBlobStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Prune gives back the space of forgotten data and never anything a kept snapshot or log segment needs. */
class PruneTest {
    @TempDir
    Path tmp;

    private String repo;
    private String pw;
    private Path src;

    @BeforeEach
    void setUp() throws Exception {
        repo = tmp.resolve("repo").toString();
        pw = TestSupport.passwordFile(tmp, "prune").toString();
        src = tmp.resolve("src");
        assertEquals(0, cli("init", "--repo", repo, "--password-file", pw, "--compression", "none").exit());
    }

    @Test
    void forgottenDataIsFreedAndTheKeptSnapshotRestoresByteForByte() throws Exception {
        TestSupport.writeRandom(src.resolve("old-clip.mp4"), 1, 40 << 20);
        TestSupport.writeRandom(src.resolve("kept.bin"), 2, 12 << 20);
        String first = snapshotId(cli("backup", "--repo", repo, "--password-file", pw, "--json", src.toString()));
        Files.delete(src.resolve("old-clip.mp4"));
        TestSupport.writeRandom(src.resolve("new-clip.mp4"), 3, 8 << 20);
        assertEquals(0, cli("backup", "--repo", repo, "--password-file", pw, src.toString()).exit());
        Map<String, String> expected = TestSupport.describe(src);
        long before = TestSupport.sizeOf(tmp.resolve("repo"));

        TestSupport.Run dry = cli("prune", "--repo", repo, "--password-file", pw, "--dry-run");
        assertEquals(0, dry.exit(), dry::toString);
        assertEquals(before, TestSupport.sizeOf(tmp.resolve("repo")), "nothing is used by both: nothing to free yet");
        assertEquals(0, cli("forget", "--repo", repo, "--password-file", pw, first).exit());
        before = TestSupport.sizeOf(tmp.resolve("repo"));
        TestSupport.Run preview = cli("prune", "--repo", repo, "--password-file", pw, "--dry-run", "--json");
        assertEquals(before, TestSupport.sizeOf(tmp.resolve("repo")), "a dry run deletes nothing");
        TestSupport.Run prune = cli("prune", "--repo", repo, "--password-file", pw, "--json");
        assertEquals(0, prune.exit(), prune::toString);
        assertEquals(Repository.JSON.readTree(preview.out()).get("freedBytes"),
                Repository.JSON.readTree(prune.out()).get("freedBytes"), "the dry run said what prune freed");
        var result = Repository.JSON.readTree(prune.out());
        assertTrue(result.get("deletedPacks").asInt() >= 1 && result.get("repackedPacks").asInt() >= 1,
                "packs of the clip alone deleted, the one it shares with kept.bin repacked: " + result);
        long after = TestSupport.sizeOf(tmp.resolve("repo"));
        assertTrue(before - after > 35 << 20, "the forgotten 40 MiB clip is freed: " + before + " -> " + after);

        TestSupport.Run verify = cli("verify", "--repo", repo, "--password-file", pw, "--read-data");
        assertEquals(0, verify.exit(), verify::toString);
        Path target = tmp.resolve("restored");
        assertEquals(0, cli("restore", "--repo", repo, "--password-file", pw, "latest", "--target",
                target.toString()).exit());
        assertEquals(expected, TestSupport.describe(target.resolve(src.toString().substring(1))));
        assertEquals(0, cli("prune", "--repo", repo, "--password-file", pw).exit());
        assertEquals(after, TestSupport.sizeOf(tmp.resolve("repo")), "a second prune finds nothing more");
    }

    @Test
    void archivedWalKeepsItsDataUntilRemovedAndPruneWaitsForNoOneElse() throws Exception {
        Path segment = tmp.resolve("000000010000000000000003");
        TestSupport.writeRandom(segment, 4, 16 << 20);
        assertEquals(0, cli("db", "wal-push", "--repo", repo, "--password-file", pw, "--source", "beCamera",
                segment.toString()).exit());
        assertEquals(0, cli("prune", "--repo", repo, "--password-file", pw).exit());
        Path fetched = tmp.resolve("fetched");
        assertEquals(0, cli("db", "wal-fetch", "--repo", repo, "--password-file", pw, "--source", "beCamera",
                segment.getFileName().toString(), fetched.toString()).exit());
        assertEquals(TestSupport.sha256(segment), TestSupport.sha256(fetched), "an archived segment's data is kept");

        try (RepositoryLock backup = RepositoryLock.shared(new LocalBlobStore(tmp.resolve("repo")),
                "backup")) {
            TestSupport.Run busy = cli("prune", "--repo", repo, "--password-file", pw, "--lock-wait", "1");
            assertEquals(11, busy.exit(), busy::toString);
            assertTrue(busy.err().contains("in use (backup by pid " + ProcessHandle.current().pid()), busy.err());
        }
        Files.delete(tmp.resolve("repo/logs/beCamera").resolve(segment.getFileName()));
        long before = TestSupport.sizeOf(tmp.resolve("repo"));
        assertEquals(0, cli("prune", "--repo", repo, "--password-file", pw).exit());
        assertTrue(before - TestSupport.sizeOf(tmp.resolve("repo")) > 15 << 20, "the removed segment's data is freed");
    }

    @Test
    void aLockOfAnotherHostExpiresOnlyOnceItHasNotBeenRefreshedForHalfAnHour() throws Exception {
        TestSupport.writeRandom(src.resolve("a.bin"), 7, 1 << 20);
        assertEquals(0, cli("backup", "--repo", repo, "--password-file", pw, src.toString()).exit());
        LocalBlobStore store = new LocalBlobStore(tmp.resolve("repo"));
        store.put("locks/other-node", Repository.JSON.writeValueAsBytes(Map.of("operation", "backup", "exclusive",
                false, "host", "camera-gw-7", "pid", 4242, "time", Instant.now().minusSeconds(60).toString())));
        TestSupport.Run busy = cli("prune", "--repo", repo, "--password-file", pw, "--lock-wait", "1");
        assertEquals(11, busy.exit(), busy::toString);
        assertTrue(busy.err().contains("backup by pid 4242 of node camera-gw-7"), busy.err());

        store.put("locks/other-node", Repository.JSON.writeValueAsBytes(Map.of("operation", "backup", "exclusive",
                false, "host", "camera-gw-7", "pid", 4242, "time", Instant.now().minus(Duration.ofMinutes(31))
                        .toString())));
        TestSupport.Run pruned = cli("prune", "--repo", repo, "--password-file", pw, "--lock-wait", "1");
        assertEquals(0, pruned.exit(), pruned::toString);
        assertFalse(store.exists("locks/other-node"), "the dead node's lock was removed");
    }

    @Test
    void aRestoreStartedDuringAPruneWaitsForIt() throws Exception {
        TestSupport.writeRandom(src.resolve("a.bin"), 6, 2 << 20);
        assertEquals(0, cli("backup", "--repo", repo, "--password-file", pw, src.toString()).exit());
        var store = new LocalBlobStore(tmp.resolve("repo"));
        RepositoryLock prune = RepositoryLock.exclusive(store, "prune", Duration.ofSeconds(5));
        AtomicBoolean released = new AtomicBoolean();
        // Released once the restore has written a lock twice: its first attempt was refused and it
        // is waiting. A restore that did not wait would ask once and go on (this thread then fails).
        WatchService locks = tmp.getFileSystem().newWatchService();
        tmp.resolve("repo/locks").register(locks, StandardWatchEventKinds.ENTRY_CREATE);
        AtomicReference<String> restoredEarly = new AtomicReference<>();
        Thread releaser = new Thread(() -> {
            try (locks) {
                Set<Object> asked = new HashSet<>();
                while (asked.size() < 2) {
                    WatchKey key = locks.poll(60, TimeUnit.SECONDS);
                    if (key == null) {
                        restoredEarly.set("the restore did not ask for its lock again while the prune held it");
                        break;
                    }
                    key.pollEvents().stream().map(e -> e.context().toString())
                            .filter(n -> n.matches("[0-9a-f-]{36}")).forEach(asked::add);
                    key.reset();
                }
                released.set(true);
                prune.close();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        releaser.start();
        TestSupport.Run restore = cli("restore", "--repo", repo, "--password-file", pw, "latest", "--target",
                tmp.resolve("r").toString());
        boolean restoredAfterRelease = released.get();
        releaser.join();
        assertEquals(0, restore.exit(), restore::toString);
        assertEquals(null, restoredEarly.get());
        assertTrue(restoredAfterRelease, "the restore ran only after the prune");
        assertTrue(Files.exists(tmp.resolve("r").resolve(src.toString().substring(1)).resolve("a.bin")));
    }

    @Test
    void aSnapshotThatCannotBeReadStopsPruneBeforeItDeletesAnything() throws Exception {
        TestSupport.writeRandom(src.resolve("a.bin"), 5, 4 << 20);
        assertEquals(0, cli("backup", "--repo", repo, "--password-file", pw, src.toString()).exit());
        try (var files = Files.list(tmp.resolve("repo/snapshots"))) {
            Files.writeString(files.findFirst().orElseThrow(), "damaged");
        }
        long before = TestSupport.sizeOf(tmp.resolve("repo"));
        TestSupport.Run prune = cli("prune", "--repo", repo, "--password-file", pw);
        assertEquals(1, prune.exit(), prune::toString);
        assertTrue(prune.err().contains("prune stops"), prune.err());
        assertEquals(before, TestSupport.sizeOf(tmp.resolve("repo")));
    }

    private static String snapshotId(TestSupport.Run run) throws Exception {
        assertEquals(0, run.exit(), run::toString);
        return Repository.JSON.readTree(run.out()).get("id").asText();
    }
}
