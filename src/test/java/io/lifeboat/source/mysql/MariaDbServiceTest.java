package io.lifeboat.source.mysql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.lifeboat.ServiceLog;
import io.lifeboat.TestSupport;
import io.lifeboat.catalog.Catalog;
import io.lifeboat.repository.Repository;
import io.lifeboat.security.Role;
import io.lifeboat.service.BackupRun;
import io.lifeboat.service.LifeboatConfiguration;
import io.lifeboat.service.ServiceRuns;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.camel.BeanInject;
import org.apache.camel.CamelContext;
import org.apache.camel.test.main.junit5.CamelMainTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The service backs up a password-protected MariaDB server from the shipped configuration's
 * `type: mariadb` entry (physical full and incremental, a dump with each full), streams its
 * binlogs, and turns every fault — wrong credentials, mariadb-backup killed, the binlog streamer
 * killed, a binlog purged before it was streamed — into a failed, alerted run with its reason, after
 * which the next run succeeds; drills complete while the server writes and rotates its binlog. The
 * password is in no log, alert, catalog row or process listing.
 */
@CamelMainTest(configurationClasses = LifeboatConfiguration.class, properties = {
    "lifeboat.config-dir=target/mariadb-service-test/config",
    "lifeboat.routes-reload=false",
    "lifeboat.alerts-dir=target/mariadb-service-test",
    "camel.server.port=8093",
    "camel.management.port=9893"})
class MariaDbServiceTest {
    private static final Path WORK = Path.of("target/mariadb-service-test").toAbsolutePath();
    private static final String PASSWORD = System.getenv("LIFEBOAT_TEST_DB_PASSWORD");
    private static final ServiceLog LOG = ServiceLog.capture();
    private static final ThrowawayMariaDb DB;

    static {
        try {
            TestSupport.deleteTree(WORK);
            Files.createDirectories(WORK.resolve("config"));
            DB = ThrowawayMariaDb.start(PASSWORD);
            DB.sql("CREATE DATABASE beAuth; CREATE TABLE beAuth.sessions (id BIGINT PRIMARY KEY, token CHAR(64), "
                    + "seen DATETIME(6), KEY by_seen (seen)); INSERT INTO beAuth.sessions SELECT seq, SHA2(seq, 256),"
                    + " NOW(6) FROM beAuth.seq_1_to_300000");
            // the shipped entry, pointed at this server: what an operator enables
            YAMLMapper yaml = new YAMLMapper();
            JsonNode shipped = yaml.readTree(Path.of("config/lifeboat.yaml").toFile());
            ObjectNode beAuth = null;
            for (JsonNode d : shipped.get("databases")) {
                if ("beAuth".equals(d.get("name").asText())) {
                    beAuth = (ObjectNode) d.deepCopy();
                }
            }
            assertEquals("mariadb", beAuth.get("type").asText(), "the shipped configuration has a MariaDB database");
            beAuth.put("enabled", true).put("port", DB.port).put("user", "backup")
                    .put("passwordEnv", "LIFEBOAT_TEST_DB_PASSWORD").put("spool", WORK.resolve("spool").toString());
            beAuth.putObject("full").put("schedule", "0 0 3 1 1 ?").put("retention", "30d");
            beAuth.putObject("incremental").put("schedule", "0 0 3 1 1 ?").put("retention", "7d");
            beAuth.putObject("log").put("schedule", "0 0 3 1 1 ?").put("retention", "24h");
            ObjectNode config = yaml.createObjectNode();
            config.putObject("repository").put("path", WORK.resolve("repository").toString())
                    .put("passwordFile", WORK.resolve("repository.password").toString()).put("create", true)
                    .put("compression", "zstd");
            config.putObject("catalog").put("url", "jdbc:h2:mem:mariadb-service-test;DB_CLOSE_DELAY=-1");
            ((ArrayNode) config.putArray("databases")).add(beAuth);
            config.putArray("targets").addObject().put("name", "copy").put("path", WORK.resolve("copy").toString());
            config.putObject("dropFolder").put("enabled", false);
            // the sandbox below the server's directory: the restored server's user (mysql) must reach it
            config.putObject("recovery").putObject("drills").put("sandbox", DB.dir.resolve("drills").toString())
                    .put("scope", "component").put("component", "beAuth").put("schedule", "0 0 3 1 1 ?");
            yaml.writeValue(WORK.resolve("config/lifeboat.yaml").toFile(), config);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @BeanInject
    CamelContext context;

    @AfterAll
    static void stopServer() throws Exception {
        DB.close();
    }

    @Test
    void faultsAreFailedAlertedRunsAndTheNextRunSucceeds() throws Exception {
        Catalog catalog = context.getRegistry().lookupByNameAndType("catalog", Catalog.class);
        ServiceRuns runs = new ServiceRuns(catalog, 8093, "beAuth", WORK.resolve("alerts.log"));
        Catalog.Run first = runs.trigger("database", "full");
        assertEquals("success", first.status(), first.toString());
        assertTrue(first.storedBytes() > 0, first.toString());

        // wrong credentials
        setPassword("not-the-configured-one");
        runs.assertFailedAndAlerted(runs.trigger("database", "full"), "Access denied");
        setPassword(PASSWORD);
        assertEquals("success", runs.trigger("database", "full").status());

        // mariadb-backup killed while it is held in the middle of the copy
        Catalog.Run killed = runs.whileHeld("database", "full", () -> ours("mariadb-backup"),
                pid -> ServiceRuns.kill("-KILL", pid));
        runs.assertFailedAndAlerted(killed, "mariadb-backup of beAuth failed (killed by signal 9)");
        Catalog.Run afterKill = runs.trigger("database", "full");
        assertEquals("success", afterKill.status(), afterKill.toString());

        // an incremental stores a fraction of a full
        DB.sql("UPDATE beAuth.sessions SET seen = NOW(6) WHERE id % 10000 = 0");
        Catalog.Run incremental = runs.trigger("database", "incremental");
        assertEquals("success", incremental.status(), incremental.toString());
        assertTrue(incremental.storedBytes() < afterKill.sizeBytes() / 3, incremental + " vs " + afterKill);

        // the binlog streamer killed: the next check says so, the one after is clean again
        assertEquals("success", awaitCheck().getStatus());
        String streamerPid = streamer();
        ServiceRuns.kill("-KILL", streamerPid);
        awaitRestarted(streamerPid);
        BackupRun stopped = checkLog();
        runs.assertFailedAndAlerted(runs.run("wal", stopped.getId()), "mariadb-binlog ended (killed by signal 9)");
        assertEquals("success", awaitCheck().getStatus());

        // a binlog purged before it was streamed: the streamer is kept out (wrong password) while the
        // server writes, rotates twice and purges; the check names the lost file until a full covers it
        String lost = DB.sql("SHOW MASTER STATUS").split("\t")[0];
        String lostNext = Binlogs.name(lost, Binlogs.number(lost) + 1);
        setPassword("keep-the-streamer-out");
        String held = streamer();
        ServiceRuns.kill("-KILL", held);
        awaitGone(held);
        endDumpThreads();
        DB.sql("INSERT INTO beAuth.sessions VALUES (0, 'lost', NOW(6)); FLUSH BINARY LOGS;"
                + " INSERT INTO beAuth.sessions VALUES (-1, 'lost', NOW(6)); FLUSH BINARY LOGS");
        purgeAllBut(DB.sql("SHOW MASTER STATUS").split("\t")[0]);
        setPassword(PASSWORD);
        // purged before it reached the repository, or (once the streamer is back) a gap: either names it
        BackupRun purged = checkLog();
        runs.assertFailedAndAlerted(runs.run("wal", purged.getId()), lostNext);
        // the file being written when the streamer was kept out is only partly stored: its end is lost too
        BackupRun gap = awaitCheckSaying("binlog gap: " + lost + " .. " + lostNext);
        assertEquals("failed", gap.getStatus());
        assertEquals("success", runs.trigger("database", "full").status());
        assertEquals("success", awaitCheck().getStatus(), catalog.runs("wal", null).get(0).toString());

        // a drill restores the chain and replays the binlogs into its sandbox, and checks it
        String admin = catalog.createToken("drill-admin", Role.ADMIN);
        JsonNode drill = drill(admin);
        assertEquals("completed", drill.get("status").asText(), drill.toString());
        long sessions = Long.parseLong(DB.sql("SELECT COUNT(*) FROM beAuth.sessions"));
        assertTrue(drill.toString().contains("mariadb-check: every table OK") && drill.toString().contains(
                sessions + " rows"), drill.toString());

        // drills one after another while the server writes and rotates its binlog, which the service
        // streams meanwhile (the newest file a partial that grows under the drill): every one completes
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong batches = new AtomicLong();
        CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
            try {
                for (int i = 0; i < 2000 && !stop.get(); i++) {
                    DB.sql("INSERT INTO beAuth.sessions SELECT " + (1_000_000 + i * 1000) + " + seq, SHA2(seq, 256), "
                            + "NOW(6) FROM beAuth.seq_1_to_500" + (i % 3 == 2 ? "; FLUSH BINARY LOGS" : ""));
                    batches.incrementAndGet();
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        try {
            for (int i = 0; i < 3; i++) {
                long until = batches.get() + 4;
                while (batches.get() < until) {
                    assertFalse(writer.isDone(), "the writer stopped: " + writer);
                    Thread.sleep(50);
                }
                JsonNode streaming = drill(admin);
                assertEquals("completed", streaming.get("status").asText(), "drill " + i + " while streaming: " + streaming);
            }
        } finally {
            stop.set(true);
            writer.join();
        }

        // a dump came with each successful full
        TestSupport.Run list = TestSupport.cli("db", "list", "--repo", WORK.resolve("repository").toString(),
                "--password-file", WORK.resolve("repository.password").toString(), "--source", "beAuth", "--json");
        JsonNode backups = Repository.JSON.readTree(list.out()).get("backups");
        long fulls = 0;
        long dumps = 0;
        for (JsonNode b : backups) {
            fulls += "full".equals(b.get("kind").asText()) ? 1 : 0;
            dumps += "dump".equals(b.get("kind").asText()) ? 1 : 0;
        }
        assertEquals(4, fulls, list.out());
        assertEquals(4, dumps, list.out());

        // the repository lost: a drill restores from the copy each backup and binlog went to, and says so
        String current = DB.sql("SHOW MASTER STATUS").split("\\s+")[0];
        DB.sql("FLUSH BINARY LOGS");
        long deadline = System.currentTimeMillis() + 60_000;
        while (!Files.exists(WORK.resolve("repository/logs/beAuth/" + current))) {
            assertTrue(System.currentTimeMillis() < deadline, current + " was not stored complete");
            Thread.sleep(100);
        }
        assertEquals("success", awaitCheck().getStatus()); // its copy step carries the binlog to the copy
        long rows = Long.parseLong(DB.sql("SELECT COUNT(*) FROM beAuth.sessions"));
        Files.move(WORK.resolve("repository"), WORK.resolve("repository.lost"));
        JsonNode copied = drill(admin);
        assertEquals("completed", copied.get("status").asText(), copied.toString());
        assertTrue(copied.toString().contains("read from the copy " + WORK.resolve("copy"))
                && copied.toString().contains("mariadb-check: every table OK")
                && copied.toString().contains(rows + " rows"), copied.toString());

        // the password is nowhere an operator or another user could read it
        LOG.assertNotContains(PASSWORD, "Access denied");
        assertFalse(Files.readString(WORK.resolve("alerts.log")).contains(PASSWORD), "password in an alert");
        assertTrue(catalog.runs(null, null).stream().noneMatch(r -> String.valueOf(r).contains(PASSWORD)),
                "password in the catalog");
        Set<String> seen = ServiceRuns.processes();
        assertTrue(seen.stream().anyMatch(l -> l.contains("mariadb-backup")) && seen.stream().anyMatch(
                l -> l.contains("mariadb-binlog")), "the process list was watched");
        assertTrue(seen.stream().noneMatch(l -> l.contains(PASSWORD)), "password in a process listing");
    }

    /** Starts a drill over the API and waits for its end. */
    private static JsonNode drill(String admin) throws Exception {
        HttpResponse<String> began = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
                "http://127.0.0.1:8093/api/v1/recovery/drills")).header("Authorization", "Bearer " + admin)
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(202, began.statusCode(), began.body());
        return awaitDrill(admin, Repository.JSON.readTree(began.body()).get("recoveryId").asText());
    }

    private static JsonNode awaitDrill(String token, String id) throws Exception {
        long deadline = System.currentTimeMillis() + 300_000;
        while (true) {
            HttpResponse<String> drills = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
                    "http://127.0.0.1:8093/api/v1/recovery/drills")).header("Authorization", "Bearer " + token).build(),
                    HttpResponse.BodyHandlers.ofString());
            for (JsonNode d : Repository.JSON.readTree(drills.body()).get("drills")) {
                if (d.get("recoveryId").asText().equals(id) && !"in_progress".equals(d.get("status").asText())) {
                    return d;
                }
            }
            assertTrue(System.currentTimeMillis() < deadline, "the drill did not end: " + drills.body());
            Thread.sleep(250);
        }
    }

    private static void setPassword(String password) throws Exception {
        DB.sql("ALTER USER backup@'127.0.0.1' IDENTIFIED BY '" + password + "'");
    }

    /** The one process of that program aimed at this test's server, else null. */
    private static String ours(String program) throws Exception {
        List<String> pids = ServiceRuns.pids(program + " .*--port=" + DB.port + " ");
        return pids.size() == 1 ? pids.get(0) : null;
    }

    /** The pid of this server's binlog streamer. */
    private static String streamer() throws Exception {
        long deadline = System.currentTimeMillis() + 60_000;
        while (true) {
            List<String> pids = ServiceRuns.pids("mariadb-binlog.*--port=" + DB.port + " ");
            if (pids.size() == 1) {
                return pids.get(0);
            }
            assertTrue(System.currentTimeMillis() < deadline, "no binlog streamer runs: " + pids);
            Thread.sleep(100);
        }
    }

    /** Until the streamer has seen its tool end and started another (its failure is then recorded). */
    private static void awaitRestarted(String oldPid) throws Exception {
        long deadline = System.currentTimeMillis() + 60_000;
        while (true) {
            List<String> pids = ServiceRuns.pids("mariadb-binlog.*--port=" + DB.port + " ");
            if (!pids.isEmpty() && !pids.contains(oldPid)) {
                return;
            }
            assertTrue(System.currentTimeMillis() < deadline, "the streamer was not started again");
            Thread.sleep(50);
        }
    }

    private static void awaitGone(String pid) throws Exception {
        long deadline = System.currentTimeMillis() + 60_000;
        while (ServiceRuns.pids("mariadb-binlog.*--port=" + DB.port + " ").contains(pid)) {
            assertTrue(System.currentTimeMillis() < deadline, "the streamer did not end");
            Thread.sleep(50);
        }
    }

    /**
     * The server's side of the killed streamer notices the lost client only when it next sends;
     * until then it holds its binlog open, and PURGE leaves that file alone. End it now.
     */
    private static void endDumpThreads() throws Exception {
        long deadline = System.currentTimeMillis() + 60_000;
        while (true) {
            String ids = DB.sql("SELECT ID FROM information_schema.PROCESSLIST WHERE COMMAND = 'Binlog Dump'");
            if (ids.isEmpty()) {
                return;
            }
            for (String id : ids.split("\n")) {
                DB.sql("KILL " + id.strip());
            }
            assertTrue(System.currentTimeMillis() < deadline, "binlog dump threads still running: " + ids);
            Thread.sleep(100);
        }
    }

    /** PURGE leaves a file the engines have not yet checkpointed past: ask until it is gone. */
    private static void purgeAllBut(String current) throws Exception {
        long deadline = System.currentTimeMillis() + 60_000;
        while (!DB.sql("SHOW BINARY LOGS").split("\t")[0].equals(current)) {
            DB.sql("PURGE BINARY LOGS TO '" + current + "'");
            assertTrue(System.currentTimeMillis() < deadline, "the server keeps its binlogs: "
                    + DB.sql("SHOW BINARY LOGS"));
            Thread.sleep(100);
        }
    }

    private BackupRun checkLog() {
        return (BackupRun) context.createProducerTemplate().requestBodyAndHeader("direct:database-wal-check", null,
                "source", "beAuth");
    }

    /** Checks until one passes (the streamer catching up after a restart), failing after a minute. */
    private BackupRun awaitCheck() throws Exception {
        long deadline = System.currentTimeMillis() + 60_000;
        while (true) {
            BackupRun run = checkLog();
            if ("success".equals(run.getStatus()) || System.currentTimeMillis() > deadline) {
                return run;
            }
            Thread.sleep(500);
        }
    }

    private BackupRun awaitCheckSaying(String problem) throws Exception {
        long deadline = System.currentTimeMillis() + 60_000;
        while (true) {
            BackupRun run = checkLog();
            if (run.getError() != null && run.getError().contains(problem)) {
                return run;
            }
            assertTrue(System.currentTimeMillis() < deadline, "no check said " + problem + ": " + run.getError());
            Thread.sleep(500);
        }
    }
}
