package io.lifeboat.repository;

import static io.lifeboat.TestSupport.cli;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lifeboat.TestSupport;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Wrong keys are refused without writing; damage is found, named, and never restored silently. */
class IntegrityTest {
    @TempDir
    Path tmp;

    private Path repo;
    private String pw;
    private Path src;

    private void backedUpTree() throws Exception {
        src = tmp.resolve("src");
        TestSupport.writeRandom(src.resolve("media/clip.mp4"), 3, 6L << 20);
        Files.writeString(src.resolve("config.yaml"), "a: b\n");
        repo = tmp.resolve("repo");
        pw = TestSupport.passwordFile(tmp, "right").toString();
        assertEquals(0, cli("init", "--repo", repo.toString(), "--password-file", pw).exit());
        assertEquals(0, cli("backup", "--repo", repo.toString(), "--password-file", pw, src.toString()).exit());
    }

    @Test
    void wrongPassphraseIsRefusedAndWritesNothing() throws Exception {
        backedUpTree();
        Map<String, String> before = TestSupport.describe(repo);
        String wrong = TestSupport.passwordFile(tmp, "wrong").toString();
        for (List<String> command : List.of(List.of("backup", src.toString()), List.of("snapshots"),
                List.of("verify"), List.of("key", "add"))) {
            String[] args = Stream.concat(command.stream(), Stream.of("--repo", repo.toString(), "--password-file", wrong))
                    .toArray(String[]::new);
            TestSupport.Run r = cli(args);
            assertEquals(1, r.exit(), r::toString);
            assertTrue(r.err().contains("wrong password"), r::toString);
            assertEquals(1, r.err().strip().lines().count(), "one line on stderr: " + r.err());
        }
        assertEquals(before, TestSupport.describe(repo), "the repository is untouched");
    }

    @Test
    void flippedByteInAPackIsFoundNamedAndNeverRestored() throws Exception {
        backedUpTree();
        Path pack;
        try (Stream<Path> s = Files.walk(repo.resolve("data"))) {
            pack = s.filter(Files::isRegularFile).findFirst().orElseThrow();
        }
        try (RandomAccessFile f = new RandomAccessFile(pack.toFile(), "rw")) {
            f.seek(1000);
            int b = f.read();
            f.seek(1000);
            f.write(b ^ 0x01);
        }
        TestSupport.Run quick = cli("verify", "--repo", repo.toString(), "--password-file", pw);
        assertEquals(0, quick.exit(), "structure alone is intact: " + quick);

        TestSupport.Run full = cli("verify", "--repo", repo.toString(), "--password-file", pw, "--read-data");
        assertEquals(1, full.exit(), full::toString);
        String snapshot = cli("snapshots", "--repo", repo.toString(), "--password-file", pw).out()
                .lines().skip(1).findFirst().orElseThrow().substring(0, 8);
        assertTrue(full.out().contains("snapshot " + snapshot), full::toString);
        assertTrue(full.out().contains("file " + src.resolve("media/clip.mp4")), full::toString);
        assertTrue(full.out().contains("does not match its name"), full::toString);

        Path target = tmp.resolve("t");
        TestSupport.Run restore = cli("restore", "--repo", repo.toString(), "--password-file", pw, "latest",
                "--target", target.toString());
        assertNotEquals(0, restore.exit(), restore::toString);
        assertTrue(restore.err().contains(src.resolve("media/clip.mp4").toString()), restore::toString);
        Path restored = target.resolve(src.toString().substring(1));
        assertFalse(Files.exists(restored.resolve("media/clip.mp4")), "damaged file not written");
        assertEquals("a: b\n", Files.readString(restored.resolve("config.yaml")), "undamaged files restored");
        try (Stream<Path> s = Files.walk(target)) {
            assertTrue(s.noneMatch(p -> p.getFileName().toString().contains(".lifeboat-")), "no temporary left");
        }
    }
}
