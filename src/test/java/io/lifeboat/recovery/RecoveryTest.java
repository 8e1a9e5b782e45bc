package io.lifeboat.recovery;

import static io.lifeboat.ServedLifeboat.step;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lifeboat.ServedLifeboat;
import io.lifeboat.TestSupport;
import io.lifeboat.source.postgres.PgTools;
import io.lifeboat.source.postgres.ThrowawayCluster;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Recovery as an operator meets it, against real processes: a PostgreSQL cluster with data, a
 * file tree and a small service with a health address, backed up by `serve`; a partial recovery
 * of the files that first keeps their current state; then all of it destroyed and brought back by
 * a disaster recovery, during which the service is killed (held in its start-services step) and
 * started again, and the recovery finishes from where it was; then a scheduled drill that records
 * RTO and RPO and alerts because its RTO target is missed. The API refuses what it must, with the
 * field named, and touches nothing when it does.
 */
class RecoveryTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newHttpClient();
    private Path work;
    private ThrowawayCluster cluster;
    private ServedLifeboat lifeboat;

    @AfterEach
    void stopEverything() throws Exception {
        if (lifeboat != null) {
            lifeboat.close();
        }
        killRecorded(work.resolve("service.pid"));
        if (Files.exists(work.resolve("pg/data/postmaster.pid"))) {
            ThrowawayCluster.asPostgres(PgTools.bin("pg_ctl").toString(), "-D", work.resolve("pg/data").toString(), "-m",
                    "immediate", "-w", "stop");
        }
        TestSupport.deleteTree(work);
    }

    @Test
    void aDestroyedPlatformComesBackThroughTheRecoveryFlowsAndDrillsRecordTheirRto() throws Exception {
        work = Files.createTempDirectory("lifeboat-recovery", PosixFilePermissions.asFileAttribute(
                PosixFilePermissions.fromString("rwxr-xr-x")));
        cluster = ThrowawayCluster.startedIn(work);
        try (Connection db = cluster.connect()) {
            db.createStatement().execute("CREATE DATABASE counting");
        }
        try (Connection db = counting()) {
            db.createStatement().execute("CREATE TABLE counts AS SELECT g AS n, md5(g::text) AS camera"
                    + " FROM generate_series(1, 20000) g");
            db.createStatement().execute("VACUUM ANALYZE counts"); // nothing left for autovacuum to write meanwhile
        }
        Path app = work.resolve("platform/app");
        Files.createDirectories(app.resolve("media"));
        Files.writeString(app.resolve("ready.txt"), "ready\n");
        Files.writeString(app.resolve("settings.yml"), "cameras: 12\n");
        TestSupport.writeRandom(app.resolve("media/clip.mp4"), 7, 3_000_000);
        Files.createSymbolicLink(app.resolve("current"), Path.of("media/clip.mp4"));
        Path env = work.resolve("platform/etc/app.env");
        Files.createDirectories(env.getParent());
        Files.writeString(env, "DB_HOST=127.0.0.1\nDB_PASSWORD=recover-me-2026\n");
        int health = TestSupport.freePort();
        writeService(health);
        lifeboat = new ServedLifeboat(work);
        writeConfig(health, "enabled: false");
        lifeboat.start();

        // backups of both sources, through their flows
        String files = awaitBackup(lifeboat.post("/api/v1/backup/trigger", "{\"type\": \"file\", \"source\": \"app\"}",
                "Admin"));
        awaitBackup(lifeboat.post("/api/v1/backup/trigger",
                "{\"type\": \"database\", \"source\": \"beCamera\", \"scope\": \"full\"}", "Admin"));
        awaitBackup(lifeboat.post("/api/v1/backup/trigger", "{\"type\": \"config\"}", "Admin"));
        Map<String, String> backedUp = TestSupport.describe(app);

        // refused before anything is touched, with the field named
        String disaster = "{\"type\": \"disaster\", \"backupId\": \"latest\"}";
        for (String role : List.of("User", "System", "Auditor")) {
            assertEquals(403, lifeboat.post("/api/v1/recovery/initiate", disaster, role).statusCode(), role);
        }
        assertEquals(401, http.send(lifeboat.request("/api/v1/recovery/initiate").POST(HttpRequest.BodyPublishers.ofString(
                disaster)).header("Content-Type", "application/json").build(), HttpResponse.BodyHandlers.ofString())
                .statusCode());
        assertRefused(lifeboat.post("/api/v1/recovery/initiate", "{\"type\": \"everything\", \"backupId\": \"latest\"}",
                "Admin"),
                400, "field 'type'");
        assertRefused(lifeboat.post("/api/v1/recovery/initiate",
                "{\"type\": \"partial\", \"backupId\": \"0123456789abcdef\"}",
                "Admin"), 404, "field 'backupId'");
        assertRefused(lifeboat.post("/api/v1/recovery/initiate", "{\"type\": \"component\", \"backupId\": \"" + files
                + "\", \"target\": \"/etc/lifeboat\"}", "Admin"), 400, "field 'target': /etc/lifeboat is outside the allowed roots");
        assertRefused(lifeboat.post("/api/v1/recovery/initiate", "{\"type\": \"partial\", \"backupId\": \"" + files
                + "\", \"force\": true}", "Admin"), 400, "unknown field 'force'");
        assertRefused(lifeboat.get("/api/v1/recovery/status?recoveryId=nothing-like-it", "Auditor"), 404, "no recovery");
        assertRefused(lifeboat.post("/api/v1/recovery/initiate", "{\"type\": \"component\", \"backupId\": \"" + files
                + "\", \"paths\": [\"" + app + "/../../../etc\"]}", "Admin"), 400, "field 'paths'");
        for (String role : List.of("User", "System")) {
            assertEquals(403, lifeboat.get("/api/v1/recovery/drills", role).statusCode(), role);
            assertEquals(403, lifeboat.get("/api/v1/recovery/status?recoveryId=x", role).statusCode(), role);
            assertEquals(403, lifeboat.post("/api/v1/recovery/plan", disaster, role).statusCode(), role);
        }
        assertEquals(403, lifeboat.post("/api/v1/recovery/plan", disaster, "Auditor").statusCode());
        assertEquals(200, lifeboat.get("/api/v1/recovery/drills", "Auditor").statusCode());
        assertEquals(backedUp, TestSupport.describe(app), "a refused recovery touched nothing");
        try (Stream<Path> restores = Files.list(work.resolve("restores"))) {
            assertEquals(0, restores.count());
        }
        assertRefused(lifeboat.post("/api/v1/recovery/initiate?dryRun=true", disaster, "Admin"), 400, "no parameters");

        // the plan: every step of the route, what it restores from where, and its estimate
        TestSupport.Run plan = cli("recover", "plan", "--type", "disaster");
        assertEquals(0, plan.exit(), plan.toString());
        for (String step : List.of("stop-services", "restore-databases", "restore-files", "restore-config",
                "start-services", "validate-health", "validate-data", "validate-performance")) {
            assertTrue(plan.out().contains(step), step + " in\n" + plan.out());
        }
        assertTrue(plan.out().contains("beCamera from ") && plan.out().contains("in place (" + cluster.dataDir + ")"),
                plan.out());

        // component: chosen paths into a target inside the roots, as they were backed up
        Path target = work.resolve("restores/settings");
        JsonNode component = lifeboat.awaitRecovery(lifeboat.initiate("{\"type\": \"component\", \"backupId\": \"" + files
                + "\", \"target\": \"" + target + "\", \"paths\": [\"" + app.resolve("media") + "\"]}"));
        assertEquals("completed", component.get("status").asText(), component.toString());
        Path media = target.resolve("files/app" + app.resolve("media"));
        assertEquals(TestSupport.sha256(app.resolve("media/clip.mp4")), TestSupport.sha256(media.resolve("clip.mp4")));
        assertFalse(Files.exists(target.resolve("files/app" + app.resolve("settings.yml"))), "only the chosen path");

        // partial: the files' current state is backed up first, then they are restored; the database is left alone
        Files.writeString(app.resolve("settings.yml"), "cameras: 13\n");
        try (Connection db = counting()) {
            db.createStatement().execute("INSERT INTO counts VALUES (-1, 'after the backup')");
        }
        Map<String, String> beforePartial = TestSupport.describe(app);
        JsonNode partial = lifeboat.awaitRecovery(lifeboat.initiate("{\"type\": \"partial\", \"backupId\": \"" + files + "\"}"));
        assertEquals("completed", partial.get("status").asText(), partial.toString());
        assertEquals(backedUp, TestSupport.describe(app), "the files are as backed up");
        assertEquals(1, partial.get("safetyBackups").size(), partial.toString());
        Path kept = Path.of(partial.get("items").get(0).get("movedAside").get(0).asText());
        assertEquals("cameras: 13\n", Files.readString(kept.resolve("settings.yml")), "what was replaced is kept");
        assertEquals(20001, rows(), "the database was not part of it");
        assertTrue(step(partial, "validate-data").get("detail").asText().contains("equal to snapshot"), partial.toString());
        JsonNode fileBackups = JSON.readTree(lifeboat.get("/api/v1/backup/status?type=file", "Auditor").body());
        assertEquals(2, fileBackups.get("backups").size(), "the safety backup is a backup like any other");

        // a stop hook that fails: the flow stops there, says what state the platform is in, and restores nothing
        Files.writeString(work.resolve("refuse-stop"), "");
        JsonNode refused = lifeboat.awaitRecovery(lifeboat.initiate(disaster));
        assertEquals("failed", refused.get("status").asText(), refused.toString());
        assertEquals("failed", step(refused, "stop-services").get("status").asText());
        assertEquals("pending", step(refused, "restore-databases").get("status").asText());
        assertTrue(refused.get("error").asText().contains("step stop-services failed")
                && refused.get("error").asText().contains("platform refuses to stop")
                && refused.get("error").asText().contains("platform in an unknown state"), refused.toString());
        assertEquals(backedUp, TestSupport.describe(app), "nothing was restored");
        assertEquals(20001, rows(), "the database was left as it was");
        assertTrue(Files.readString(work.resolve("alerts.log")).contains("\"kind\":\"recovery-failed\""));
        Files.delete(work.resolve("refuse-stop"));

        // disaster: the database, the files and the service are gone
        awaitWalStored();
        String before = contents();
        killRecorded(work.resolve("service.pid"));
        ThrowawayCluster.asPostgres(PgTools.bin("pg_ctl").toString(), "-D", cluster.dataDir.toString(), "-m",
                "immediate", "-w", "stop");
        TestSupport.deleteTree(cluster.dataDir);
        TestSupport.deleteTree(work.resolve("platform"));
        TestSupport.deleteTree(kept);
        Files.delete(work.resolve("hooks.log"));
        Files.writeString(work.resolve("hold"), ""); // the service's start hook waits: the recovery is held there
        String id = lifeboat.initiate(disaster);
        awaitLine(work.resolve("hook.pid"), l -> !l.isBlank());
        JsonNode held = lifeboat.recovery(id);
        assertEquals("running", step(held, "start-services").get("status").asText(), held.toString());
        assertEquals("done", step(held, "restore-databases").get("status").asText(), held.toString());
        assertTrue(held.get("progress").asInt() > 0 && held.get("progress").asInt() < 100, held.toString());

        // the service dies in the middle; started again, the recovery goes on from its last finished step
        lifeboat.close(); // all of the service goes, its WAL receiver too
        killRecorded(work.resolve("hook.pid"));
        Files.delete(work.resolve("hold"));
        lifeboat.start();
        JsonNode recovered = lifeboat.awaitRecovery(id);
        assertEquals("completed", recovered.get("status").asText(), recovered.toString());
        assertEquals(1, recovered.get("resumed").asInt());
        for (String step : List.of("stop-services", "restore-databases", "restore-files")) {
            assertEquals(step(held, step).get("duration"), step(recovered, step).get("duration"), step + " ran once");
        }
        List<String> hooks = Files.readAllLines(work.resolve("hooks.log"));
        assertEquals(1, hooks.stream().filter(l -> l.startsWith("stop")).count(), hooks.toString());
        assertEquals(2, hooks.stream().filter(l -> l.startsWith("start")).count(), hooks.toString());
        assertEquals(beforePartial, TestSupport.describe(app), "the files are as their newest backup, the safety backup");
        assertEquals(before, contents(), "the database holds every row it held, the one after its backup too");
        assertEquals("DB_HOST=127.0.0.1\nDB_PASSWORD=recover-me-2026\n", Files.readString(env),
                "the configuration is back, its sealed secret too");
        assertTrue(step(recovered, "restore-config").get("detail").asText().contains("platform-config: snapshot"),
                recovered.toString());
        assertEquals(200, http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + health + "/health")).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode(), "the service is healthy again");
        assertTrue(step(recovered, "validate-health").get("detail").asText().contains("platform healthy"));
        assertTrue(step(recovered, "validate-performance").get("detail").asText().contains("ms at backup"),
                recovered.toString());
        assertTrue(recovered.get("rtoSeconds").asDouble() > 0);
        for (JsonNode s : recovered.get("steps")) {
            assertTrue(s.get("duration").isNumber(), s.toString());
        }

        // a drill on demand (Admin only), and one on its schedule: into a sandbox, compared with the backup's
        // fingerprint, RTO over its target alerted
        assertEquals(403, lifeboat.post("/api/v1/recovery/drills", "", "Auditor").statusCode());
        TestSupport.Run now = cli("recover", "drill");
        assertEquals(0, now.exit(), now.toString());
        String onDemand = now.out().lines().findFirst().orElseThrow().split(" ")[1];
        assertEquals("completed", lifeboat.recovery(onDemand).get("status").asText());
        lifeboat.stop();
        writeConfig(health, "schedule: \"0/5 * * * * ?\", scope: full, rtoTarget: 1s, rpoTarget: 30d");
        lifeboat.start();
        JsonNode drill = awaitDrill(onDemand);
        assertEquals("completed", drill.get("status").asText(), drill.toString());
        assertTrue(drill.get("rtoSeconds").asDouble() > 1 && drill.get("rpoSeconds").isNumber(), drill.toString());
        assertEquals("skipped", step(drill, "stop-services").get("status").asText(), "a drill leaves the services alone");
        assertTrue(step(drill, "validate-data").get("detail").asText().contains("equal to the backup's fingerprint"),
                drill.toString());
        assertFalse(Files.exists(Path.of(drill.get("items").get(0).get("restoreTo").asText())), "the sandbox is removed");
        String alerts = Files.readString(work.resolve("alerts.log"));
        assertTrue(alerts.contains("\"kind\":\"rto-exceeded\"") && alerts.contains(drill.get("recoveryId").asText()),
                alerts);
        assertEquals(before, contents(), "the drill did not touch the live database");
        String metrics = lifeboat.metrics();
        assertTrue(metrics.lines().anyMatch(l -> l.startsWith("drill_status{") && l.contains("disaster")
                && l.endsWith(" 1.0")) && metrics.contains("drill_rto_seconds{") && metrics.contains("drill_rpo_seconds{"),
                metrics.lines().filter(l -> l.contains("drill")).toList().toString());
        TestSupport.Run drills = cli("recover", "drills");
        assertTrue(drills.out().contains(drill.get("recoveryId").asText()), drills.toString());
    }

    private void writeService(int port) throws Exception {
        Files.writeString(work.resolve("health.py"), """
                import http.server, os, sys
                root = sys.argv[2]
                class Health(http.server.BaseHTTPRequestHandler):
                    def do_GET(self):
                        ok = os.path.exists(os.path.join(root, 'ready.txt'))
                        self.send_response(200 if ok else 503)
                        self.end_headers()
                    def log_message(self, *args):
                        pass
                http.server.HTTPServer(('127.0.0.1', int(sys.argv[1])), Health).serve_forever()
                """);
        // start: held while the file "hold" exists (its pid in hook.pid), else the service in the background
        Files.writeString(work.resolve("start.sh"), """
                if [ -e %1$s/hold ]; then echo $$ > %1$s/hook.pid; echo "start $$" >> %1$s/hooks.log; exec sleep 600; fi
                echo "start $$" >> %1$s/hooks.log
                setsid python3 %1$s/health.py %2$d %1$s/platform/app > /dev/null 2>&1 < /dev/null &
                echo $! > %1$s/service.pid
                """.formatted(work, port));
        Files.writeString(work.resolve("stop.sh"), """
                [ -e %1$s/refuse-stop ] && { echo "platform refuses to stop" >&2; exit 1; }
                echo stop >> %1$s/hooks.log
                [ -f %1$s/service.pid ] && kill "$(cat %1$s/service.pid)" 2> /dev/null
                exit 0
                """.formatted(work));
        run("sh", work.resolve("start.sh").toString());
    }

    private void writeConfig(int health, String drills) throws Exception {
        Files.createDirectories(work.resolve("restores"));
        Files.writeString(work.resolve("config/lifeboat.yaml"), """
                repository: { path: %1$s/repository, passwordFile: %1$s/repository.password, create: true, compression: zstd:3 }
                catalog: { url: 'jdbc:h2:file:%1$s/catalog/lifeboat;AUTO_SERVER=TRUE' }
                files:
                  - { name: app, path: %1$s/platform/app, schedule: "0 0 3 1 1 ?", retention: 30d }
                configs:
                  - { name: platform-config, kind: system, paths: [%1$s/platform/etc], schedule: "0 0 3 1 1 ?" }
                configKey: { file: %1$s/config.key }
                databases:
                %2$s
                dropFolder: { enabled: false }
                recovery:
                  roots: [%1$s/restores]
                  healthTimeout: 60s
                  hookTimeout: 15m
                  services:
                    - name: platform
                      stop: { command: "sh %1$s/stop.sh" }
                      start: { command: "sh %1$s/start.sh" }
                      health: http://127.0.0.1:%3$d/health
                  performance:
                    - { name: sevenths, database: beCamera, dbname: counting, query: "SELECT count(*) FROM counts WHERE n %% 7 = 0" }
                  drills: { sandbox: %1$s/drills, %4$s }
                """.formatted(work, cluster.streamedDatabase(work), health, drills));
    }





    private static void assertRefused(HttpResponse<String> answer, int status, String says) {
        assertEquals(status, answer.statusCode(), answer.body());
        assertTrue(answer.body().contains(says), answer.body());
    }

    /** The backup run a trigger started, once it succeeded; its id. */
    private String awaitBackup(HttpResponse<String> trigger) throws Exception {
        JsonNode b = lifeboat.awaitBackup(trigger);
        assertEquals("success", b.get("status").asText(), Files.readString(lifeboat.log()));
        return b.get("id").asText();
    }

    /** The first scheduled drill to end: not the one named. */
    private JsonNode awaitDrill(String not) throws Exception {
        for (int i = 0; i < 1200; i++) {
            for (JsonNode d : JSON.readTree(lifeboat.get("/api/v1/recovery/drills", "Auditor").body()).get("drills")) {
                if (!"in_progress".equals(d.get("status").asText()) && !d.get("recoveryId").asText().equals(not)) {
                    return d;
                }
            }
            Thread.sleep(250);
        }
        throw new AssertionError("no drill ended: " + Files.readString(lifeboat.log()));
    }

    /** The WAL written so far is in the repository: the segment in use is switched from and stored. */
    private void awaitWalStored() throws Exception {
        String segment;
        try (Connection db = cluster.connect(); ResultSet rs = db.createStatement().executeQuery(
                "SELECT pg_walfile_name(pg_current_wal_lsn())")) {
            rs.next();
            segment = rs.getString(1);
        }
        try (Connection db = cluster.connect()) {
            db.createStatement().execute("SELECT pg_switch_wal()");
        }
        awaitLine(work.resolve("repository/logs/beCamera/" + segment), l -> true, true);
    }

    private void awaitLine(Path file, Predicate<String> line) throws Exception {
        awaitLine(file, line, false);
    }

    /** Waits for a line in a text file (or, binary, for the file). */
    private void awaitLine(Path file, Predicate<String> line, boolean binary) throws Exception {
        for (int i = 0; i < 1200; i++) {
            if (Files.exists(file) && (binary || Files.readAllLines(file).stream().anyMatch(line))) {
                return;
            }
            Thread.sleep(250);
        }
        throw new AssertionError("no such line in " + file + ": " + Files.readString(lifeboat.log()));
    }

    private Connection counting() throws Exception {
        return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + cluster.port + "/counting",
                "postgres", null);
    }

    private long rows() throws Exception {
        try (Connection db = counting(); ResultSet rs = db.createStatement().executeQuery("SELECT count(*) FROM counts")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** Every row of the table, in order, as one digest. */
    private String contents() throws Exception {
        try (Connection db = counting(); ResultSet rs = db.createStatement().executeQuery(
                "SELECT count(*) || ':' || md5(string_agg(n || camera, ',' ORDER BY n)) FROM counts")) {
            rs.next();
            return rs.getString(1);
        }
    }

    private TestSupport.Run cli(String... args) throws Exception {
        return lifeboat.cli("Admin", args);
    }

    private static void killRecorded(Path pidFile) throws Exception {
        if (pidFile != null && Files.exists(pidFile)) {
            ProcessHandle.of(Long.parseLong(Files.readString(pidFile).strip())).ifPresent(p -> {
                p.destroyForcibly();
                p.onExit().join();
            });
            Files.delete(pidFile);
        }
    }

    private static void run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), String.join(" ", command) + ": " + out);
    }
}
