package io.lifeboat.cli;

import static io.lifeboat.TestSupport.cli;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.lifeboat.TestSupport;
import io.lifeboat.repository.Repository;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Several sources share one repository: latest, snapshots and forget pick among them by host,
 * path and tag, and a keep policy applies per host and paths.
 */
class SnapshotSelectionTest {
    @TempDir
    Path tmp;
    private String repo;
    private String pw;
    private Path app;
    private Path media;

    @BeforeEach
    void twoSourcesInOneRepository() throws Exception {
        repo = tmp.resolve("repo").toString();
        pw = TestSupport.passwordFile(tmp, "pw").toString();
        assertEquals(0, cli("init", "--repo", repo, "--password-file", pw).exit());
        app = Files.createDirectories(tmp.resolve("app"));
        media = Files.createDirectories(tmp.resolve("media"));
    }

    @Test
    void latestIsTheNewestOfTheChosenSource() throws Exception {
        Files.writeString(app.resolve("version"), "app 1\n");
        Files.writeString(media.resolve("clip.txt"), "clip\n");
        backup(app, "--tag", "nightly");
        backup(media, "--tag", "nightly", "--tag", "media", "--host", "camera-gw-7");

        Path plain = tmp.resolve("plain");
        assertEquals(0, cli("restore", "--repo", repo, "--password-file", pw, "latest", "--target", plain.toString()).exit());
        assertTrue(Files.exists(plain.resolve(media.toString().substring(1)).resolve("clip.txt")),
                "without a filter, latest is the newest of the repository");

        Path chosen = tmp.resolve("chosen");
        TestSupport.Run r = cli("restore", "--repo", repo, "--password-file", pw, "latest", "--path", app.toString(),
                "--target", chosen.toString());
        assertEquals(0, r.exit(), r::toString);
        assertEquals("app 1\n", Files.readString(chosen.resolve(app.toString().substring(1)).resolve("version")));
        assertTrue(Files.notExists(chosen.resolve(media.toString().substring(1))), "only the app snapshot");

        assertEquals(List.of(media.toString()), paths(snapshots("--tag", "nightly,media")));
        assertEquals(List.of(app.toString(), media.toString()), paths(snapshots("--tag", "nightly")));
        assertEquals(List.of(app.toString(), media.toString()), paths(snapshots("--tag", "media", "--tag", "nightly")),
                "two --tag options: either group");
        assertEquals(List.of(media.toString()), paths(snapshots("--host", "camera-gw-7")));
        assertEquals(List.of(), paths(snapshots("--path", app.toString(), "--host", "camera-gw-7")));

        TestSupport.Run none = cli("restore", "--repo", repo, "--password-file", pw, "latest", "--host", "nowhere",
                "--target", tmp.resolve("none").toString());
        assertEquals(1, none.exit());
        assertTrue(none.err().contains("no snapshot matches --host nowhere"), none.err());
    }

    @Test
    void aKeepPolicyAppliesToEachSourceAndOnlyToTheChosenOnes() throws Exception {
        List<String> appSnapshots = new ArrayList<>();
        for (int day = 1; day <= 4; day++) {
            Files.writeString(app.resolve("version"), "app " + day + "\n");
            appSnapshots.add(backup(app));
        }
        Files.writeString(media.resolve("clip.txt"), "clip\n");
        String mediaOnly = backup(media);

        TestSupport.Run both = cli("forget", "--repo", repo, "--password-file", pw, "latest", "--keep-last", "1");
        assertEquals(1, both.exit());
        assertTrue(both.err().contains("not both"), both.err());
        TestSupport.Run neither = cli("forget", "--repo", repo, "--password-file", pw);
        assertEquals(1, neither.exit());
        assertTrue(neither.err().contains("--keep-last"), neither.err());

        JsonNode preview = json(cli("forget", "--repo", repo, "--password-file", pw, "--keep-last", "2", "--dry-run",
                "--json"));
        assertEquals(appSnapshots.subList(0, 2), ids(preview.get("removed")), "per source: media's one snapshot stays");
        assertEquals(5, snapshots().size(), "--dry-run removes nothing");

        JsonNode removed = json(cli("forget", "--repo", repo, "--password-file", pw, "--keep-last", "1", "--path",
                app.toString(), "--json"));
        assertEquals(appSnapshots.subList(0, 3), ids(removed.get("removed")));
        assertEquals(List.of(appSnapshots.get(3), mediaOnly), ids(snapshots(), "id"));

        JsonNode within = json(cli("forget", "--repo", repo, "--password-file", pw, "--keep-within", "1d", "--json"));
        assertEquals(List.of(), ids(within.get("removed")), "the newest of every group is always kept");
        Path restored = tmp.resolve("r");
        assertEquals(0, cli("restore", "--repo", repo, "--password-file", pw, "latest", "--path", app.toString(),
                "--target", restored.toString()).exit());
        assertEquals("app 4\n", Files.readString(restored.resolve(app.toString().substring(1)).resolve("version")));
        assertEquals(0, cli("verify", "--repo", repo, "--password-file", pw).exit());
    }

    private String backup(Path dir, String... options) throws Exception {
        List<String> args = new ArrayList<>(List.of("backup", "--repo", repo, "--password-file", pw, "--json"));
        args.addAll(List.of(options));
        args.add(dir.toString());
        TestSupport.Run r = cli(args.toArray(String[]::new));
        assertEquals(0, r.exit(), r::toString);
        return json(r).get("id").asText();
    }

    private JsonNode snapshots(String... filters) throws Exception {
        List<String> args = new ArrayList<>(List.of("snapshots", "--repo", repo, "--password-file", pw, "--json"));
        args.addAll(List.of(filters));
        return json(cli(args.toArray(String[]::new)));
    }

    private static JsonNode json(TestSupport.Run r) throws Exception {
        assertEquals(0, r.exit(), r::toString);
        return Repository.JSON.readTree(r.out());
    }

    private static List<String> paths(JsonNode snapshots) {
        List<String> out = new ArrayList<>();
        snapshots.forEach(s -> out.add(s.get("paths").get(0).asText()));
        return out;
    }

    private static List<String> ids(JsonNode values) {
        List<String> out = new ArrayList<>();
        values.forEach(v -> out.add(v.asText()));
        return out;
    }

    private static List<String> ids(JsonNode objects, String field) {
        List<String> out = new ArrayList<>();
        objects.forEach(o -> out.add(o.get(field).asText()));
        return out;
    }
}
