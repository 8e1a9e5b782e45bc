package io.lifeboat.storage;

import static io.lifeboat.TestSupport.cli;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lifeboat.TestSupport;
import io.lifeboat.repository.ChunkId;
import io.lifeboat.repository.IndexFile;
import io.lifeboat.repository.PackEntry;
import io.lifeboat.repository.Repository;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A repository in an S3 bucket, against a real S3-compatible server in this process: every
 * command works on it as on a directory, packs larger than a part go up in parts, and a damaged
 * object is found.
 */
class S3RepositoryTest {
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
    void backupRestoreVerifyForgetAndPruneWorkOnABucket() throws Exception {
        String repo = s3.repository("lifeboat-round-trip", "site-a/repo");
        String pw = TestSupport.passwordFile(tmp, "s3 passphrase").toString();
        Path src = tmp.resolve("src");
        TestSupport.writeRandom(src.resolve("media/clip-1.mp4"), 1, 40L << 20);
        Files.writeString(src.resolve("config.yaml"), "cameras: 64\n".repeat(1000));
        Files.createSymbolicLink(src.resolve("current.yaml"), Path.of("config.yaml"));
        // 40 MiB packs: above the size sent in one PUT, so they go up in parts
        TestSupport.Run init = cli("init", "--repo", repo, "--password-file", pw, "--pack-size", "40");
        assertEquals(0, init.exit(), init::toString);
        TestSupport.Run first = cli("backup", "--repo", repo, "--password-file", pw, "--json", src.toString());
        assertEquals(0, first.exit(), first::toString);

        try (BlobStore store = BlobStores.open(repo)) {
            List<String> packs = store.list("data/");
            assertTrue(packs.stream().anyMatch(p -> sizeOf(store, p) > S3BlobStore.MULTIPART_ABOVE),
                    "a pack larger than a part went up in parts: " + packs);
            assertTrue(store.list("").stream().allMatch(n -> !n.startsWith("/")), "names under the prefix");
        }

        Path target = tmp.resolve("restored");
        assertEquals(0, cli("restore", "--repo", repo, "--password-file", pw, "latest", "--target",
                target.toString()).exit());
        assertEquals(TestSupport.describe(src), TestSupport.describe(target.resolve(src.toString().substring(1))));
        TestSupport.Run verify = cli("verify", "--repo", repo, "--password-file", pw, "--read-data");
        assertEquals(0, verify.exit(), verify::toString);

        Files.delete(src.resolve("media/clip-1.mp4"));
        TestSupport.writeRandom(src.resolve("media/clip-2.mp4"), 2, 12L << 20);
        TestSupport.Run second = cli("backup", "--repo", repo, "--password-file", pw, "--json", src.toString());
        assertEquals(0, second.exit(), second::toString);
        String firstId = Repository.JSON.readTree(first.out()).get("id").asText();
        assertEquals(0, cli("forget", "--repo", repo, "--password-file", pw, firstId).exit());
        long before = storedBytes(repo);
        TestSupport.Run prune = cli("prune", "--repo", repo, "--password-file", pw);
        assertEquals(0, prune.exit(), prune::toString);
        assertTrue(before - storedBytes(repo) > 30L << 20, "the forgotten clip's 40 MiB are freed: " + prune.out());
        Path again = tmp.resolve("again");
        assertEquals(0, cli("restore", "--repo", repo, "--password-file", pw, "latest", "--target",
                again.toString()).exit());
        assertEquals(TestSupport.describe(src), TestSupport.describe(again.resolve(src.toString().substring(1))));
    }

    @Test
    void aDamagedObjectInTheBucketIsFoundAndAWrongPassphraseRefused() throws Exception {
        String repo = s3.repository("lifeboat-damage", "repo");
        String pw = TestSupport.passwordFile(tmp, "right").toString();
        Path src = tmp.resolve("src");
        TestSupport.writeRandom(src.resolve("a.bin"), 3, 3 << 20);
        assertEquals(0, cli("init", "--repo", repo, "--password-file", pw).exit());
        assertEquals(0, cli("backup", "--repo", repo, "--password-file", pw, src.toString()).exit());
        TestSupport.Run wrong = cli("snapshots", "--repo", repo, "--password-file",
                TestSupport.passwordFile(tmp, "wrong").toString());
        assertEquals(1, wrong.exit());
        assertTrue(wrong.err().contains("wrong password"), wrong.err());

        try (BlobStore store = BlobStores.open(repo)) {
            String pack = store.list("data/").get(0);
            byte[] bytes = store.get(pack);
            bytes[bytes.length / 2] ^= 0x40;
            store.put(pack, bytes);
        }
        TestSupport.Run verify = cli("verify", "--repo", repo, "--password-file", pw, "--read-data");
        assertEquals(1, verify.exit(), verify::toString);
        assertTrue(verify.out().contains("a.bin") || verify.err().contains("a.bin"), verify.toString());

        // a snapshot object damaged in the bucket, while this host's cache holds a good copy of it
        try (BlobStore store = BlobStores.open(repo, false)) {
            String snapshot = store.list("snapshots/").get(0);
            store.put(snapshot, "damaged in the bucket".getBytes());
            TestSupport.Run again = cli("verify", "--repo", repo, "--password-file", pw);
            assertEquals(1, again.exit(), again::toString);
            assertTrue((again.out() + again.err()).contains(snapshot), "verify reads the bucket, not the cache: "
                    + again);
        }
    }

    @Test
    void aWarmCacheSparesTheIndexRequestsAndPruneWritesTheIndexAsOneObject() throws Exception {
        try (S3Proxy proxy = new S3Proxy(s3.port)) {
            String repo = s3.repository("lifeboat-cache", "repo").replace(":" + s3.port, ":" + proxy.port());
            String pw = TestSupport.passwordFile(tmp, "cache").toString();
            Path src = tmp.resolve("src");
            System.setProperty("lifeboat.cache", "off");
            assertEquals(0, cli("init", "--repo", repo, "--password-file", pw).exit());
            for (int i = 0; i < 6; i++) {
                TestSupport.writeRandom(src.resolve("segment-" + i + ".mp4"), 10 + i, 1 << 20);
                assertEquals(0, cli("backup", "--repo", repo, "--password-file", pw, src.toString()).exit());
            }
            int indexObjects;
            try (BlobStore store = BlobStores.open(repo)) {
                indexObjects = store.list("index/").size();
            }
            assertTrue(indexObjects >= 6, "one index object per pack: " + indexObjects);

            System.setProperty("lifeboat.cache", tmp.resolve("cache").toString());
            long before = proxy.count("GET /lifeboat-cache/repo/index/");
            assertEquals(0, cli("restore", "--repo", repo, "--password-file", pw, "latest", "--target",
                    tmp.resolve("cold").toString()).exit());
            long cold = proxy.count("GET /lifeboat-cache/repo/index/") - before;
            assertEquals(indexObjects, cold, "a cold cache reads every index object once");
            assertEquals(0, cli("restore", "--repo", repo, "--password-file", pw, "latest", "--target",
                    tmp.resolve("warm").toString()).exit());
            assertEquals(cold, proxy.count("GET /lifeboat-cache/repo/index/") - before,
                    "a warm cache reads none again");

            TestSupport.Run prune = cli("prune", "--repo", repo, "--password-file", pw);
            assertEquals(0, prune.exit(), prune::toString);
            try (BlobStore store = BlobStores.open(repo)) {
                assertEquals(1, store.list("index/").size(), "prune writes the index as one object");
            }
            Path after = tmp.resolve("after");
            assertEquals(0, cli("restore", "--repo", repo, "--password-file", pw, "latest", "--target",
                    after.toString()).exit());
            assertEquals(TestSupport.describe(src), TestSupport.describe(after.resolve(src.toString().substring(1))));
        } finally {
            System.setProperty("lifeboat.cache", s3.cacheDirectory());
        }
    }

    @Test
    void aRepositoryOfAMillionChunksOpensForABackupInASmallHeapWithFewRequests() throws Exception {
        String direct = s3.repository("lifeboat-large", "repo");
        String pw = TestSupport.passwordFile(tmp, "large").toString();
        assertEquals(0, cli("init", "--repo", direct, "--password-file", pw).exit());
        int chunksPerPack = 16;
        int packs = 1_000_000 / chunksPerPack;
        Random random = new Random(7);
        try (BlobStore store = BlobStores.open(direct, false)) {
            Repository repository = Repository.open(store, "large".getBytes(StandardCharsets.UTF_8));
            List<IndexFile.Pack> batch = new ArrayList<>();
            for (int p = 0; p < packs; p++) {
                List<PackEntry> entries = new ArrayList<>();
                for (int c = 0; c < chunksPerPack; c++) {
                    entries.add(new PackEntry(new ChunkId(randomBytes(random)), (long) c << 20, (1 << 20) + 29, 1 << 20));
                }
                batch.add(new IndexFile.Pack(HexFormat.of().formatHex(randomBytes(random)), entries));
                if (batch.size() == IndexFile.PACKS_PER_OBJECT || p == packs - 1) {
                    repository.saveIndex(batch);
                    batch.clear();
                }
            }
        }
        int indexObjects = (packs + IndexFile.PACKS_PER_OBJECT - 1) / IndexFile.PACKS_PER_OBJECT;
        Path src = tmp.resolve("src");
        TestSupport.writeRandom(src.resolve("clip.mp4"), 11, 3 << 20);

        try (S3Proxy proxy = new S3Proxy(s3.port)) {
            String repo = direct.replace(":" + s3.port, ":" + proxy.port());
            // 128 MiB of heap: the index of a million chunks alone took 92 MiB, 138 while it grew, when it lived there
            ProcessBuilder backup = TestSupport.process(List.of("-Xmx128m", "-Dlifeboat.cache=" + tmp.resolve("cache")),
                    "backup", "--repo", repo, "--password-file", pw, src.toString());
            backup.environment().putAll(S3Server.credentials());
            TestSupport.Run cold = TestSupport.runProcess(backup, 300);
            assertEquals(0, cold.exit(), cold::toString);
            List<String> coldRequests = List.copyOf(proxy.requests);
            assertEquals(indexObjects, coldRequests.stream().filter(r -> r.startsWith("GET /lifeboat-large/repo/index/")).count(),
                    "a cold open reads each index object once: " + coldRequests);
            long coldReads = coldRequests.stream().filter(r -> r.startsWith("GET ") || r.startsWith("HEAD ")).count();
            assertTrue(coldReads <= indexObjects + 12, "a cold open costs the index objects and a few more: " + coldRequests);

            TestSupport.writeRandom(src.resolve("clip-2.mp4"), 12, 3 << 20);
            TestSupport.Run warm = TestSupport.runProcess(backup, 300);
            assertEquals(0, warm.exit(), warm::toString);
            List<String> warmRequests = proxy.requests.subList(coldRequests.size(), proxy.requests.size());
            assertEquals(0, warmRequests.stream().filter(r -> r.startsWith("GET /lifeboat-large/repo/index/")).count(),
                    "a warm cache reads no index object: " + warmRequests);
            assertTrue(warmRequests.stream().filter(r -> r.startsWith("GET ") || r.startsWith("HEAD ")).count() <= 12,
                    "a warm open costs a few requests: " + warmRequests);
        }
        Path target = tmp.resolve("restored");
        TestSupport.Run restore = cli("restore", "--repo", direct, "--password-file", pw, "latest", "--target", target.toString());
        assertEquals(0, restore.exit(), restore::toString);
        assertEquals(TestSupport.describe(src), TestSupport.describe(target.resolve(src.toString().substring(1))));
    }

    private static byte[] randomBytes(Random random) {
        byte[] b = new byte[32];
        random.nextBytes(b);
        return b;
    }

    @Test
    void faultsOnTheWayAreRetriedAndAStoreThatKeepsFailingFailsTheBackupCleanly() throws Exception {
        try (S3Proxy proxy = new S3Proxy(s3.port)) {
            System.setProperty("lifeboat.cache", "off");
            String repo = s3.repository("lifeboat-faults", "repo").replace(":" + s3.port, ":" + proxy.port());
            String pw = TestSupport.passwordFile(tmp, "faults").toString();
            Path src = tmp.resolve("src");
            TestSupport.writeRandom(src.resolve("clip.mp4"), 21, 20L << 20);
            assertEquals(0, cli("init", "--repo", repo, "--password-file", pw).exit());

            proxy.fail("PUT /lifeboat-faults/repo/data/", S3Proxy.Fault.RESET_MID_UPLOAD, 2);
            TestSupport.Run reset = cli("backup", "--repo", repo, "--password-file", pw, src.toString());
            assertEquals(0, reset.exit(), reset::toString);
            proxy.fail("PUT /lifeboat-faults/repo/", S3Proxy.Fault.SLOW_DOWN_503, 3);
            TestSupport.writeRandom(src.resolve("clip-2.mp4"), 22, 3L << 20);
            TestSupport.Run slow = cli("backup", "--repo", repo, "--password-file", pw, src.toString());
            assertEquals(0, slow.exit(), slow::toString);
            assertEquals(0, cli("verify", "--repo", repo, "--password-file", pw, "--read-data").exit());

            proxy.fail("PUT /lifeboat-faults/repo/data/", S3Proxy.Fault.INTERNAL_ERROR_500, 10_000);
            TestSupport.writeRandom(src.resolve("clip-3.mp4"), 23, 3L << 20);
            TestSupport.Run down = cli("backup", "--repo", repo, "--password-file", pw, src.toString());
            assertEquals(1, down.exit(), down::toString);
            assertTrue(down.err().contains("HTTP 500"), down.err());
            proxy.fail("", S3Proxy.Fault.INTERNAL_ERROR_500, 0);
            TestSupport.Run listed = cli("snapshots", "--repo", repo, "--password-file", pw);
            assertTrue(listed.out().contains("2 snapshots"), "the failed backup is not listed: " + listed.out());
            assertEquals(0, cli("verify", "--repo", repo, "--password-file", pw, "--read-data").exit(),
                    "nothing half-written is in the repository");
        } finally {
            System.setProperty("lifeboat.cache", s3.cacheDirectory());
        }
    }

    @Test
    void aStoreThatStopsAnsweringFailsTheCommandInBoundedTimeAndLeavesNothingBehind() throws Exception {
        try (S3Proxy proxy = new S3Proxy(s3.port)) {
            System.setProperty("lifeboat.cache", "off");
            String repo = s3.repository("lifeboat-frozen", "repo").replace(":" + s3.port, ":" + proxy.port())
                    + "&timeout=1";
            String pw = TestSupport.passwordFile(tmp, "frozen").toString();
            Path src = tmp.resolve("src");
            TestSupport.writeRandom(src.resolve("clip.mp4"), 41, 1L << 20);
            assertEquals(0, cli("init", "--repo", repo, "--password-file", pw).exit());
            assertEquals(0, cli("backup", "--repo", repo, "--password-file", pw, src.toString()).exit());
            Path scratch;
            try (BlobStore store = BlobStores.open(repo, false)) {
                scratch = store.scratchDirectory();
            }

            // the store takes the pack's upload and never answers: the backup gives up, its pack and lock go
            proxy.fail("PUT /lifeboat-frozen/repo/data/", S3Proxy.Fault.HOLD, Integer.MAX_VALUE);
            TestSupport.writeRandom(src.resolve("clip-2.mp4"), 42, 512L << 10);
            TestSupport.Run frozen = cli("backup", "--repo", repo, "--password-file", pw, src.toString());
            assertEquals(1, frozen.exit(), frozen::toString);
            assertTrue(frozen.err().contains("store unreachable"), frozen.err());
            try (var left = Files.list(scratch)) {
                assertEquals(List.of(), left.toList(), "no assembled pack is left behind");
            }
            try (BlobStore store = BlobStores.open(repo, false)) {
                proxy.fail("", S3Proxy.Fault.HOLD, 0);
                assertEquals(List.of(), store.list("locks/"), "the failed backup's lock is removed");
            }

            // nothing answers at all: a listing gives up too, and says why
            proxy.fail("", S3Proxy.Fault.HOLD, Integer.MAX_VALUE);
            TestSupport.Run listing = cli("snapshots", "--repo", repo, "--password-file", pw);
            assertEquals(1, listing.exit(), listing::toString);
            assertTrue(listing.err().contains("store unreachable"), listing.err());
            proxy.fail("", S3Proxy.Fault.HOLD, 0);
            TestSupport.Run back = cli("snapshots", "--repo", repo, "--password-file", pw);
            assertTrue(back.out().contains("1 snapshots"), "the store answering again, the first backup is there: "
                    + back.out());
        } finally {
            System.setProperty("lifeboat.cache", s3.cacheDirectory());
        }
    }

    @Test
    void credentialsComeFromTheFileTheLocationNamesAndAreNeverPrinted() throws Exception {
        Path credentials = tmp.resolve("s3-credentials");
        Files.writeString(credentials, "[backup]\naws_access_key_id = LIFEBOATFILEKEY\n"
                + "aws_secret_access_key = file-secret-never-printed\n");
        String pw = TestSupport.passwordFile(tmp, "creds").toString();
        Path src = tmp.resolve("src");
        TestSupport.writeRandom(src.resolve("clip.mp4"), 31, 1 << 20);
        try (S3Proxy proxy = new S3Proxy(s3.port)) {
            String repo = s3.repository("lifeboat-creds", "repo").replace(":" + s3.port, ":" + proxy.port())
                    + "&profile=backup&credentials-file=" + credentials;
            List<TestSupport.Run> runs = List.of(cli("init", "--repo", repo, "--password-file", pw),
                    cli("backup", "--repo", repo, "--password-file", pw, src.toString()),
                    cli("snapshots", "--repo", repo, "--password-file", pw));
            for (TestSupport.Run run : runs) {
                assertEquals(0, run.exit(), run::toString);
                assertFalse(run.toString().contains("file-secret-never-printed"), run::toString);
            }
            assertEquals(Set.of("LIFEBOATFILEKEY"), proxy.accessKeys, "every request signed with the file's key");

            TestSupport.Run noProfile = cli("snapshots", "--repo", repo.replace("profile=backup", "profile=archive"),
                    "--password-file", pw);
            assertEquals(1, noProfile.exit(), noProfile::toString);
            assertTrue(noProfile.err().contains("archive"), "names the profile it lacks: " + noProfile.err());
            TestSupport.Run noFile = cli("snapshots", "--repo", repo.replace(credentials.toString(), "/nonexistent/creds"),
                    "--password-file", pw);
            assertEquals(1, noFile.exit(), noFile::toString);
            assertTrue(noFile.err().contains("/nonexistent/creds cannot be read"), noFile.err());
        }
    }

    @Test
    void keysAndTheCatalogRebuildWorkOnABucket() throws Exception {
        String repo = s3.repository("lifeboat-keys", "repo");
        String pw = TestSupport.passwordFile(tmp, "first").toString();
        String second = TestSupport.passwordFile(tmp, "second").toString();
        Path src = tmp.resolve("app");
        Files.createDirectories(src);
        Files.writeString(src.resolve("settings.yaml"), "zones: 12\n");
        assertEquals(0, cli("init", "--repo", repo, "--password-file", pw).exit());
        assertEquals(0, cli("backup", "--repo", repo, "--password-file", pw, src.toString()).exit());
        Files.writeString(src.resolve("settings.yaml"), "zones: 13\n");
        assertEquals(0, cli("backup", "--repo", repo, "--password-file", pw, src.toString()).exit());

        TestSupport.Run add = cli("key", "add", "--repo", repo, "--password-file", pw, "--new-password-file", second);
        assertEquals(0, add.exit(), add::toString);
        TestSupport.Run keys = cli("key", "list", "--repo", repo, "--password-file", second, "--json");
        assertEquals(0, keys.exit(), keys::toString);
        assertEquals(2, Repository.JSON.readTree(keys.out()).size(), keys.out());

        Path config = tmp.resolve("config");
        Files.createDirectories(config);
        Files.writeString(config.resolve("lifeboat.yaml"), """
                repository: { path: '%s', passwordFile: %s }
                catalog: { url: 'jdbc:h2:file:%s/catalog/lifeboat' }
                files:
                  - { name: app, path: %s, schedule: "0 * * * *", retention: 30d }
                """.formatted(repo, second, tmp, src));
        TestSupport.Run rebuild = cli("catalog", "rebuild", "--config", config.toString(), "--json");
        assertEquals(0, rebuild.exit(), rebuild::toString);
        assertEquals(2, Repository.JSON.readTree(rebuild.out()).get("runs").asInt(), rebuild.out());
    }

    @Test
    void aRestoreOfManySmallFilesReadsTheirPackInFewRequests() throws Exception {
        String direct = s3.repository("lifeboat-small-files", "repo");
        String pw = TestSupport.passwordFile(tmp, "small").toString();
        Path src = tmp.resolve("config");
        for (int i = 0; i < 400; i++) {
            TestSupport.writeRandom(src.resolve("zone-" + (i % 20) + "/camera-" + i + ".json"), 100 + i, 2000 + i);
        }
        assertEquals(0, cli("init", "--repo", direct, "--password-file", pw).exit());
        assertEquals(0, cli("backup", "--repo", direct, "--password-file", pw, src.toString()).exit());
        try (S3Proxy proxy = new S3Proxy(s3.port)) {
            String repo = direct.replace(":" + s3.port, ":" + proxy.port());
            Path target = tmp.resolve("restored");
            TestSupport.Run restore = cli("restore", "--repo", repo, "--password-file", pw, "latest", "--target",
                    target.toString());
            assertEquals(0, restore.exit(), restore::toString);
            assertEquals(TestSupport.describe(src), TestSupport.describe(target.resolve(src.toString().substring(1))));
            long reads = proxy.count("GET /lifeboat-small-files/repo/data/");
            assertTrue(reads <= 10, "400 small files in one pack come in a few reads, not one each: " + reads);
        }
    }

    @Test
    void anUnchangedBackupReadsNoDataOnceItsParentsFileListIsCached() throws Exception {
        String pw = TestSupport.passwordFile(tmp, "unchanged").toString();
        Path src = tmp.resolve("app");
        for (int i = 0; i < 200; i++) {
            Files.createDirectories(src.resolve("conf-" + (i % 10)));
            Files.writeString(src.resolve("conf-" + (i % 10) + "/camera-" + i + ".yaml"), "threshold: " + i + "\n");
        }
        try (S3Proxy proxy = new S3Proxy(s3.port)) {
            String repo = s3.repository("lifeboat-unchanged", "repo").replace(":" + s3.port, ":" + proxy.port());
            assertEquals(0, cli("init", "--repo", repo, "--password-file", pw).exit());
            long[] dataReads = new long[3];
            for (int i = 0; i < 3; i++) {
                long before = proxy.count("GET /lifeboat-unchanged/repo/data/");
                TestSupport.Run backup = cli("backup", "--repo", repo, "--password-file", pw, src.toString());
                assertEquals(0, backup.exit(), backup::toString);
                dataReads[i] = proxy.count("GET /lifeboat-unchanged/repo/data/") - before;
            }
            assertTrue(dataReads[1] > 0, "the second backup reads its parent's file list from the bucket");
            assertEquals(0, dataReads[2], "the third finds that list in the cache: " + Arrays.toString(dataReads));
        }
    }

    @Test
    void aBadLocationIsRefusedNamingWhatIsWrong() {
        TestSupport.Run noBucket = cli("snapshots", "--repo", "s3:///repo");
        assertEquals(1, noBucket.exit());
        assertTrue(noBucket.err().contains("names no bucket"), noBucket.err());
        TestSupport.Run option = cli("snapshots", "--repo", "s3://bucket/repo?endpoit=http://x");
        assertEquals(1, option.exit());
        assertTrue(option.err().contains("unknown option 'endpoit'"), option.err());
    }

    private static long storedBytes(String repo) throws Exception {
        try (BlobStore store = BlobStores.open(repo)) {
            long total = 0;
            for (String name : store.list("")) {
                total += store.size(name);
            }
            return total;
        }
    }

    private static long sizeOf(BlobStore store, String name) {
        try {
            return store.size(name);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
