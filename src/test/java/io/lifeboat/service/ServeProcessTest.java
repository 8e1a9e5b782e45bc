package io.lifeboat.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.net.ServerSocket;
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
        int api = freePort();
        int management = freePort();
        Path config = tmp.resolve("config");
        Files.createDirectories(tmp.resolve("source"));
        Files.createDirectories(config);
        Files.writeString(config.resolve("application.properties"), "camel.server.port = " + api
                + "\ncamel.management.port = " + management + "\nlifeboat.alerts-dir = " + tmp + "\n");
        Files.writeString(config.resolve("lifeboat.yaml"), """
                repository: { path: %s/repository, passwordFile: %s/repository.password, create: true }
                catalog: { url: 'jdbc:h2:file:%s/catalog/lifeboat' }
                files:
                  - { name: demo, path: %s/source, schedule: "0 * * * *", retention: 30d }
                dropFolder: { inbox: %s/inbox }
                """.formatted(tmp, tmp, tmp, tmp, tmp));
        String classpath = Path.of("target/classes").toAbsolutePath() + File.pathSeparator
                + Files.readString(Path.of("target/runtime-classpath.txt")).strip();
        Process serve = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "--add-opens", "java.base/sun.nio.fs=ALL-UNNAMED", "-cp", classpath,
                "io.lifeboat.cli.Lifeboat", "serve", "--config", config.toString()))
                .redirectErrorStream(true).redirectOutput(tmp.resolve("serve.log").toFile()).start();
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
            List<String> routes = List.of("alerts", "drop-folder", "drop-folder-folders", "file-backup-demo",
                    "api-backup-status", "api-backup-trigger");
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
        } finally {
            serve.destroy();
            serve.waitFor();
        }
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
