package io.lifeboat.repository;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lifeboat.TestSupport;
import io.lifeboat.compress.Compression;
import io.lifeboat.storage.LocalBlobStore;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A binlog stored every second as it grows: the repository holds about the file once, not once per
 * store; what is stored reads back as the file at every step, also after a restart; the complete
 * file adds only its last chunk; and a stored partial that the file does not continue is not built on.
 */
class GrowingLogTest {
    private static final Compression.Setting ZSTD = Compression.parse("zstd:3");
    private static final String NAME = "binlog.000007";

    @TempDir
    Path tmp;

    @Test
    void aGrowingFileCostsItsOwnSizeAndReadsBackAtEveryStep() throws Exception {
        Path repoDir = tmp.resolve("repo");
        Repository repo = Repository.init(new LocalBlobStore(repoDir), "pw".getBytes(StandardCharsets.UTF_8), ZSTD);
        LogArchive archive = new LogArchive(repo, "beAuth");
        Path file = tmp.resolve(NAME);
        // random bytes: compression cannot hide a chunk stored twice
        byte[] all = TestSupport.random(7, 24 << 20);
        LogArchive.Segment partial = null;
        int written = 0;
        for (int step = 0; written < all.length; step++) {
            int n = Math.min(all.length - written, 250_000 + step * 7919);
            Files.write(file, Arrays.copyOfRange(all, written, written + n), StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
            written += n;
            if (step == 40) {
                // the streamer started again: it goes on from what the repository holds
                archive = new LogArchive(repo, "beAuth");
                partial = archive.get(NAME + LogArchive.PARTIAL);
            }
            partial = archive.putGrowing(NAME, partial, file, ZSTD);
            assertEquals(written, partial.size());
            if (step % 9 == 0) {
                assertArrayEquals(Arrays.copyOf(all, written), read(archive, NAME + LogArchive.PARTIAL), "step " + step);
            }
        }
        long packs = TestSupport.sizeOf(repoDir.resolve("data"));
        assertTrue(packs < all.length * 1.02, "a " + all.length + "-byte file stored as it grew took " + packs
                + " bytes of packs");

        try (InputStream in = Files.newInputStream(file)) {
            archive.putOnce(NAME, in, ZSTD);
        }
        long added = TestSupport.sizeOf(repoDir.resolve("data")) - packs;
        assertTrue(added <= FastCdc.DEFAULT_MAX + 4096, "the complete file added " + added + " bytes");
        LogArchive.Segment complete = archive.get(NAME);
        assertEquals(partial.chunks(), complete.chunks().subList(0, partial.chunks().size()));
        assertArrayEquals(all, read(archive, NAME));

        // another file under that name, longer (the server began its numbering again): stored from its start
        byte[] other = TestSupport.random(8, (24 << 20) + 100_000);
        Files.write(file, other);
        LogArchive.Segment fresh = archive.putGrowing(NAME, partial, file, ZSTD);
        assertEquals(other.length, fresh.size());
        assertArrayEquals(other, read(archive, NAME + LogArchive.PARTIAL));
    }

    private static byte[] read(LogArchive archive, String segment) throws Exception {
        try (InputStream in = archive.open(archive.get(segment))) {
            return in.readAllBytes();
        }
    }
}
