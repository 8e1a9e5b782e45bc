package io.lifeboat.repository;

import static io.lifeboat.TestSupport.cli;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lifeboat.TestSupport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A backup killed part way leaves a valid repository; backups running together both succeed. */
class CrashAndConcurrencyTest {
    @TempDir
    Path tmp;

    @Test
    void backupKilledPartWayLeavesAValidRepositoryAndTheNextReusesItsData() throws Exception {
        Path src = tmp.resolve("src");
        for (int i = 0; i < 12; i++) {
            TestSupport.writeRandom(src.resolve("segment-" + i + ".mp4"), 40 + i, 25L << 20);
        }
        Path repo = tmp.resolve("repo");
        Path pw = TestSupport.passwordFile(tmp, "pw");
        // 1 MiB packs: the backup names its first 64 in an index object long before it ends
        assertEquals(0, cli("init", "--repo", repo.toString(), "--password-file", pw.toString(), "--pack-size", "1").exit());

        Process backup = TestSupport.process(List.of("-Xmx256m"), "backup", "--repo", repo.toString(),
                "--password-file", pw.toString(), src.toString()).redirectErrorStream(true)
                .redirectOutput(tmp.resolve("killed.log").toFile()).start();
        long deadline = System.currentTimeMillis() + 60_000;
        while (countFiles(repo.resolve("index")) < 1 && backup.isAlive() && System.currentTimeMillis() < deadline) {
            Thread.sleep(20);
        }
        // held (SIGSTOP) before the check, so it cannot commit between the check and the kill
        new ProcessBuilder("kill", "-STOP", String.valueOf(backup.pid())).start().waitFor();
        assertTrue(backup.isAlive() && countFiles(repo.resolve("snapshots")) == 0,
                "the backup was still running when killed: " + Files.readString(tmp.resolve("killed.log")));
        backup.destroyForcibly().waitFor();
        long storedBeforeKill = TestSupport.sizeOf(repo.resolve("data"));

        TestSupport.Run verify = cli("verify", "--repo", repo.toString(), "--password-file", pw.toString(), "--read-data");
        assertEquals(0, verify.exit(), verify::toString);
        TestSupport.Run list = cli("snapshots", "--repo", repo.toString(), "--password-file", pw.toString());
        assertTrue(list.out().contains("0 snapshots"), "the interrupted backup is not listed: " + list);

        TestSupport.Run next = cli("backup", "--repo", repo.toString(), "--password-file", pw.toString(), "--json",
                src.toString());
        assertEquals(0, next.exit(), next::toString);
        long stored = Repository.JSON.readTree(next.out()).at("/summary/storedBytes").asLong();
        assertTrue(stored < 300L * (1 << 20) - storedBeforeKill / 2,
                "the next backup reused what was stored: it stored " + stored + " after " + storedBeforeKill + " survived");
        assertRestores(repo, pw, src);
    }

    @Test
    void twoBackupsAtTheSameTimeBothSucceedAndBothRestore() throws Exception {
        Path a = tmp.resolve("a");
        Path b = tmp.resolve("b");
        TestSupport.writeRandom(a.resolve("a.bin"), 1, 30L << 20);
        TestSupport.writeRandom(b.resolve("b.bin"), 2, 30L << 20);
        TestSupport.writeRandom(b.resolve("shared.bin"), 1, 30L << 20);
        Path repo = tmp.resolve("repo");
        Path pw = TestSupport.passwordFile(tmp, "pw");
        assertEquals(0, cli("init", "--repo", repo.toString(), "--password-file", pw.toString()).exit());
        ExecutorService two = Executors.newFixedThreadPool(2);
        try {
            List<Callable<TestSupport.Run>> backups = List.of(a, b).stream().<Callable<TestSupport.Run>>map(dir -> () ->
                    TestSupport.runProcess(TestSupport.process(List.of("-Xmx256m"), "backup", "--repo", repo.toString(),
                            "--password-file", pw.toString(), dir.toString()), 120)).toList();
            for (Future<TestSupport.Run> f : two.invokeAll(backups)) {
                assertEquals(0, f.get().exit(), f.get()::toString);
            }
        } finally {
            two.shutdownNow();
        }
        assertEquals(0, cli("verify", "--repo", repo.toString(), "--password-file", pw.toString(), "--read-data").exit());
        assertRestores(repo, pw, a);
        assertRestores(repo, pw, b);
    }

    /** The newest snapshot holding dir restores it exactly. */
    private void assertRestores(Path repo, Path pw, Path dir) throws Exception {
        var snapshots = Repository.JSON.readTree(cli("snapshots", "--repo", repo.toString(), "--password-file",
                pw.toString(), "--json").out());
        String id = null;
        for (var s : snapshots) {
            if (s.get("paths").get(0).asText().equals(dir.toString())) {
                id = s.get("id").asText();
            }
        }
        Path target = Files.createTempDirectory(tmp, "restore");
        TestSupport.Run r = cli("restore", "--repo", repo.toString(), "--password-file", pw.toString(), id, "--target",
                target.toString());
        assertEquals(0, r.exit(), r::toString);
        Map<String, String> expected = TestSupport.describe(dir);
        assertEquals(expected, TestSupport.describe(target.resolve(dir.toString().substring(1))));
    }

    private static long countFiles(Path dir) throws Exception {
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.count();
        }
    }
}
