package io.lifeboat.repository;

import static io.lifeboat.TestSupport.cli;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lifeboat.TestSupport;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
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

        assertEquals(0, cli("backup", "--repo", repo.toString(), "--password-file", pw, src.toString()).exit());
        long second = TestSupport.sizeOf(repo);
        assertTrue(second - first < first / 1000, "unchanged backup added " + (second - first) + " bytes to " + first);

        byte[] original = Files.readAllBytes(big);
        byte[] inserted = TestSupport.random(99, 1 << 20);
        try (OutputStream out = Files.newOutputStream(big)) {
            out.write(original, 0, original.length / 2);
            out.write(inserted);
            out.write(original, original.length / 2, original.length - original.length / 2);
        }
        TestSupport.Run third = cli("backup", "--repo", repo.toString(), "--password-file", pw, src.toString());
        assertEquals(0, third.exit(), third::toString);
        long added = TestSupport.sizeOf(repo) - second;
        assertTrue(added < 4L << 20, "inserting 1 MiB in a 100 MiB file added " + added + " bytes");

        Path target = tmp.resolve("t");
        assertEquals(0, cli("restore", "--repo", repo.toString(), "--password-file", pw, "latest", "--target",
                target.toString()).exit());
        byte[] restored = Files.readAllBytes(target.resolve(big.toString().substring(1)));
        assertTrue(Arrays.equals(Files.readAllBytes(big), restored), "restored file equals the edited one");
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
