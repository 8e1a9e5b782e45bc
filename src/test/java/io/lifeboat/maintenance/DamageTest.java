package io.lifeboat.maintenance;

import static io.lifeboat.TestSupport.cli;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lifeboat.TestSupport;
import io.lifeboat.crypto.KeyFile;
import io.lifeboat.crypto.MasterKey;
import io.lifeboat.repository.Repository;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Damage to one object is reported by verify and does not stop the rest of the repository working. */
class DamageTest {
    @TempDir
    Path tmp;

    private Path repo;
    private String pw;
    private Path src;

    @BeforeEach
    void twoSnapshots() throws Exception {
        src = tmp.resolve("src");
        TestSupport.writeRandom(src.resolve("clip.mp4"), 1, 3 << 20);
        Files.writeString(src.resolve("a.txt"), "first\n");
        repo = tmp.resolve("repo");
        pw = TestSupport.passwordFile(tmp, "pw").toString();
        assertEquals(0, cli("init", "--repo", repo.toString(), "--password-file", pw).exit());
        assertEquals(0, cli("backup", "--repo", repo.toString(), "--password-file", pw, src.toString()).exit());
        Files.writeString(src.resolve("a.txt"), "second\n");
        assertEquals(0, cli("backup", "--repo", repo.toString(), "--password-file", pw, src.toString()).exit());
    }

    @Test
    void eachSubsetReadsItsPacksAndTheSubsetsTogetherReadThemAllOnce() throws Exception {
        Path many = tmp.resolve("many");
        Path media = tmp.resolve("media");
        // files below a chunk's largest size, so that each 1 MiB pack ends within 600 KiB of its size: at least 5 packs
        for (int i = 0; i < 16; i++) {
            TestSupport.writeRandom(media.resolve("frame-" + i + ".jpg"), 50 + i, 600 << 10);
        }
        assertEquals(0, cli("init", "--repo", many.toString(), "--password-file", pw, "--pack-size", "1").exit());
        assertEquals(0, cli("backup", "--repo", many.toString(), "--password-file", pw, media.toString()).exit());
        List<Path> packs;
        try (var files = Files.walk(many.resolve("data"))) {
            packs = files.filter(Files::isRegularFile).toList();
        }
        assertTrue(packs.size() >= 5, packs.toString());
        // the first pack written holds file contents only (the file list goes last): damage any subset would miss
        Path damaged = packs.stream().min(Comparator.comparing(DamageTest::modified)).orElseThrow();
        byte[] bytes = Files.readAllBytes(damaged);
        bytes[bytes.length / 2] ^= 1;
        Files.write(damaged, bytes);
        int read = 0;
        int found = 0;
        for (int n = 1; n <= 3; n++) {
            TestSupport.Run verify = cli("verify", "--repo", many.toString(), "--password-file", pw,
                    "--read-data-subset", n + "/3", "--json");
            read += Repository.JSON.readTree(verify.out()).get("packsRead").asInt();
            if (verify.out().contains(damaged.getFileName().toString())) {
                found++;
                assertEquals(1, verify.exit(), verify.toString());
            } else {
                assertEquals(0, verify.exit(), verify.toString());
            }
        }
        assertEquals(packs.size(), read, "the three subsets read every pack once between them");
        assertEquals(1, found, "the damaged pack is found by the subset that holds it");
        TestSupport.Run refused = cli("verify", "--repo", many.toString(), "--password-file", pw,
                "--read-data-subset", "4/3");
        assertTrue(refused.exit() != 0 && refused.err().contains("not a subset n/t"), refused.toString());
    }

    private static FileTime modified(Path file) {
        try {
            return Files.getLastModifiedTime(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void aDamagedSnapshotIsReportedAndBlocksNothingElse() throws Exception {
        Path newest = newestSnapshotObject();
        Files.write(newest, "garbage".getBytes(StandardCharsets.UTF_8));
        TestSupport.Run verify = cli("verify", "--repo", repo.toString(), "--password-file", pw);
        assertEquals(1, verify.exit(), verify::toString);
        assertTrue(verify.out().contains(newest.getFileName().toString()), verify::toString);
        TestSupport.Run list = cli("snapshots", "--repo", repo.toString(), "--password-file", pw);
        assertTrue(list.out().contains("1 snapshots") && list.err().contains("is damaged"), list::toString);
        assertEquals(0, cli("backup", "--repo", repo.toString(), "--password-file", pw, src.toString()).exit(),
                "backups go on");
        Path target = tmp.resolve("t");
        assertEquals(0, cli("restore", "--repo", repo.toString(), "--password-file", pw, "latest", "--target",
                target.toString()).exit());
        assertEquals("second\n", Files.readString(target.resolve(src.toString().substring(1)).resolve("a.txt")));
    }

    @Test
    void aDamagedOrMovedWalSegmentIsReported() throws Exception {
        Path segment = tmp.resolve("000000010000000000000007");
        TestSupport.writeRandom(segment, 7, 2 << 20);
        Path other = tmp.resolve("000000010000000000000008");
        TestSupport.writeRandom(other, 8, 1 << 20);
        for (Path s : new Path[] {segment, other}) {
            TestSupport.Run push = cli("db", "wal-push", "--repo", repo.toString(), "--password-file", pw, "--source",
                    "beCamera", s.toString());
            assertEquals(0, push.exit(), push::toString);
        }
        assertEquals(0, cli("verify", "--repo", repo.toString(), "--password-file", pw).exit());
        Path logs = repo.resolve("logs/beCamera");
        // a segment object put under another segment's name is refused: its name is authenticated
        Files.copy(logs.resolve(segment.getFileName()), logs.resolve(other.getFileName()),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        TestSupport.Run verify = cli("verify", "--repo", repo.toString(), "--password-file", pw);
        assertEquals(1, verify.exit(), verify::toString);
        assertTrue(verify.out().contains("logs/beCamera/" + other.getFileName()), verify::toString);
        TestSupport.Run fetch = cli("db", "wal-fetch", "--repo", repo.toString(), "--password-file", pw, "--source",
                "beCamera", other.getFileName().toString(), tmp.resolve("fetched").toString());
        assertTrue(fetch.exit() != 0 && Files.notExists(tmp.resolve("fetched")), fetch::toString);
    }

    @Test
    void aMissingPackIsTracedToTheFilesThatNeedIt() throws Exception {
        try (Stream<Path> packs = Files.walk(repo.resolve("data"))) {
            for (Path p : packs.filter(Files::isRegularFile).toList()) {
                Files.delete(p);
            }
        }
        TestSupport.Run verify = cli("verify", "--repo", repo.toString(), "--password-file", pw);
        assertEquals(1, verify.exit(), verify::toString);
        assertTrue(verify.out().contains("pack is missing"), verify::toString);
        assertTrue(verify.out().contains("file list cannot be read") || verify.out().contains(src + "/clip.mp4"),
                verify::toString);
    }

    @Test
    void aDamagedIndexIsReportedAndItsChunksAreStoredAgain() throws Exception {
        try (Stream<Path> indexes = Files.list(repo.resolve("index"))) {
            for (Path p : indexes.toList()) {
                Files.write(p, "garbage".getBytes(StandardCharsets.UTF_8));
            }
        }
        TestSupport.Run verify = cli("verify", "--repo", repo.toString(), "--password-file", pw);
        assertEquals(1, verify.exit(), verify::toString);
        assertTrue(verify.out().contains("does not match its hash"), verify::toString);
        TestSupport.Run backup = cli("backup", "--repo", repo.toString(), "--password-file", pw, src.toString());
        assertEquals(0, backup.exit(), backup::toString);
        Path target = tmp.resolve("t");
        assertEquals(0, cli("restore", "--repo", repo.toString(), "--password-file", pw, "latest", "--target",
                target.toString()).exit(), "the new snapshot restores from the data stored again");
        assertEquals(TestSupport.sha256(src.resolve("clip.mp4")),
                TestSupport.sha256(target.resolve(src.toString().substring(1)).resolve("clip.mp4")));
    }

    @Test
    void aKeyLeftByAnInterruptedInitDoesNotLockTheRepositoryOut() throws Exception {
        KeyFile orphan = KeyFile.create(MasterKey.generate(), "pw".getBytes(StandardCharsets.UTF_8), "h", "u");
        KeyFile older = new KeyFile(orphan.version(), "2000-01-01T00:00:00Z", orphan.host(), orphan.user(),
                orphan.kdf(), orphan.memoryKiB(), orphan.iterations(), orphan.parallelism(), orphan.salt(),
                orphan.data());
        byte[] json = Repository.JSON.writeValueAsBytes(older);
        Files.write(repo.resolve("keys").resolve(Repository.sha256(json)), json);
        TestSupport.Run list = cli("snapshots", "--repo", repo.toString(), "--password-file", pw);
        assertEquals(0, list.exit(), list::toString);
        assertTrue(list.out().contains("2 snapshots"), list::toString);
    }

    private Path newestSnapshotObject() throws Exception {
        String id = Repository.JSON.readTree(cli("snapshots", "--repo", repo.toString(), "--password-file", pw,
                "--json").out()).get(1).get("id").asText();
        return repo.resolve("snapshots").resolve(id);
    }
}
