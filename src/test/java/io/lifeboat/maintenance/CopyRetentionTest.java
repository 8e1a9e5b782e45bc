package io.lifeboat.maintenance;

import static io.lifeboat.TestSupport.cli;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import io.lifeboat.TestSupport;
import io.lifeboat.repository.Repository;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A repository and its copy, each forgetting by its own randomly drawn policy and pruning, while
 * backups of two changing sources go on and are copied: after every round both pass
 * verify --read-data and every snapshot either still holds restores exactly as it was backed up.
 */
class CopyRetentionTest {
    private static final long SEED = 20261207L;
    @TempDir
    Path tmp;

    @Test
    void retentionAndPruneOnBothSidesKeepEveryKeptSnapshotRestorable() throws Exception {
        Random random = new Random(SEED);
        String repo = tmp.resolve("repo").toString();
        String copy = tmp.resolve("copy").toString();
        String pw = TestSupport.passwordFile(tmp, "retention").toString();
        List<Path> sources = List.of(tmp.resolve("src/app"), tmp.resolve("src/media"));
        Map<String, Map<String, String>> expected = new HashMap<>();
        assertEquals(0, cli("init", "--repo", repo, "--password-file", pw).exit());
        for (int round = 0; round < 4; round++) {
            String where = "seed " + SEED + ", round " + round;
            for (int b = 0; b < 1 + random.nextInt(3); b++) {
                Path source = sources.get(random.nextInt(sources.size()));
                change(source, random);
                TestSupport.Run backup = cli("backup", "--repo", repo, "--password-file", pw, "--json", source.toString());
                assertEquals(0, backup.exit(), where + ": " + backup);
                expected.put(Repository.JSON.readTree(backup.out()).get("id").asText(), TestSupport.describe(source));
            }
            forgetAndPrune(repo, pw, random, where);
            TestSupport.Run copied = cli("copy", "--repo", repo, "--password-file", pw, "--to", copy);
            assertEquals(0, copied.exit(), where + ": " + copied);
            forgetAndPrune(copy, pw, random, where);
            for (String place : List.of(repo, copy)) {
                TestSupport.Run verified = cli("verify", "--repo", place, "--password-file", pw, "--read-data");
                assertEquals(0, verified.exit(), where + ", " + place + ": " + verified);
                for (String id : snapshots(place, pw)) {
                    Path into = tmp.resolve("restore-" + round);
                    TestSupport.deleteTree(into);
                    TestSupport.Run restored = cli("restore", "--repo", place, "--password-file", pw, id, "--target",
                            into.toString());
                    assertEquals(0, restored.exit(), where + ", " + place + " " + id + ": " + restored);
                    Path root = Files.list(into.resolve(tmp.toString().substring(1)).resolve("src")).findFirst()
                            .orElseThrow();
                    assertEquals(expected.get(id), TestSupport.describe(root), where + ", " + place + " " + id);
                }
            }
        }
    }

    /** Adds, rewrites or removes a few small files, and sometimes a larger one. */
    private static void change(Path source, Random random) throws Exception {
        Files.createDirectories(source);
        for (int i = 0; i < 3; i++) {
            Path file = source.resolve("f" + random.nextInt(6) + ".dat");
            if (random.nextInt(4) == 0) {
                Files.deleteIfExists(file);
            } else {
                TestSupport.writeRandom(file, random.nextLong(), random.nextInt(4) == 0 ? 1 << 20 : 2000 + random.nextInt(30_000));
            }
        }
    }

    /** A random policy: keep the last 1 or 2 of each source, or forget one snapshot by id; then prune. */
    private static void forgetAndPrune(String repo, String pw, Random random, String where) throws Exception {
        List<String> ids = snapshots(repo, pw);
        TestSupport.Run forget = random.nextBoolean() || ids.isEmpty()
                ? cli("forget", "--repo", repo, "--password-file", pw, "--keep-last", String.valueOf(1 + random.nextInt(2)))
                : cli("forget", "--repo", repo, "--password-file", pw, ids.get(random.nextInt(ids.size())));
        assertEquals(0, forget.exit(), where + ": " + forget);
        TestSupport.Run pruned = cli("prune", "--repo", repo, "--password-file", pw);
        assertEquals(0, pruned.exit(), where + ": " + pruned);
    }

    private static List<String> snapshots(String repo, String pw) throws Exception {
        TestSupport.Run listed = cli("snapshots", "--repo", repo, "--password-file", pw, "--json");
        assertEquals(0, listed.exit(), listed::toString);
        List<String> ids = new ArrayList<>();
        for (JsonNode s : Repository.JSON.readTree(listed.out())) {
            ids.add(s.get("id").asText());
        }
        return ids;
    }
}
