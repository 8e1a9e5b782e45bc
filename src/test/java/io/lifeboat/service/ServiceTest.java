package io.lifeboat.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lifeboat.catalog.Catalog;
import io.lifeboat.security.Role;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.camel.BeanInject;
import org.apache.camel.CamelContext;
import org.apache.camel.builder.NotifyBuilder;
import org.apache.camel.test.main.junit5.CamelMainTest;
import org.junit.jupiter.api.Test;

/**
 * The service as it runs: the real routes/ and LifeboatConfiguration, with a test configuration
 * (a 2-second schedule, an in-memory catalog) and a real repository.
 */
@CamelMainTest(configurationClasses = LifeboatConfiguration.class, properties = {
    "lifeboat.config-dir=src/test/resources/service-test",
    "camel.server.port=8089",
    "camel.management.port=9879",
    "camel.main.routes-include-pattern=file:target/service-test/routes/*.camel.yaml",
    "lifeboat.routes-directory=target/service-test/routes",
    "lifeboat.alerts-dir=target/service-test"})
class ServiceTest {
    private static final Path WORK = Path.of("target/service-test");
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    static {
        try {
            io.lifeboat.TestSupport.deleteTree(WORK);
            Files.createDirectories(WORK.resolve("source"));
            Files.createDirectories(WORK.resolve("routes"));
            try (var routes = Files.list(Path.of("routes"))) {
                for (Path r : routes.toList()) {
                    Files.copy(r, WORK.resolve("routes").resolve(r.getFileName()));
                }
            }
            Files.writeString(WORK.resolve("source/counts.csv"), "camera,entries\ncam-001,42\n");
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @BeanInject
    CamelContext context;

    @Test
    void aScheduledBackupRunsAndLandsInTheCatalog() {
        NotifyBuilder done = new NotifyBuilder(context).fromRoute("file-backup-quick").whenCompleted(1).create();
        assertTrue(done.matches(30, TimeUnit.SECONDS), "the Quartz schedule fired");
        Catalog catalog = context.getRegistry().lookupByNameAndType("catalog", Catalog.class);
        Catalog.Run run = catalog.runs("file", null).stream().filter(r -> r.source().equals("quick")
                && r.status().equals("success")).findFirst().orElseThrow();
        assertTrue(run.snapshotId() != null && run.sizeBytes() > 0, run.toString());
    }

    @Test
    void theScheduledIntegrityCheckReadsEachHalfOfThePacksInTurnAndAlertsDamage() throws Exception {
        Catalog catalog = context.getRegistry().lookupByNameAndType("catalog", Catalog.class);
        NotifyBuilder backedUp = new NotifyBuilder(context).fromRoute("file-backup-quick").whenCompleted(1).create();
        assertTrue(backedUp.matches(30, TimeUnit.SECONDS));
        NotifyBuilder twice = new NotifyBuilder(context).fromRoute("verify").whenCompleted(2).create();
        assertTrue(twice.matches(30, TimeUnit.SECONDS), "the integrity check ran on its schedule");
        List<Catalog.VerifyRun> runs = catalog.verifyRuns();
        assertTrue(runs.get(0).subset() != runs.get(1).subset() && runs.get(0).subsets() == 2, runs.toString());
        assertEquals(0, runs.get(0).errors(), runs.toString());

        // a damaged pack: the run that reads its half finds it and alerts; the pack is put back after (the
        // scheduled backups wait meanwhile: they would read the damaged file list and fail)
        context.getRouteController().suspendRoute("file-backup-quick");
        Path pack;
        try (var packs = Files.walk(WORK.resolve("repository/data"))) {
            pack = packs.filter(Files::isRegularFile).findFirst().orElseThrow();
        }
        byte[] original = Files.readAllBytes(pack);
        byte[] damaged = original.clone();
        damaged[damaged.length / 2] ^= 1;
        Files.write(pack, damaged);
        try {
            ServiceRuns.awaitAlert(WORK.resolve("alerts.log"), l -> l.contains("\"kind\":\"verify-failed\"")
                    && l.contains(pack.getFileName().toString()));
        } finally {
            Files.write(pack, original);
            context.getRouteController().resumeRoute("file-backup-quick");
        }
        assertTrue(catalog.verifyRuns().stream().anyMatch(r -> r.errors() > 0 && r.firstError().contains(
                pack.getFileName().toString())), catalog.verifyRuns().toString());
    }

    @Test
    void catalogRebuildReproducesTheRunsFromTheRepository() throws Exception {
        NotifyBuilder done = new NotifyBuilder(context).fromRoute("file-backup-quick").whenCompleted(2).create();
        assertTrue(done.matches(30, TimeUnit.SECONDS));
        Catalog catalog = context.getRegistry().lookupByNameAndType("catalog", Catalog.class);
        var config = context.getRegistry().lookupByNameAndType("lifeboatConfig", LiveConfig.class).get();
        var repository = new RepositoryAccess(config.repository(), config::targets, () -> false).open();
        java.util.Set<String> committed = repository.snapshots().stream().map(io.lifeboat.repository.Snapshot::id)
                .collect(java.util.stream.Collectors.toSet());
        java.util.function.Function<Catalog.Run, String> key = r -> String.join("|", r.id(), r.source(), r.type(),
                r.status(), String.valueOf(r.sizeBytes()), String.valueOf(r.storedBytes()), r.snapshotId(),
                String.valueOf(r.retention()));
        java.util.Set<String> before = catalog.runs(null, null).stream()
                .filter(r -> r.snapshotId() != null && committed.contains(r.snapshotId())).map(key)
                .collect(java.util.stream.Collectors.toSet());
        assertTrue(before.size() >= 2, before.toString());
        CatalogRebuild.run(repository, catalog, config);
        java.util.Set<String> after = catalog.runs(null, null).stream().map(key)
                .collect(java.util.stream.Collectors.toSet());
        assertTrue(after.containsAll(before), "rebuilt: " + after + "\nbefore: " + before);
        assertTrue(after.size() >= committed.size(), "one run per snapshot");
    }

    @Test
    void everyRoleGetsExactlyItsRights() throws Exception {
        Catalog catalog = context.getRegistry().lookupByNameAndType("catalog", Catalog.class);
        Map<Role, String> tokens = new java.util.EnumMap<>(Role.class);
        for (Role r : Role.values()) {
            tokens.put(r, catalog.createToken("test-" + r, r));
        }
        assertEquals(401, get(null).statusCode());
        assertEquals(401, get("lb_not-a-token").statusCode());
        assertEquals(401, post(null, "{\"type\":\"file\"}").statusCode());
        assertEquals(401, post("lb_not-a-token", "{\"type\":\"file\"}").statusCode());
        Map<Role, Integer> read = Map.of(Role.ADMIN, 200, Role.SYSTEM, 200, Role.AUDITOR, 200, Role.USER, 403);
        Map<Role, Integer> trigger = Map.of(Role.ADMIN, 202, Role.SYSTEM, 202, Role.AUDITOR, 403, Role.USER, 403);
        for (Role r : Role.values()) {
            HttpResponse<String> status = get(tokens.get(r));
            assertEquals(read.get(r), status.statusCode(), r + " status: " + status.body());
            HttpResponse<String> started = post(tokens.get(r), "{\"type\":\"file\",\"source\":\"quick\"}");
            // an allowed trigger may meet a backup of the same source still running: 409, never 401/403
            int code = started.statusCode() == 409 && trigger.get(r) == 202 ? 202 : started.statusCode();
            assertEquals(trigger.get(r), code, r + " trigger: " + started.body());
            if (started.statusCode() == 202) {
                assertTrue(started.body().contains("\"backupId\"") && started.body().contains("\"status\":\"started\""));
            } else if (trigger.get(r) == 403) {
                assertTrue(started.body().contains("\"error\":\"forbidden\""), started.body());
            }
        }
        HttpResponse<String> status = get(tokens.get(Role.AUDITOR));
        assertTrue(status.body().contains("\"summary\"") && status.body().contains("\"successRate\""), status.body());
    }

    @Test
    void malformedRequestsAreRefusedNamingTheField() throws Exception {
        Catalog catalog = context.getRegistry().lookupByNameAndType("catalog", Catalog.class);
        String admin = catalog.createToken("malformed", Role.ADMIN);
        assertBadRequest(post(admin, "{\"type\":\"tape\"}"), "'type'");
        assertBadRequest(post(admin, "{}"), "'type'");
        assertBadRequest(post(admin, "not json"), "not JSON");
        assertBadRequest(post(admin, "[1,2]"), "JSON object");
        assertBadRequest(post(admin, "{\"type\":\"file\",\"scope\":\"weekly\"}"), "'scope'");
        assertBadRequest(post(admin, "{\"type\":\"file\",\"source\":\"nope\"}"), "'source'");
        assertBadRequest(post(admin, "{\"type\":\"file\",\"sourc\":\"quick\"}"), "unknown field 'sourc'");
        assertBadRequest(post(admin, "{\"type\":\"file\"} trailing"), "not JSON");
        assertBadRequest(post(admin, "{\"type\":\"file\"} {}"), "not JSON");
        assertBadRequest(post(admin, "{\"type\":\"file\",\"source\":null}"), "field 'source' must be a source name");
        assertBadRequest(post(admin, "{\"type\":null}"), "field 'type'");
        assertBadRequest(post(admin, "{\"type\":\"file\",\"scope\":5}"), "field 'scope' must be full or incremental");
        assertBadRequest(post(admin, "{\"type\":\"file\",\"type\":\"database\"}"), "not JSON");
        HttpResponse<String> plain = HTTP.send(HttpRequest.newBuilder(URI.create(
                "http://127.0.0.1:8089/api/v1/backup/trigger")).header("Authorization", "Bearer " + admin)
                .header("Content-Type", "text/plain").POST(HttpRequest.BodyPublishers.ofString("{\"type\":\"file\"}"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(415, plain.statusCode(), plain.body());
        assertTrue(plain.body().contains("'Content-Type'"), plain.body());
        HttpResponse<String> injected = HTTP.send(HttpRequest.newBuilder(URI.create(
                "http://127.0.0.1:8089/api/v1/backup/status?Set-Cookie=session%3Devil")).header("X-Secret", "s3cr3t")
                .build(), HttpResponse.BodyHandlers.ofString());
        assertTrue(injected.headers().firstValue("Set-Cookie").isEmpty()
                && injected.headers().firstValue("X-Secret").isEmpty(), "request data not echoed as headers");
        HttpResponse<String> tokenInUrl = HTTP.send(HttpRequest.newBuilder(URI.create(
                "http://127.0.0.1:8089/api/v1/backup/status?Authorization=Bearer%20" + admin)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertBadRequest(tokenInUrl, "Authorization header");
        HttpResponse<String> badQuery = HTTP.send(HttpRequest.newBuilder(URI.create(
                "http://127.0.0.1:8089/api/v1/backup/status?type=tape")).header("Authorization", "Bearer " + admin)
                .build(), HttpResponse.BodyHandlers.ofString());
        assertBadRequest(badQuery, "'type'");
    }

    @Test
    void backupMetricsAppearOnTheMetricsEndpoint() throws Exception {
        NotifyBuilder done = new NotifyBuilder(context).fromRoute("file-backup-quick").whenCompleted(1).create();
        assertTrue(done.matches(30, TimeUnit.SECONDS));
        String metrics = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:9879/observe/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        for (String name : new String[] {"backup_duration_seconds_count", "backup_size", "backup_status",
            "backup_runs_total", "backup_last_success_timestamp_seconds"}) {
            assertTrue(metrics.lines().anyMatch(l -> l.startsWith(name) && l.contains("source=\"quick\"")
                    && l.contains("type=\"file\"")), name + " missing");
        }
    }

    @Test
    void aDroppedFileIsBackedUpAndThenMovedToDone() throws Exception {
        Path inbox = WORK.resolve("inbox");
        Files.writeString(inbox.resolve("export.csv"), "user export\n");
        long deadline = System.currentTimeMillis() + 30_000;
        while (!Files.exists(inbox.resolve("done/export.csv")) && System.currentTimeMillis() < deadline) {
            Thread.sleep(200);
        }
        assertTrue(Files.exists(inbox.resolve("done/export.csv")), "moved to done/");
        Catalog catalog = context.getRegistry().lookupByNameAndType("catalog", Catalog.class);
        assertTrue(catalog.runs("file", null).stream().anyMatch(r -> r.source().equals("drop-folder")
                && r.status().equals("success")), "its backup committed before the move");
    }

    @Test
    void aFileStillBeingWrittenIsLeftUntilItIsComplete() throws Exception {
        Path inbox = WORK.resolve("inbox");
        Path growing = inbox.resolve("slow-export.csv");
        StringBuilder written = new StringBuilder();
        try (var out = Files.newBufferedWriter(growing)) {
            // a line every 200 ms: the file is never still for anywhere near the 3-second settle time
            for (int i = 0; i < 30; i++) {
                String line = "row " + i + "\n";
                out.write(line);
                out.flush();
                written.append(line);
                Thread.sleep(200);
                assertTrue(Files.notExists(inbox.resolve("done/slow-export.csv")), "taken while still being written");
            }
        }
        long deadline = System.currentTimeMillis() + 30_000;
        while (!Files.exists(inbox.resolve("done/slow-export.csv")) && System.currentTimeMillis() < deadline) {
            Thread.sleep(200);
        }
        assertEquals(written.toString(), Files.readString(inbox.resolve("done/slow-export.csv")));
        var config = context.getRegistry().lookupByNameAndType("lifeboatConfig", LiveConfig.class).get();
        var snapshot = new RepositoryAccess(config.repository(), config::targets, () -> false).open().snapshots().stream()
                .filter(s -> s.paths().get(0).endsWith("slow-export.csv")).findFirst().orElseThrow();
        assertEquals(written.length(), snapshot.summary().bytes(), "the whole file was backed up");
    }

    @Test
    void aDroppedFolderIsBackedUpWholeOnceItHasSettled() throws Exception {
        Path inbox = WORK.resolve("inbox");
        Path staging = Files.createDirectories(WORK.resolve("staging/incident-42"));
        Files.writeString(staging.resolve("clip.txt"), "clip\n");
        Files.createDirectories(staging.resolve("frames"));
        Files.writeString(staging.resolve("frames/frame-1.txt"), "frame\n");
        Files.move(staging, inbox.resolve("incident-42"));
        long deadline = System.currentTimeMillis() + 30_000;
        while (!Files.exists(inbox.resolve("done/incident-42")) && System.currentTimeMillis() < deadline) {
            Thread.sleep(200);
        }
        assertTrue(Files.exists(inbox.resolve("done/incident-42/frames/frame-1.txt")), "the folder moved to done/ whole");
        var config = context.getRegistry().lookupByNameAndType("lifeboatConfig", LiveConfig.class).get();
        var snapshots = new RepositoryAccess(config.repository(), config::targets, () -> false).open().snapshots();
        assertTrue(snapshots.stream().anyMatch(s -> s.paths().get(0).endsWith("inbox/incident-42")
                && s.summary().files() == 2), "one snapshot of the folder with both files");
    }

    @Test
    void aDroppedFileGoesToFailedWithAReasonWhenTheRepositoryIsUnusable() throws Exception {
        Path config = WORK.resolve("repository/config");
        byte[] original = Files.readAllBytes(awaitRepository(config));
        Path inbox = WORK.resolve("inbox");
        try {
            Files.write(config, "damaged".getBytes());
            Files.writeString(inbox.resolve("invoice.pdf"), "not really a pdf\n");
            long deadline = System.currentTimeMillis() + 30_000;
            while (!Files.exists(inbox.resolve("failed/invoice.pdf")) && System.currentTimeMillis() < deadline) {
                Thread.sleep(200);
            }
        } finally {
            Files.write(config, original);
        }
        assertTrue(Files.exists(inbox.resolve("failed/invoice.pdf")), "moved to failed/");
        assertTrue(Files.notExists(inbox.resolve("done/invoice.pdf")), "not to done/");
        String reason = Files.readString(inbox.resolve("failed/invoice.pdf.reason"));
        assertTrue(reason.contains("config"), reason);
        String alerts = Files.readString(Path.of("target/service-test/alerts.log"));
        assertTrue(alerts.lines().anyMatch(l -> l.contains("\"kind\":\"backup-failed\"")
                && l.contains("\"source\":\"drop-folder\"")), "the failure was alerted: " + alerts);
    }

    /** The repository's config object, once the first scheduled backup has created the repository. */
    private Path awaitRepository(Path config) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 30_000;
        while (!Files.exists(config) && System.currentTimeMillis() < deadline) {
            Thread.sleep(200);
        }
        return config;
    }

    @Test
    void editingARouteFileChangesTheRunningFlowAndABrokenEditIsRefused() throws Exception {
        Path file = WORK.resolve("routes/hello.camel.yaml");
        String route = "- route:\n    id: hello\n    from:\n      uri: platform-http:/api/v1/hello\n"
                + "      steps:\n        - setBody: { constant: %s }\n";
        try {
            Files.writeString(file, route.formatted("first"));
            assertEquals("first", awaitHello("first"));
            Files.writeString(file, route.formatted("second"));
            assertEquals("second", awaitHello("second"));
            Reloads reloads = context.getRegistry().lookupByNameAndType("reloads", Reloads.class);
            long refusedBefore = reloads.refused(ValidatingRouteReload.KIND);
            Files.writeString(file, route.formatted("third").replace("setBody", "setBodyy"));
            long deadline = System.currentTimeMillis() + 30_000;
            while (reloads.refused(ValidatingRouteReload.KIND) == refusedBefore && System.currentTimeMillis() < deadline) {
                Thread.sleep(100);
            }
            assertTrue(reloads.refused(ValidatingRouteReload.KIND) > refusedBefore, "the broken edit was seen and refused");
            assertEquals("second", hello(), "the running route stayed");
            assertTrue(context.getRoute("file-backup-quick") != null, "templated routes survive reloads");
        } finally {
            Files.deleteIfExists(file);
        }
    }

    private static String awaitHello(String expected) throws Exception {
        long deadline = System.currentTimeMillis() + 30_000;
        String body = hello();
        while (!expected.equals(body) && System.currentTimeMillis() < deadline) {
            Thread.sleep(250);
            body = hello();
        }
        return body;
    }

    private static String hello() throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:8089/api/v1/hello"))
                .build(), HttpResponse.BodyHandlers.ofString());
        return r.statusCode() == 200 ? r.body() : "HTTP " + r.statusCode();
    }

    private static void assertBadRequest(HttpResponse<String> r, String mention) {
        assertEquals(400, r.statusCode(), r.body());
        assertTrue(r.body().contains("\"error\":\"bad_request\"") && r.body().contains(mention), r.body());
    }

    private static HttpResponse<String> get(String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:8089/api/v1/backup/status"));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> post(String token, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:8089/api/v1/backup/trigger"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }
}
