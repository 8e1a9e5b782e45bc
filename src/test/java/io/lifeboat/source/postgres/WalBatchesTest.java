package io.lifeboat.source.postgres;

import static io.lifeboat.TestSupport.cli;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lifeboat.TestSupport;
import io.lifeboat.compress.Compression;
import io.lifeboat.repository.LogArchive;
import io.lifeboat.repository.Repository;
import io.lifeboat.storage.LocalBlobStore;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One wal-push stores every segment the server marked ready; one wal-fetch fetches the next ones
 * ahead, and a segment the archive holds only in part is served, not taken for the archive's end.
 */
class WalBatchesTest {
    @TempDir
    Path tmp;

    @Test
    void aPushStoresTheReadySegmentsAndAFetchPrefetchesTheNextOnes() throws Exception {
        String repo = tmp.resolve("repo").toString();
        String pw = TestSupport.passwordFile(tmp, "batches").toString();
        assertEquals(0, cli("init", "--repo", repo, "--password-file", pw).exit());
        Path walDir = tmp.resolve("data/pg_wal");
        Files.createDirectories(walDir.resolve("archive_status"));
        List<String> names = List.of("000000010000000000000010", "000000010000000000000011",
                "000000010000000000000012", "000000010000000000000013");
        for (int i = 0; i < names.size(); i++) {
            TestSupport.writeRandom(walDir.resolve(names.get(i)), 20 + i, 1 << 20);
            Files.writeString(walDir.resolve("archive_status").resolve(names.get(i) + ".ready"), "");
        }
        TestSupport.Run push = cli("db", "wal-push", "--repo", repo, "--password-file", pw, "--source", "beCamera",
                walDir.resolve(names.get(0)).toString());
        assertEquals(0, push.exit(), push::toString);
        TestSupport.Run list = cli("db", "list", "--repo", repo, "--password-file", pw, "--source", "beCamera", "--json");
        assertTrue(list.out().contains(names.get(3)), "the ready segments were pushed ahead: " + list.out());
        for (String later : names.subList(1, 4)) {
            assertTrue(Files.exists(walDir.resolve(WalBatches.PUSHED).resolve(later)), later + " marked");
        }
        // the server's own call for a pushed-ahead segment succeeds and uses up its marker
        assertEquals(0, cli("db", "wal-push", "--repo", repo, "--password-file", pw, "--source", "beCamera",
                walDir.resolve(names.get(1)).toString()).exit());
        assertTrue(Files.notExists(walDir.resolve(WalBatches.PUSHED).resolve(names.get(1))));

        Path prefetch = tmp.resolve("restored/pg_wal/lifeboat-prefetch");
        Path dest = tmp.resolve("RECOVERYXLOG");
        assertEquals(0, cli("db", "wal-fetch", "--repo", repo, "--password-file", pw, "--source", "beCamera",
                "--prefetch-dir", prefetch.toString(), names.get(0), dest.toString()).exit());
        assertEquals(TestSupport.sha256(walDir.resolve(names.get(0))), TestSupport.sha256(dest));
        for (String later : names.subList(1, 4)) {
            assertEquals(TestSupport.sha256(walDir.resolve(later)), TestSupport.sha256(prefetch.resolve(later)),
                    later + " fetched ahead, whole");
        }
        assertEquals(0, cli("db", "wal-fetch", "--repo", repo, "--password-file", pw, "--source", "beCamera",
                "--prefetch-dir", prefetch.toString(), names.get(2), dest.toString()).exit());
        assertEquals(TestSupport.sha256(walDir.resolve(names.get(2))), TestSupport.sha256(dest));
        assertTrue(Files.notExists(prefetch.resolve(names.get(1))) && Files.notExists(prefetch.resolve(names.get(2))),
                "what recovery passed or took is gone from the prefetch directory");
        assertEquals(List.of("000000010000000000000014"), Files.readAllLines(prefetch.resolve(WalBatches.ARCHIVE_END)),
                "where the archive ended, and that it has no history files");

        // the next segment only partly received (the source was lost while it streamed): not the end of the
        // archive, and served as far as it goes when recovery asks for it
        byte[] part = TestSupport.random(30, 300_000);
        Repository r = Repository.open(new LocalBlobStore(Path.of(repo)), "batches".getBytes(StandardCharsets.UTF_8));
        new LogArchive(r, "beCamera").putPartial("000000010000000000000014", new ByteArrayInputStream(part),
                Compression.parse("zstd:3"));
        Path again = tmp.resolve("again/pg_wal/lifeboat-prefetch");
        assertEquals(0, cli("db", "wal-fetch", "--repo", repo, "--password-file", pw, "--source", "beCamera",
                "--prefetch-dir", again.toString(), names.get(2), dest.toString()).exit());
        assertTrue(Files.exists(again.resolve(names.get(3))) && Files.notExists(again.resolve(WalBatches.ARCHIVE_END)),
                "a partial is not the archive's end");
        assertEquals(0, cli("db", "wal-fetch", "--repo", repo, "--password-file", pw, "--source", "beCamera",
                "--prefetch-dir", again.toString(), "000000010000000000000014", dest.toString()).exit());
        assertArrayEquals(part, Files.readAllBytes(dest));
    }
}
