package io.lifeboat.storage;

import static io.lifeboat.TestSupport.cli;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.lifeboat.TestSupport;
import io.lifeboat.repository.Repository;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Copies of a repository in a second bucket and in a directory (what an NFS mount is to Lifeboat):
 * each restores alone with the passphrase, a copy sends only what is missing and checks it, and
 * when the repository stops answering (frozen, or answering 500) a reader turns to a copy by
 * itself and says which one served it.
 */
class CopiesTest {
    private static S3Server s3;
    @TempDir
    Path tmp;

    @BeforeAll
    static void startS3() throws Exception {
        s3 = new S3Server();
    }

    @AfterAll
    static void stopS3() throws Exception {
        s3.close();
    }

    @Test
    void aCopyRestoresAloneAndIsReadWhenTheRepositoryStopsAnswering() throws Exception {
        try (S3Proxy proxy = new S3Proxy(s3.port)) {
            String primary = s3.repository("lifeboat-primary", "site-a").replace(":" + s3.port, ":" + proxy.port())
                    + "&timeout=1";
            String bucketCopy = s3.repository("lifeboat-copy", "site-a");
            String directoryCopy = tmp.resolve("nfs/lifeboat").toString();
            String pw = TestSupport.passwordFile(tmp, "copies").toString();
            Path src = tmp.resolve("src");
            TestSupport.writeRandom(src.resolve("media/clip-1.mp4"), 51, 5L << 20);
            Files.writeString(Files.createDirectories(src.resolve("app")).resolve("settings.yaml"), "cameras: 64\n".repeat(100));
            Files.createSymbolicLink(src.resolve("app/current.yaml"), Path.of("settings.yaml"));
            assertEquals(0, cli("init", "--repo", primary, "--password-file", pw).exit());
            assertEquals(0, cli("backup", "--repo", primary, "--password-file", pw, src.toString()).exit());

            JsonNode first = copy(primary, pw, bucketCopy, directoryCopy);
            for (JsonNode target : first) {
                assertTrue(target.get("objectsSent").asInt() >= 5, "config, key, pack, index, snapshot: " + target);
                assertEquals(1, target.get("snapshots").size(), target.toString());
            }
            TestSupport.writeRandom(src.resolve("media/clip-2.mp4"), 52, 2L << 20);
            assertEquals(0, cli("backup", "--repo", primary, "--password-file", pw, src.toString()).exit());
            JsonNode second = copy(primary, pw, bucketCopy, directoryCopy);
            for (int i = 0; i < 2; i++) {
                assertTrue(second.get(i).get("objectsSent").asInt() < first.get(i).get("objectsSent").asInt(),
                        "only what is new goes over: " + second.get(i));
                assertEquals(2, second.get(i).get("snapshots").size(), second.get(i).toString());
            }
            for (JsonNode target : copy(primary, pw, bucketCopy, directoryCopy)) {
                assertEquals(0, target.get("objectsSent").asInt(), "an up-to-date copy gets nothing: " + target);
            }
            for (String copy : List.of(bucketCopy, directoryCopy)) {
                TestSupport.Run verified = cli("verify", "--repo", copy, "--password-file", pw, "--read-data");
                assertEquals(0, verified.exit(), verified::toString);
            }

            // the repository stops answering: a restore turns to the bucket copy, and says so
            proxy.fail("", S3Proxy.Fault.HOLD, Integer.MAX_VALUE);
            Path fromCopy = tmp.resolve("restored-from-bucket");
            TestSupport.Run restored = cli("restore", "--repo", primary, "--password-file", pw, "--fallback",
                    bucketCopy, "latest", "--target", fromCopy.toString());
            assertEquals(0, restored.exit(), restored::toString);
            assertTrue(restored.err().contains("reading from s3://lifeboat-copy/site-a"), restored.err());
            assertTrue(restored.err().contains("store unreachable"), "with the reason: " + restored.err());
            assertEquals(TestSupport.describe(src), TestSupport.describe(fromCopy.resolve(src.toString().substring(1))));

            // it answers with server errors only: the directory copy serves
            proxy.fail("", S3Proxy.Fault.HOLD, 0);
            proxy.fail("", S3Proxy.Fault.INTERNAL_ERROR_500, Integer.MAX_VALUE);
            TestSupport.Run listed = cli("snapshots", "--repo", primary, "--password-file", pw, "--fallback",
                    directoryCopy);
            assertEquals(0, listed.exit(), listed::toString);
            assertTrue(listed.out().contains("2 snapshots"), listed.out());
            assertTrue(listed.err().contains("reading from " + directoryCopy), listed.err());
            Path fromDirectory = tmp.resolve("restored-from-directory");
            assertEquals(0, cli("restore", "--repo", primary, "--password-file", pw, "--fallback", directoryCopy,
                    "latest", "--target", fromDirectory.toString()).exit());
            assertEquals(TestSupport.describe(src),
                    TestSupport.describe(fromDirectory.resolve(src.toString().substring(1))));
            TestSupport.Run alone = cli("snapshots", "--repo", primary, "--password-file", pw);
            assertEquals(1, alone.exit(), "without a copy to turn to, the command fails: " + alone);
            assertTrue(alone.err().contains("HTTP 500"), alone.err());
            TestSupport.Run backup = cli("backup", "--repo", primary, "--password-file", pw, "--fallback",
                    directoryCopy, src.toString());
            assertEquals(1, backup.exit(), "a backup never writes to a copy: " + backup);
            proxy.fail("", S3Proxy.Fault.INTERNAL_ERROR_500, 0);
        }
    }

    @Test
    void aCopyRefusesAnotherRepositoryAndDoesNotCarryDamageOver() throws Exception {
        String pw = TestSupport.passwordFile(tmp, "damage").toString();
        String repo = tmp.resolve("repo").toString();
        Path src = tmp.resolve("src");
        TestSupport.writeRandom(src.resolve("clip.mp4"), 61, 3L << 20);
        assertEquals(0, cli("init", "--repo", repo, "--password-file", pw).exit());
        assertEquals(0, cli("backup", "--repo", repo, "--password-file", pw, src.toString()).exit());

        String other = tmp.resolve("other").toString();
        assertEquals(0, cli("init", "--repo", other, "--password-file", pw).exit());
        TestSupport.Run refused = cli("copy", "--repo", repo, "--password-file", pw, "--to", other);
        assertEquals(1, refused.exit(), refused::toString);
        assertTrue(refused.err().contains(other + " holds another repository"), refused.err());

        // a log segment's object is named for the segment, not its bytes: a changed byte is found by its seal
        Path segment = tmp.resolve("000000010000000000000001");
        TestSupport.writeRandom(segment, 62, 1 << 20);
        assertEquals(0, cli("db", "wal-push", "--repo", repo, "--password-file", pw, "--source", "beCamera",
                segment.toString()).exit());
        Path log = Path.of(repo, "logs/beCamera/000000010000000000000001");
        String beforeLog = copyAfterDamage(repo, pw, log, "before-log", "logs/beCamera/000000010000000000000001 is "
                + "damaged (its seal does not open");
        assertFalse(Files.exists(Path.of(beforeLog, "logs/beCamera/000000010000000000000001")));
        Files.delete(log);

        Path pack;
        try (var packs = Files.walk(Path.of(repo, "data"))) {
            pack = packs.filter(Files::isRegularFile).findFirst().orElseThrow();
        }
        String fresh = copyAfterDamage(repo, pw, pack, "fresh", pack.getFileName() + " is damaged");
        assertFalse(Files.exists(Path.of(fresh, "snapshots")), "no snapshot goes over while its pack did not");
        assertFalse(Files.exists(Path.of(fresh, "data", pack.getParent().getFileName().toString(),
                pack.getFileName().toString())), "the damaged pack is not copied");
    }

    @Test
    void aCopyOfSomeSourcesHoldsTheirBackupsAloneAndRestoresThem() throws Exception {
        String pw = TestSupport.passwordFile(tmp, "sources").toString();
        String repo = tmp.resolve("repo-sources").toString();
        Path media = tmp.resolve("media");
        Path app = tmp.resolve("app");
        TestSupport.writeRandom(media.resolve("clip.mp4"), 71, 6L << 20);
        TestSupport.writeRandom(app.resolve("model.onnx"), 72, 1L << 20);
        assertEquals(0, cli("init", "--repo", repo, "--password-file", pw).exit());
        assertEquals(0, cli("backup", "--repo", repo, "--password-file", pw, "--tag", "source:media", media.toString())
                .exit());
        assertEquals(0, cli("backup", "--repo", repo, "--password-file", pw, "--tag", "source:app", app.toString())
                .exit());
        String to = tmp.resolve("app-only").toString();
        TestSupport.Run copied = cli("copy", "--repo", repo, "--password-file", pw, "--to", to, "--source", "app");
        assertEquals(0, copied.exit(), copied::toString);
        assertTrue(copied.out().contains("it holds 1 snapshots"), copied.out());
        assertTrue(TestSupport.sizeOf(Path.of(to)) < 3L << 20, "the media's packs stay out of the copy");
        // again, after another backup of each: only what is new of the app goes
        Instant cut = Instant.now();
        TestSupport.writeRandom(app.resolve("weights.bin"), 73, 1L << 20);
        assertEquals(0, cli("backup", "--repo", repo, "--password-file", pw, "--tag", "source:app", app.toString())
                .exit());
        TestSupport.writeRandom(media.resolve("clip2.mp4"), 74, 2L << 20);
        assertEquals(0, cli("backup", "--repo", repo, "--password-file", pw, "--tag", "source:media", media.toString())
                .exit());
        copied = cli("copy", "--repo", repo, "--password-file", pw, "--to", to, "--source", "app");
        assertTrue(copied.out().contains("it holds 2 snapshots"), copied.out());
        assertEquals(0, cli("verify", "--repo", to, "--password-file", pw, "--read-data").exit(), "every pack the copy's"
                + " index names is there");
        Path restored = tmp.resolve("restored-app");
        assertEquals(0, cli("restore", "--repo", to, "--password-file", pw, "latest", "--target", restored.toString())
                .exit());
        assertEquals(TestSupport.describe(app), TestSupport.describe(restored.resolve(app.toString().substring(1))));

        // the backups taken since a time, of every source
        String recent = tmp.resolve("recent").toString();
        copied = cli("copy", "--repo", repo, "--password-file", pw, "--to", recent, "--since", cut.toString());
        assertTrue(copied.out().contains("it holds 2 snapshots"), copied.toString());
        assertEquals(0, cli("verify", "--repo", recent, "--password-file", pw, "--read-data").exit());
        TestSupport.Run refused = cli("copy", "--repo", repo, "--password-file", pw, "--to", recent, "--since", "lately");
        assertTrue(refused.exit() != 0 && refused.err().contains("--since lately: neither a time"), refused.toString());
    }

    /** Changes a byte of the object, then copies to a new place: refused, saying so; returns the place. */
    private String copyAfterDamage(String repo, String pw, Path object, String place, String says) throws Exception {
        byte[] bytes = Files.readAllBytes(object);
        bytes[bytes.length / 2] ^= 1;
        Files.write(object, bytes);
        String to = tmp.resolve(place).toString();
        TestSupport.Run damaged = cli("copy", "--repo", repo, "--password-file", pw, "--to", to);
        assertEquals(1, damaged.exit(), damaged::toString);
        assertTrue(damaged.err().contains(says), damaged.err());
        return to;
    }

    @Test
    void packsOfACopyGoToItsStorageClassAndCostIsCountedPerClass() throws Exception {
        String primary = s3.repository("lifeboat-cost", "site-a");
        String cold = s3.repository("lifeboat-cost-copy", "site-a") + "&storage-class=GLACIER_IR";
        String pw = TestSupport.passwordFile(tmp, "cost").toString();
        Path src = tmp.resolve("src");
        Files.createDirectories(src);
        StringBuilder counts = new StringBuilder();
        for (int i = 0; i < 400_000; i++) {
            counts.append("cam-").append(i % 64).append(",2026-12-07T10:").append(i % 60).append(",").append(i % 7)
                    .append('\n');
        }
        Files.writeString(src.resolve("counts.csv"), counts);
        TestSupport.writeRandom(src.resolve("clip.mp4"), 91, 1L << 20);
        assertEquals(0, cli("init", "--repo", primary, "--password-file", pw).exit());
        assertEquals(0, cli("backup", "--repo", primary, "--password-file", pw, src.toString()).exit());
        copy(primary, pw, cold);

        TestSupport.Run priced = cli("cost", "--repo", primary, "--password-file", pw, "--copy", cold, "--price",
                "STANDARD=0.023", "--price", "GLACIER_IR=0.004", "--json");
        assertEquals(0, priced.exit(), priced::toString);
        JsonNode cost = Repository.JSON.readTree(priced.out());
        long coldPacks = 0;
        long coldStandard = 0;
        long primaryBytes = 0;
        double monthly = 0;
        for (JsonNode p : cost.get("places")) {
            String where = p.get("location").asText();
            String storageClass = p.get("storageClass").asText();
            long bytes = p.get("bytes").asLong();
            if (where.equals("s3://lifeboat-cost-copy/site-a")) {
                if (storageClass.equals("GLACIER_IR")) {
                    coldPacks += bytes;
                } else {
                    assertEquals("STANDARD", storageClass, "what plans a restore stays in STANDARD: " + p);
                    coldStandard += bytes;
                }
            } else {
                assertEquals("STANDARD", storageClass, p.toString());
                primaryBytes += bytes;
            }
            monthly += bytes / (1024.0 * 1024 * 1024) * (storageClass.equals("GLACIER_IR") ? 0.004 : 0.023);
        }
        assertTrue(coldPacks > 0 && coldStandard > 0 && primaryBytes > coldStandard, cost.toString());
        assertEquals(monthly, cost.get("usdPerMonth").asDouble(), 1e-12);
        long protectedBytes = Files.size(src.resolve("counts.csv")) + Files.size(src.resolve("clip.mp4"));
        assertEquals(protectedBytes, cost.get("protectedBytes").asLong());
        double perGib = monthly / (protectedBytes / (1024.0 * 1024 * 1024));
        assertEquals(perGib, cost.get("usdPerGibMonth").asDouble(), 1e-12);
        assertEquals(perGib < 0.02, cost.get("met").asBoolean(), cost.toString());
        System.out.printf("cost: %d bytes protected, %d stored in the repository, %d + %d in the copy: $%.4f per "
                + "GiB-month%n", protectedBytes, primaryBytes, coldStandard, coldPacks, perGib);
    }

    /** Copies to both places, returning what each copy reported. */
    private static JsonNode copy(String repo, String pw, String... targets) throws Exception {
        List<String> args = new ArrayList<>(List.of("copy", "--repo", repo, "--password-file", pw, "--json"));
        for (String t : targets) {
            args.add("--to");
            args.add(t);
        }
        TestSupport.Run copied = cli(args.toArray(String[]::new));
        assertEquals(0, copied.exit(), copied::toString);
        return Repository.JSON.readTree(copied.out());
    }
}
