package io.lifeboat.storage;

import static io.lifeboat.TestSupport.cli;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.lifeboat.TestSupport;
import io.lifeboat.repository.Repository;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * A repository in a bucket with S3 Object Lock (the tests' proxy keeps and enforces the retention
 * Lifeboat asks for, as AWS does): every object but the lock files is locked from its upload for
 * the lock period; a delete of a locked object is refused by the bucket itself; forget and prune
 * ask to delete nothing still locked and say what waits; once the locks end, prune gives the
 * space back; and extend-locks carries the lock of everything a kept backup needs to its retention.
 */
class ObjectLockTest {
    private static final String BUCKET = "/lifeboat-locked/site-a/";
    @TempDir
    Path tmp;

    @Test
    void lockedObjectsOutliveForgetAndPruneUntilTheirLockEndsAndFollowRetention() throws Exception {
        try (S3Server s3 = new S3Server(); S3Proxy proxy = new S3Proxy(s3.port)) {
            String repo = "s3://lifeboat-locked/site-a?endpoint=http://127.0.0.1:" + proxy.port()
                    + "&path-style=true&region=us-east-1&lock=compliance&lock-days=30";
            String pw = TestSupport.passwordFile(tmp, "locked").toString();
            Path src = tmp.resolve("src");
            TestSupport.writeRandom(src.resolve("a.bin"), 1, 3L << 20);
            TestSupport.writeRandom(src.resolve("b.bin"), 2, 3L << 20);
            Files.writeString(src.resolve("notes.txt"), "camera 12 moved\n");
            Instant started = Instant.now();
            assertEquals(0, cli("init", "--repo", repo, "--password-file", pw).exit());
            assertEquals(0, cli("backup", "--repo", repo, "--password-file", pw, src.toString()).exit());
            String first = latest(repo, pw);
            TestSupport.writeRandom(src.resolve("a.bin"), 3, 3L << 20); // only the first backup needs the old one
            assertEquals(0, cli("backup", "--repo", repo, "--password-file", pw, src.toString()).exit());
            Map<String, String> files = TestSupport.describe(src);

            // every object but the lock files is locked for 30 days from its upload
            List<String> objects = listed(repo);
            Map<String, Instant> locks = proxy.retention();
            for (String name : objects) {
                assertTrue(!locks.getOrDefault(BUCKET + name, Instant.EPOCH).isBefore(started.plus(Duration.ofDays(30))),
                        name + " is locked for the lock period: " + locks.get(BUCKET + name));
            }
            assertTrue(proxy.count("PUT " + BUCKET + "locks/") > 0);
            assertTrue(locks.keySet().stream().noneMatch(k -> k.startsWith(BUCKET + "locks/")), locks.toString());
            String pack = objects.stream().filter(n -> n.startsWith("data/")).findFirst().orElseThrow();
            try (S3Client raw = S3Client.builder().endpointOverride(URI.create("http://127.0.0.1:" + proxy.port()))
                    .forcePathStyle(true).region(Region.US_EAST_1).build()) {
                S3Exception refused = assertThrows(S3Exception.class, () -> raw.deleteObject(b -> b
                        .bucket("lifeboat-locked").key("site-a/" + pack)));
                assertEquals(403, refused.statusCode(), "the bucket itself refuses to delete a locked object");
            }

            long refusedRaw = proxy.count("DELETE " + BUCKET + "data/");

            // forget leaves a locked backup and says until when
            TestSupport.Run kept = cli("forget", "--repo", repo, "--password-file", pw, "--keep-last", "1");
            assertEquals(0, kept.exit(), kept.toString());
            assertTrue(kept.out().contains("kept (object lock until"), kept.toString());
            assertEquals(2, snapshots(repo, pw).size());
            // once its snapshot object's lock has ended, forget removes it; prune leaves the locked pack it alone
            // needed part of, and says so
            proxy.expireLocks(BUCKET + "snapshots/" + first);
            TestSupport.Run forgot = cli("forget", "--repo", repo, "--password-file", pw, "--keep-last", "1");
            assertTrue(forgot.out().contains("removed snapshot " + first.substring(0, 8)), forgot.toString());
            TestSupport.Run waiting = cli("prune", "--repo", repo, "--password-file", pw);
            assertEquals(0, waiting.exit(), waiting.toString());
            assertTrue(waiting.out().contains("1 packs no backup needs are kept by their object lock"), waiting.toString());
            assertEquals(refusedRaw, proxy.count("DELETE " + BUCKET + "data/"), "prune asked to delete no locked pack");
            assertEquals(1, proxy.refusedDeletes(), "Lifeboat sent no delete the bucket refused");
            assertEquals(0, cli("verify", "--repo", repo, "--password-file", pw, "--read-data").exit());
            assertEquals(files, restored(repo, pw, src, "early"));

            // thirty days on, the locks of the first upload have ended: prune repacks what is still needed
            proxy.expireLocks(BUCKET + "data/");
            proxy.expireLocks(BUCKET + "index/");
            TestSupport.Run pruned = cli("prune", "--repo", repo, "--password-file", pw);
            assertEquals(0, pruned.exit(), pruned.toString());
            assertTrue(pruned.out().contains("1 repacked"), pruned.toString());
            assertEquals(refusedRaw + 1, proxy.count("DELETE " + BUCKET + "data/"), pruned.toString());
            assertEquals(0, cli("verify", "--repo", repo, "--password-file", pw, "--read-data").exit());
            assertEquals(files, restored(repo, pw, src, "late"));

            // the backup kept for 90 days: every object it needs is locked at least that long
            TestSupport.Run extended = cli("extend-locks", "--repo", repo, "--password-file", pw, "--keep", "90d");
            assertEquals(0, extended.exit(), extended.toString());
            Instant backupTime = Instant.parse(snapshots(repo, pw).get(0).get("time").asText());
            locks = proxy.retention();
            for (String name : listed(repo)) {
                assertTrue(!locks.get(BUCKET + name).isBefore(backupTime.plus(Duration.ofDays(90))),
                        name + " is locked for the backup's retention: " + locks.get(BUCKET + name));
            }
        }
    }

    /** The repository's objects, but its lock files. */
    private static List<String> listed(String repo) throws Exception {
        try (BlobStore store = BlobStores.open(repo, false)) {
            return store.list("").stream().filter(n -> !n.startsWith("locks/")).sorted().toList();
        }
    }

    private static String latest(String repo, String pw) throws Exception {
        List<JsonNode> all = snapshots(repo, pw);
        return all.get(all.size() - 1).get("id").asText();
    }

    private static List<JsonNode> snapshots(String repo, String pw) throws Exception {
        TestSupport.Run listed = cli("snapshots", "--repo", repo, "--password-file", pw, "--json");
        assertEquals(0, listed.exit(), listed.toString());
        List<JsonNode> out = new ArrayList<>();
        Repository.JSON.readTree(listed.out()).forEach(out::add);
        return out;
    }

    private Map<String, String> restored(String repo, String pw, Path src, String into) throws Exception {
        Path target = tmp.resolve(into);
        TestSupport.Run r = cli("restore", "--repo", repo, "--password-file", pw, "latest", "--target",
                target.toString());
        assertEquals(0, r.exit(), r.toString());
        return TestSupport.describe(target.resolve(src.toString().substring(1)));
    }
}
