package io.lifeboat.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lifeboat.TestSupport;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * `serve` in a process of its own on the runtime class path alone (what bin/lifeboat runs, without
 * the test libraries): every route file of routes/ must find its components there, the API must
 * answer and the metrics be served.
 */
class ServeProcessTest {
    @TempDir
    Path tmp;

    @Test
    void theServiceStartsOnTheRuntimeClassPathWithEveryRoute() throws Exception {
        int api = TestSupport.freePort();
        int management = TestSupport.freePort();
        Path config = tmp.resolve("config");
        Files.createDirectories(tmp.resolve("source"));
        Files.createDirectories(config);
        Files.writeString(config.resolve("application.properties"), "camel.server.port = " + api
                + "\ncamel.management.port = " + management + "\nlifeboat.alerts-dir = " + tmp + "\n");
        Files.writeString(config.resolve("lifeboat.yaml"), """
                repository: { path: %s/repository, passwordFile: %s/repository.password, create: true }
                catalog: { url: 'jdbc:h2:file:%s/catalog/lifeboat;AUTO_SERVER=TRUE' }
                files:
                  - { name: demo, path: %s/source, schedule: "0 * * * *", retention: 30d }
                dropFolder: { inbox: %s/inbox }
                """.formatted(tmp, tmp, tmp, tmp, tmp));
        Process serve = TestSupport.serveProcess(List.of("-Xmx256m"), config).redirectErrorStream(true).redirectOutput(tmp.resolve("serve.log").toFile()).start();
        try {
            HttpClient http = HttpClient.newHttpClient();
            long deadline = System.currentTimeMillis() + 90_000;
            int status = -1;
            while (serve.isAlive() && System.currentTimeMillis() < deadline) {
                try {
                    status = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + api
                            + "/api/v1/backup/status")).build(), HttpResponse.BodyHandlers.ofString()).statusCode();
                    break;
                } catch (java.io.IOException notYet) {
                    Thread.sleep(250);
                }
            }
            assertEquals(401, status, "the API answers (a token is needed): " + Files.readString(tmp.resolve("serve.log")));
            // routes made from templates are added once the context has started: give them a moment
            List<String> routes = List.of("alerts", "drop-folder", "drop-folder-folders", "file-backup",
                    "file-backup-demo", "database-backup", "database-wal-check", "api-backup-status",
                    "api-backup-trigger", "api-routes");
            HttpResponse<String> metrics;
            do {
                metrics = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + management
                        + "/observe/metrics")).build(), HttpResponse.BodyHandlers.ofString());
                String body = metrics.body();
                if (routes.stream().allMatch(r -> body.contains("routeId=\"" + r + "\""))) {
                    break;
                }
                Thread.sleep(250);
            } while (System.currentTimeMillis() < deadline);
            assertEquals(200, metrics.statusCode());
            for (String route : routes) {
                assertTrue(metrics.body().contains("routeId=\"" + route + "\""), route + " runs: " + metrics.body());
            }

            // bin/lifeboat routes: every route with the file it comes from, for an Admin only
            TestSupport.Run admin = TestSupport.cli("token", "create", "--config", config.toString(), "--role", "Admin");
            assertEquals(0, admin.exit(), admin::toString);
            TestSupport.Run listed = routes(config, admin.out().strip());
            assertEquals(0, listed.exit(), listed::toString);
            assertTrue(listed.out().lines().anyMatch(l -> l.startsWith("file-backup-demo ") && l.contains("started")
                    && l.contains("file-backup.camel.yaml") && l.contains("(template file-backup-schedule)")),
                    listed.out());
            assertTrue(listed.out().lines().anyMatch(l -> l.startsWith("file-backup ")
                    && l.contains("file-backup.camel.yaml")), listed.out());
            String auditor = TestSupport.cli("token", "create", "--config", config.toString(), "--role", "Auditor")
                    .out().strip();
            TestSupport.Run refused = routes(config, auditor);
            assertEquals(1, refused.exit(), refused::toString);
            assertTrue(refused.err().contains("may not administer"), refused.err());
        } finally {
            serve.destroy();
            serve.waitFor();
        }
    }

    private static TestSupport.Run routes(Path config, String token) throws Exception {
        ProcessBuilder pb = TestSupport.process(List.of(), "routes", "--config", config.toString());
        pb.environment().put("LIFEBOAT_TOKEN", token);
        return TestSupport.runProcess(pb, 60);
    }
}
