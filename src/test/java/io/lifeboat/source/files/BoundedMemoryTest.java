package io.lifeboat.source.files;

import static io.lifeboat.TestSupport.cli;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.lifeboat.TestSupport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Heap does not grow with data: a 2 GiB file backs up and restores under the same small -Xmx as 20 MiB. */
class BoundedMemoryTest {
    private static final List<String> SMALL_HEAP = List.of("-Xmx128m");

    @TempDir
    Path tmp;

    @Test
    void twoGibibyteFileNeedsNoMoreHeapThanTwentyMebibytes() throws Exception {
        Path repo = tmp.resolve("repo");
        Path pw = TestSupport.passwordFile(tmp, "pw");
        assertEquals(0, cli("init", "--repo", repo.toString(), "--password-file", pw.toString(),
                "--compression", "zstd").exit());
        for (long size : new long[] {20L << 20, 2L << 30}) {
            Path src = tmp.resolve("src-" + size);
            Path file = src.resolve("big.bin");
            TestSupport.writeRandom(file, size, size);
            TestSupport.Run backup = TestSupport.runProcess(TestSupport.process(SMALL_HEAP, "backup", "--repo",
                    repo.toString(), "--password-file", pw.toString(), src.toString()), 600);
            assertEquals(0, backup.exit(), backup::toString);
            Path target = tmp.resolve("restored-" + size);
            TestSupport.Run restore = TestSupport.runProcess(TestSupport.process(SMALL_HEAP, "restore", "--repo",
                    repo.toString(), "--password-file", pw.toString(), "latest", "--target", target.toString()), 600);
            assertEquals(0, restore.exit(), restore::toString);
            Path restored = target.resolve(file.toString().substring(1));
            assertEquals(size, Files.size(restored));
            assertEquals(TestSupport.sha256(file), TestSupport.sha256(restored));
            Files.delete(restored);
            Files.delete(file);
        }
    }
}
