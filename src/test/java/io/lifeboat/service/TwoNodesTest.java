package io.lifeboat.service;

import static io.lifeboat.TestSupport.cli;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lifeboat.TestSupport;
import io.lifeboat.repository.Repository;
import io.lifeboat.storage.BlobStore;
import io.lifeboat.storage.BlobStores;
import io.lifeboat.storage.S3Proxy;
import io.lifeboat.storage.S3Server;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two `serve` nodes on one S3 repository and one PostgreSQL catalog: a schedule fires on one node
 * at a time, a node that stops leaves its schedules to the other, and a node killed in the middle
 * of a backup (held at its commit) leaves a lock that expires, while the other node's next backup
 * succeeds and nothing of the killed one is taken for a backup.
 */
class TwoNodesTest {
    private static final String CATALOG = "jdbc:postgresql://127.0.0.1:5432/test";
    private static final String SNAPSHOT_PUT = "PUT /lifeboat-nodes/repo/snapshots/";

    /** One run of the catalog. */
    private record Run(String node, String status, Instant started) {
    }

    @TempDir
    Path tmp;

    @Test
    void aScheduleRunsOnceOnEitherNodeAndAKilledNodesLockExpires() throws Exception {
        String schema = "nodes_" + UUID.randomUUID().toString().replace("-", "");
        try (Connection c = DriverManager.getConnection(CATALOG, "postgres", null); Statement s = c.createStatement()) {
            s.execute("CREATE SCHEMA " + schema);
        }
        Path src = tmp.resolve("media");
        TestSupport.writeRandom(src.resolve("cam-01/clip.mp4"), 21, 2 << 20);
        String pw = TestSupport.passwordFile(tmp, "two nodes").toString();
        try (S3Server s3 = new S3Server(); S3Proxy proxyA = new S3Proxy(s3.port); S3Proxy proxyB = new S3Proxy(s3.port)) {
            String repo = s3.repository("lifeboat-nodes", "repo");
            assertEquals(0, cli("init", "--repo", repo, "--password-file", pw).exit());
            Path configA = config("a", repo.replace(":" + s3.port, ":" + proxyA.port()), schema, src, pw);
            Path configB = config("b", repo.replace(":" + s3.port, ":" + proxyB.port()), schema, src, pw);

            Process a = start("a", configA);
            Process b = start("b", configB);
            try {
                awaitApi(a, configA, "a");
                awaitApi(b, configB, "b");
                Instant bothUp = Instant.now();
                List<Run> shared = awaitRuns(schema, r -> r.started().isAfter(bothUp) && !"in_progress".equals(r.status()), 4);
                for (int i = 1; i < shared.size(); i++) {
                    assertTrue(shared.get(i).started().isAfter(shared.get(i - 1).started().plusSeconds(5)),
                            "each firing of the 10-second schedule ran once, on one node: " + shared);
                }
                assertTrue(shared.stream().allMatch(r -> "success".equals(r.status())), shared.toString());

                b.destroy();
                b.waitFor();
                Instant bStopped = Instant.now();
                awaitRuns(schema, r -> r.started().isAfter(bStopped) && "a".equals(r.node()) && "success".equals(r.status()), 1);

                // the next backup on a is held at its commit, and a is killed there
                proxyA.fail(SNAPSHOT_PUT, S3Proxy.Fault.HOLD, Integer.MAX_VALUE);
                long deadline = System.currentTimeMillis() + 60_000;
                while (proxyA.holding() == 0 && System.currentTimeMillis() < deadline) {
                    Thread.sleep(100);
                }
                assertTrue(proxyA.holding() > 0, "a backup on a reached its commit");
                a.destroyForcibly().waitFor();
                Instant killed = Instant.now();
                assertEquals(1, locksOf(repo, "a").size(), "the killed node's lock is left in the repository");
                assertTrue(runs(schema).stream().anyMatch(r -> "a".equals(r.node()) && "in_progress".equals(r.status())));
                int snapshots = snapshots(repo);

                b = start("b", configB);
                awaitApi(b, configB, "b");
                List<Run> after = awaitRuns(schema, r -> r.started().isAfter(killed) && "b".equals(r.node())
                        && !"in_progress".equals(r.status()), 1);
                assertEquals("success", after.get(0).status(), "the other node's next backup succeeds: " + after);
                // once b has taken over a's schedules (Quartz then drops a's state), b's next run fails a's unfinished one
                List<Run> failedOfA = awaitRuns(schema, r -> "a".equals(r.node()) && "failed".equals(r.status()), 1);
                assertEquals(1, failedOfA.size(), failedOfA.toString());
                assertTrue(runs(schema).stream().noneMatch(r -> "in_progress".equals(r.status()) && "a".equals(r.node())));
                assertTrue(snapshots(repo) > snapshots, "b committed backups");
            } finally {
                a.destroyForcibly().waitFor();
                b.destroy();
                b.waitFor();
            }

            // prune needs the repository to itself: it waits out the dead node's lock (20 s here) and takes it away
            System.setProperty("lifeboat.lock-expiry", "PT20S");
            try {
                TestSupport.Run prune = cli("prune", "--repo", repo, "--password-file", pw, "--lock-wait", "120");
                assertEquals(0, prune.exit(), prune::toString);
            } finally {
                System.clearProperty("lifeboat.lock-expiry");
            }
            assertEquals(List.of(), locksOf(repo, "a"), "the dead node's lock expired and was removed");
            Path restored = tmp.resolve("restored");
            TestSupport.Run restore = cli("restore", "--repo", repo, "--password-file", pw, "latest", "--target",
                    restored.toString());
            assertEquals(0, restore.exit(), restore::toString);
            assertEquals(TestSupport.describe(src), TestSupport.describe(restored.resolve(src.toString().substring(1))));
        } finally {
            try (Connection c = DriverManager.getConnection(CATALOG, "postgres", null); Statement s = c.createStatement()) {
                s.execute("DROP SCHEMA " + schema + " CASCADE");
            }
        }
    }

    private Path config(String node, String repo, String schema, Path src, String pw) throws IOException {
        Path config = tmp.resolve("config-" + node);
        Files.createDirectories(config);
        Files.writeString(config.resolve("application.properties"), "camel.server.port = " + TestSupport.freePort()
                + "\ncamel.management.port = " + TestSupport.freePort()
                + "\nlifeboat.alerts-dir = " + tmp.resolve("alerts-" + node) + "\n");
        Files.writeString(config.resolve("lifeboat.yaml"), """
                repository: { path: '%s', passwordFile: %s }
                catalog: { url: '%s?currentSchema=%s', user: postgres }
                files:
                  - { name: media, path: %s, schedule: "0/10 * * * * ?", retention: 30d }
                dropFolder: { inbox: %s }
                """.formatted(repo, pw, CATALOG, schema, src, tmp.resolve("inbox-" + node)));
        return config;
    }

    private Process start(String node, Path config) throws IOException {
        ProcessBuilder pb = TestSupport.serveProcess(List.of("-Xmx256m", "-Dlifeboat.node=" + node,
                "-Dlifeboat.cache=" + tmp.resolve("cache-" + node)), config);
        pb.environment().putAll(S3Server.credentials());
        pb.environment().put("LIFEBOAT_LOCK_EXPIRY", "PT20S");
        return pb.redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(tmp.resolve("node-" + node + ".log").toFile())).start();
    }

    private void awaitApi(Process node, Path config, String name) throws Exception {
        int port = Integer.parseInt(Files.readAllLines(config.resolve("application.properties")).get(0).split("= ")[1]);
        HttpClient http = HttpClient.newHttpClient();
        long deadline = System.currentTimeMillis() + 90_000;
        while (node.isAlive() && System.currentTimeMillis() < deadline) {
            try {
                http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/backup/status")).build(),
                        HttpResponse.BodyHandlers.discarding());
                return;
            } catch (IOException notYet) {
                Thread.sleep(250);
            }
        }
        throw new AssertionError("node " + name + " did not start: " + Files.readString(tmp.resolve("node-" + name + ".log")));
    }

    /** Waits for at least count runs that match, and returns those, oldest first. */
    private List<Run> awaitRuns(String schema, Predicate<Run> match, int count) throws Exception {
        long deadline = System.currentTimeMillis() + 90_000;
        List<Run> found;
        do {
            found = runs(schema).stream().filter(match).toList();
            if (found.size() >= count) {
                return found;
            }
            Thread.sleep(500);
        } while (System.currentTimeMillis() < deadline);
        throw new AssertionError("waited for " + count + " runs, found " + found + " among " + runs(schema)
                + "\n--- node a\n" + Files.readString(tmp.resolve("node-a.log"))
                + "\n--- node b\n" + Files.readString(tmp.resolve("node-b.log")));
    }

    private static List<Run> runs(String schema) throws Exception {
        List<Run> runs = new ArrayList<>();
        try (Connection c = DriverManager.getConnection(CATALOG + "?currentSchema=" + schema, "postgres", null);
             Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT node, status, started_at FROM backup_run WHERE source = 'media'"
                     + " ORDER BY started_at")) {
            while (rs.next()) {
                runs.add(new Run(rs.getString(1), rs.getString(2), rs.getTimestamp(3).toInstant()));
            }
        }
        return runs;
    }

    private static List<String> locksOf(String repo, String node) throws IOException {
        List<String> locks = new ArrayList<>();
        try (BlobStore store = BlobStores.open(repo, false)) {
            for (String name : store.list("locks/")) {
                if (node.equals(Repository.JSON.readValue(store.get(name), Map.class).get("node"))) {
                    locks.add(name);
                }
            }
        }
        return locks;
    }

    private static int snapshots(String repo) throws IOException {
        try (BlobStore store = BlobStores.open(repo, false)) {
            return store.list("snapshots/").size();
        }
    }
}
