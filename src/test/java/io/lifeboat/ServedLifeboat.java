package io.lifeboat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * `serve` in its own JVM on a work directory's config/ (ports of its own, alerts into the work
 * directory), and the ways a test talks to it: HTTP with a token of a role, and the command line.
 */
public final class ServedLifeboat implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    public final Path work;
    public final int api;
    public final int management;
    private final HttpClient http = HttpClient.newHttpClient();
    private Process serve;
    private final Map<String, String> tokens = new HashMap<>();

    /** Writes config/application.properties; the test writes config/lifeboat.yaml. */
    public ServedLifeboat(Path work) throws IOException {
        this.work = work;
        this.api = TestSupport.freePort();
        this.management = TestSupport.freePort();
        Files.createDirectories(work.resolve("config"));
        Files.writeString(work.resolve("config/application.properties"), "camel.server.port = " + api
                + "\ncamel.management.port = " + management + "\nlifeboat.alerts-dir = " + work + "\n");
    }

    public Path log() {
        return work.resolve("serve.log");
    }

    /** Starts it and waits until its API answers. */
    public void start() throws Exception {
        start(List.of());
    }

    /** Starts it with these JVM options (a fault point to hold at, say) and waits until its API answers. */
    public void start(List<String> jvmOptions) throws Exception {
        // C1 alone: a test's service does little work, and starts a second sooner (a quarter of its start)
        List<String> options = new ArrayList<>(List.of("-Xmx256m", "-XX:TieredStopAtLevel=1"));
        options.addAll(jvmOptions);
        serve = TestSupport.serveProcess(options, work.resolve("config")).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log().toFile())).start();
        long deadline = System.currentTimeMillis() + 120_000;
        while (System.currentTimeMillis() < deadline) {
            assertTrue(serve.isAlive(), Files.readString(log()));
            try {
                // the web server answers before the last endpoint is in: a 404 means not yet
                if (http.send(request("/api/v1/recovery/status").build(), HttpResponse.BodyHandlers.discarding())
                        .statusCode() == 401) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(250);
        }
        throw new AssertionError("serve did not answer: " + Files.readString(log()));
    }

    /** Stops it as an operator would (SIGTERM), and waits for it to end. */
    public void stop() throws InterruptedException {
        serve.destroy();
        serve.waitFor();
    }

    /** Kills it and everything it started (kill -9), as a crash would. */
    @Override
    public void close() {
        if (serve != null) {
            List<ProcessHandle> children = serve.descendants().toList();
            serve.destroyForcibly();
            serve.onExit().join();
            children.forEach(ProcessHandle::destroyForcibly);
        }
    }

    /**
     * A token of the role, made once per role: each is made by the command line in this JVM, which
     * opens the embedded catalog beside the service.
     */
    public synchronized String token(String role) {
        return tokens.computeIfAbsent(role, this::newToken);
    }

    private String newToken(String role) {
        TestSupport.Run created = TestSupport.cli("token", "create", "--role", role, "--config",
                work.resolve("config").toString());
        assertEquals(0, created.exit(), created.toString());
        return created.out().lines().findFirst().orElseThrow().strip();
    }

    public HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + api + path));
    }

    public HttpResponse<String> post(String path, String body, String role) throws Exception {
        return http.send(request(path).header("Authorization", "Bearer " + token(role))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    public HttpResponse<String> get(String path, String role) throws Exception {
        return http.send(request(path).header("Authorization", "Bearer " + token(role)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    public String metrics() throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + management + "/observe/metrics"))
                .build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    /** The command line (in this JVM: fast), talking to this service with a token of the role in a file. */
    public TestSupport.Run cli(String role, String... args) throws Exception {
        Path token = work.resolve("token-" + role);
        if (!Files.exists(token)) {
            Files.writeString(token, token(role) + "\n");
        }
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--url", "http://127.0.0.1:" + api, "--token-file", token.toString()));
        return TestSupport.cli(all.toArray(String[]::new));
    }

    /** A recovery's status, as an Auditor reads it. */
    public JsonNode recovery(String id) throws Exception {
        HttpResponse<String> answer = get("/api/v1/recovery/status?recoveryId=" + id, "Auditor");
        assertEquals(200, answer.statusCode(), answer.body());
        return JSON.readTree(answer.body());
    }

    /** Starts a recovery (POST /api/v1/recovery/initiate as Admin); its id. */
    public String initiate(String body) throws Exception {
        HttpResponse<String> answer = post("/api/v1/recovery/initiate", body, "Admin");
        assertEquals(202, answer.statusCode(), answer.body());
        JsonNode started = JSON.readTree(answer.body());
        assertEquals("started", started.get("status").asText());
        return started.get("recoveryId").asText();
    }

    /** A step of a recovery's status, by name. */
    public static JsonNode step(JsonNode recovery, String name) {
        for (JsonNode s : recovery.get("steps")) {
            if (s.get("name").asText().equals(name)) {
                return s;
            }
        }
        throw new AssertionError("no step " + name + " in " + recovery);
    }

    /** Until the file is there (a fault point the service reached writes one), or says what the service logged. */
    public void awaitFile(Path file) throws Exception {
        for (int i = 0; i < 2400 && !Files.exists(file); i++) {
            Thread.sleep(100);
        }
        assertTrue(Files.exists(file), file + " never came: " + Files.readString(log()));
    }

    /** A recovery's status once it has ended. */
    public JsonNode awaitRecovery(String id) throws Exception {
        for (int i = 0; i < 2400; i++) {
            JsonNode s = recovery(id);
            if (!"in_progress".equals(s.get("status").asText())) {
                return s;
            }
            Thread.sleep(250);
        }
        throw new AssertionError("recovery " + id + " did not end: " + recovery(id));
    }

    /** The end of the backup run a trigger started: its entry in the backup status. */
    public JsonNode awaitBackup(HttpResponse<String> trigger) throws Exception {
        assertEquals(202, trigger.statusCode(), trigger.body());
        String id = JSON.readTree(trigger.body()).get("backupId").asText();
        for (int i = 0; i < 600; i++) {
            for (JsonNode b : JSON.readTree(get("/api/v1/backup/status", "Auditor").body()).get("backups")) {
                if (b.get("id").asText().equals(id) && !"in_progress".equals(b.get("status").asText())) {
                    return b;
                }
            }
            Thread.sleep(200);
        }
        throw new AssertionError("backup " + id + " did not end");
    }
}
