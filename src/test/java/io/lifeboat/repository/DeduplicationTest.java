package io.lifeboat.repository;

import static io.lifeboat.TestSupport.cli;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lifeboat.TestSupport;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Unchanged data costs nothing the second time; an insertion costs about its own size. */
class DeduplicationTest {
    @TempDir
    Path tmp;

    @Test
    void unchangedDataStoresAlmostNothingAndAnInsertionStoresLittle() throws Exception {
        Path src = tmp.resolve("src");
        Path big = src.resolve("recording.mp4");
        TestSupport.writeRandom(big, 7, 100L << 20);
        for (int i = 0; i < 50; i++) {
            Files.write(src.resolve("frame-" + i + ".jpg"), TestSupport.random(100 + i, 200_000));
        }
        Path repo = tmp.resolve("repo");
        String pw = TestSupport.passwordFile(tmp, "pw").toString();
        cli("init", "--repo", repo.toString(), "--password-file", pw, "--compression", "zstd");
        assertEquals(0, cli("backup", "--repo", repo.toString(), "--password-file", pw, src.toString()).exit());
        long first = TestSupport.sizeOf(repo);

        TestSupport.Run again = cli("backup", "--repo", repo.toString(), "--password-file", pw, "--json", src.toString());
        assertEquals(0, again.exit(), again::toString);
        assertEquals(0, Repository.JSON.readTree(again.out()).at("/summary/newChunks").asLong(),
                "not even the file list changed");
        long second = TestSupport.sizeOf(repo);
        assertTrue(second - first < first / 1000, "unchanged backup added " + (second - first) + " bytes to " + first);

        // Which bytes an insertion costs depends on where the (key-dependent, so different in every
        // run) boundaries fall: the inserted MiB, the chunk it lands in — a big one more often than a
        // small one — and sometimes the next. So the average of ten insertions differs from run to
        // run (4.1 MiB was seen); a backup that re-stored the file would add 100.
        long total = 0;
        long before = second;
        for (int i = 0; i < 10; i++) {
            insert(big, (long) (i * 2 + 1) * (5L << 20) + i * 12_345L, TestSupport.random(1000 + i, 1 << 20));
            TestSupport.Run r = cli("backup", "--repo", repo.toString(), "--password-file", pw, src.toString());
            assertEquals(0, r.exit(), r::toString);
            long after = TestSupport.sizeOf(repo);
            long added = after - before;
            assertTrue(added < (1 << 20) + 2L * FastCdc.DEFAULT_MAX, "one insertion added " + added + " bytes");
            total += added;
            before = after;
        }
        assertTrue(total / 10 < 6L << 20, "inserting 1 MiB in a 100 MiB file added " + total / 10 + " bytes on average");

        Path target = tmp.resolve("t");
        assertEquals(0, cli("restore", "--repo", repo.toString(), "--password-file", pw, "latest", "--target",
                target.toString()).exit());
        assertEquals(TestSupport.sha256(big), TestSupport.sha256(target.resolve(big.toString().substring(1))),
                "restored file equals the edited one");
    }

    /** Rewrites the file with the bytes inserted at the offset, streaming. */
    private static void insert(Path file, long offset, byte[] inserted) throws Exception {
        Path edited = file.resolveSibling(file.getFileName() + ".edit");
        try (var in = Files.newInputStream(file); OutputStream out = Files.newOutputStream(edited)) {
            byte[] head = in.readNBytes((int) offset);
            out.write(head);
            out.write(inserted);
            in.transferTo(out);
        }
        Files.move(edited, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }

    @Test
    void chunksStayWithinBoundsAndAverageNearTheTarget() {
        FastCdc cdc = new FastCdc(new byte[] {1, 2, 3}, FastCdc.DEFAULT_MIN, FastCdc.DEFAULT_AVG, FastCdc.DEFAULT_MAX);
        byte[] data = TestSupport.random(5, 64 << 20);
        int offset = 0;
        int count = 0;
        while (offset < data.length) {
            int n = cdc.cut(data, offset, data.length - offset, true);
            assertTrue(n > 0 && n <= FastCdc.DEFAULT_MAX);
            assertTrue(n >= FastCdc.DEFAULT_MIN || offset + n == data.length, "chunk below the minimum");
            offset += n;
            count++;
        }
        double average = (double) data.length / count;
        assertTrue(average > 0.7 * FastCdc.DEFAULT_AVG && average < 1.6 * FastCdc.DEFAULT_AVG,
                "average chunk " + average);
    }
}
