package io.lifeboat.source.postgres;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lifeboat.ServiceLog;
import io.lifeboat.catalog.Catalog;
import io.lifeboat.security.Role;
import io.lifeboat.service.BackupRun;
import io.lifeboat.service.LifeboatConfiguration;
import io.lifeboat.service.ServiceRuns;
import io.lifeboat.source.DatabaseBackups;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.camel.BeanInject;
import org.apache.camel.CamelContext;
import org.apache.camel.builder.NotifyBuilder;
import org.apache.camel.test.main.junit5.CamelMainTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The service backs up a password-protected PostgreSQL database on its schedules and on request,
 * streams its WAL (wal: receive), checks the WAL chain on the log schedule, and turns every fault
 * — wrong credentials, pg_basebackup killed, the server stopped mid-backup, a WAL segment gone —
 * into a failed run with its reason and an alert, after which the next run succeeds. The password
 * never shows in the logs, the process list, the catalog or the alerts.
 */
@CamelMainTest(configurationClasses = LifeboatConfiguration.class, properties = {
    "lifeboat.config-dir=target/db-service-test/config",
    "lifeboat.routes-reload=false",
    "lifeboat.alerts-dir=target/db-service-test",
    "camel.server.port=8095",
    "camel.management.port=9895"})
class DatabaseServiceTest {
    private static final Path WORK = Path.of("target/db-service-test").toAbsolutePath();
    private static final String PASSWORD = System.getenv("LIFEBOAT_TEST_DB_PASSWORD");
    private static final Path PG;
    private static final ThrowawayCluster CLUSTER;
    private static final ServiceLog LOG = ServiceLog.capture();

    static {
        try {
            assertTrue(PASSWORD != null && PASSWORD.length() > 10, "surefire sets LIFEBOAT_TEST_DB_PASSWORD");
            io.lifeboat.TestSupport.deleteTree(WORK);
            Files.createDirectories(WORK.resolve("config"));
            // outside the checkout, which the postgres user may not be able to enter
            PG = Files.createTempDirectory("lifeboat-db-service");
            new ProcessBuilder("chown", "postgres", PG.toString()).start().waitFor();
            CLUSTER = ThrowawayCluster.create(PG.resolve("data"), "wal_level = replica\n");
            // the test itself connects as postgres without a password; Lifeboat as backup, with one
            Files.writeString(CLUSTER.dataDir.resolve("pg_hba.conf"), """
                    local all all trust
                    host all postgres 127.0.0.1/32 trust
                    host replication postgres 127.0.0.1/32 trust
                    host all backup 127.0.0.1/32 scram-sha-256
                    host replication backup 127.0.0.1/32 scram-sha-256
                    """);
            CLUSTER.start();
            try (Connection db = CLUSTER.connect()) {
                db.createStatement().execute("CREATE ROLE backup LOGIN REPLICATION SUPERUSER PASSWORD '" + PASSWORD + "'");
                db.createStatement().execute("CREATE DATABASE becamera");
            }
            Files.writeString(WORK.resolve("config/lifeboat.yaml"), """
                    repository: { path: %s/repository, passwordFile: %s/repository.password, create: true, compression: zstd }
                    catalog: { url: 'jdbc:h2:mem:db-service-test;DB_CLOSE_DELAY=-1' }
                    databases:
                      - name: beCamera
                        type: postgresql
                        host: 127.0.0.1
                        port: %d
                        user: backup
                        passwordEnv: LIFEBOAT_TEST_DB_PASSWORD
                        wal: receive
                        spool: %s/spool
                        dumps: [becamera]
                        full: { schedule: "0 0 3 1 1 ?", retention: 30d }
                        incremental: { schedule: "0 0 3 1 1 ?", retention: 7d }
                        log: { schedule: "0/2 * * * * ?", retention: 24h }
                    dropFolder: { enabled: false }
                    """.formatted(WORK, WORK, CLUSTER.port, WORK));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @BeanInject
    CamelContext context;

    @AfterAll
    static void stopCluster() throws Exception {
        CLUSTER.close();
        io.lifeboat.TestSupport.deleteTree(PG);
    }

    @Test
    void faultsAreFailedAlertedRunsAndTheNextRunSucceeds() throws Exception {
        Catalog catalog = context.getRegistry().lookupByNameAndType("catalog", Catalog.class);
        ServiceRuns runs = new ServiceRuns(catalog, 8095, "beCamera", WORK.resolve("alerts.log"));
        try (Connection db = CLUSTER.connect()) {
            db.createStatement().execute("CREATE TABLE frames AS SELECT g AS id, md5(g::text) || md5((g * 3)::text)"
                    + " AS digest FROM generate_series(1, 1500000) g");
            // settled, as most of a production database is (else the first scan rewrites every page's hint bits)
            db.createStatement().execute("VACUUM FREEZE frames");
        }
        Catalog.Run first = runs.trigger("database", "full");
        assertEquals("success", first.status(), first.toString());

        // wrong credentials
        setPassword("not-the-configured-one");
        Catalog.Run denied = runs.trigger("database", "full");
        runs.assertFailedAndAlerted(denied, "password authentication failed");
        setPassword(PASSWORD);
        assertEquals("success", runs.trigger("database", "full").status());

        // pg_basebackup killed while the server holds the rest of the backup
        Catalog.Run killed = whileHeld(runs, walSender -> {
            ServiceRuns.kill("-KILL", ServiceRuns.pidOf("pg_basebackup"));
            ServiceRuns.kill("-CONT", walSender);
        });
        runs.assertFailedAndAlerted(killed, "pg_basebackup of beCamera failed");
        assertEquals("success", runs.trigger("database", "full").status());

        // the server stopped in the middle of the backup (it kills the held sender itself)
        Catalog.Run stopped = whileHeld(runs, walSender -> ThrowawayCluster.asPostgres(
                PgTools.bin("pg_ctl").toString(), "-D", CLUSTER.dataDir.toString(), "-m", "immediate", "-w", "stop"));
        runs.assertFailedAndAlerted(stopped, "pg_basebackup of beCamera failed");
        CLUSTER.start();
        Catalog.Run afterRestart = runs.trigger("database", "full");
        assertEquals("success", afterRestart.status(), afterRestart.toString());

        // an incremental over the streamed WAL stores a fraction of a full
        try (Connection db = CLUSTER.connect()) {
            db.createStatement().execute("UPDATE frames SET digest = 'changed' WHERE id % 100000 = 0");
        }
        Catalog.Run incremental = runs.trigger("database", "incremental");
        assertEquals("success", incremental.status(), incremental.toString());
        assertTrue(incremental.storedBytes() < afterRestart.sizeBytes() / 3, incremental + " vs " + afterRestart);

        // a WAL segment missing from the repository: the WAL check fails and alerts, until a full backup
        assertEquals("success", checkWal().getStatus(), "the chain is whole");
        Path logs = WORK.resolve("repository/logs/beCamera");
        List<String> before = awaitSegments(logs, 1);
        try (Connection db = CLUSTER.connect()) {
            for (int i = 0; i < 3; i++) {
                db.createStatement().execute("INSERT INTO frames VALUES (-" + i + ", 'switch'); SELECT pg_switch_wal()");
            }
        }
        List<String> added = new java.util.ArrayList<>(awaitSegments(logs, before.size() + 3));
        added.removeAll(before);
        String removed = added.get(0);
        Files.delete(logs.resolve(removed));
        BackupRun gap = checkWal();
        Catalog.Run gapRun = catalog.runs("wal", null).stream().filter(r -> r.id().equals(gap.getId()))
                .findFirst().orElseThrow();
        runs.assertFailedAndAlerted(gapRun, "WAL gap: " + removed);
        assertEquals("success", runs.trigger("database", "full").status());
        BackupRun afterFull = checkWal();
        assertEquals("success", afterFull.getStatus(), catalog.runs("wal", null).get(0).toString());

        // the log schedule runs the check by itself
        NotifyBuilder scheduled = new NotifyBuilder(context).fromRoute("database-log-beCamera").whenCompleted(1).create();
        assertTrue(scheduled.matches(30, TimeUnit.SECONDS), "the log schedule fired");

        // a logical dump came with each successful full backup
        io.lifeboat.repository.Repository repo = io.lifeboat.repository.Repository.open(
                io.lifeboat.storage.BlobStores.open(WORK.resolve("repository").toString()),
                Files.readAllLines(WORK.resolve("repository.password")).get(0).getBytes(StandardCharsets.UTF_8));
        List<String> kinds = repo.snapshots().stream().map(x -> DatabaseBackups.kind(x, "beCamera")).toList();
        assertEquals(5, kinds.stream().filter("full"::equals).count(), kinds.toString());
        assertEquals(5, kinds.stream().filter("dump"::equals).count(), kinds.toString());

        // the password is nowhere an operator or another user could read it
        LOG.assertNotContains(PASSWORD, "password authentication failed");
        assertFalse(Files.readString(WORK.resolve("alerts.log")).contains(PASSWORD), "password in an alert");
        assertTrue(catalog.runs(null, null).stream().noneMatch(r -> String.valueOf(r).contains(PASSWORD)),
                "password in the catalog");
        Set<String> seen = ServiceRuns.processes();
        assertTrue(seen.stream().anyMatch(a -> a.contains("pg_basebackup")), "the process list was watched");
        assertTrue(seen.stream().noneMatch(a -> a.contains(PASSWORD)), "password in a process listing");
        HttpResponse<String> status = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
                "http://127.0.0.1:8095/api/v1/backup/status?type=database")).header("Authorization", "Bearer "
                + catalog.createToken("db-test", Role.AUDITOR)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, status.statusCode());
        assertTrue(status.body().contains(first.id()) && !status.body().contains(PASSWORD), status.body());
    }

    /** A WAL check now, through the route the log schedule uses (which may be running one right now). */
    private BackupRun checkWal() throws Exception {
        while (true) {
            Object run = context.createProducerTemplate().requestBodyAndHeader("direct:database-wal-check", null,
                    "source", "beCamera");
            if (run instanceof BackupRun checked) {
                return checked;
            }
            Thread.sleep(200); // skipped: the scheduled check was running
        }
    }

    /**
     * A full backup held where it cannot end by itself: the server process sending the base backup
     * is stopped while the backup is still in its progress view, so neither the rest of the data
     * nor the end of the command can reach pg_basebackup.
     */
    private static Catalog.Run whileHeld(ServiceRuns runs, ServiceRuns.Fault fault) throws Exception {
        try (Connection db = CLUSTER.connect()) {
            return runs.whileHeld("database", "full", () -> baseBackupSender(db), fault);
        }
    }

    /** The pid of the server process sending a base backup, or null when none is in progress. */
    private static String baseBackupSender(Connection db) throws Exception {
        try (var rs = db.createStatement().executeQuery("SELECT pid FROM pg_stat_progress_basebackup")) {
            return rs.next() ? rs.getString(1) : null;
        }
    }

    private static void setPassword(String password) throws Exception {
        try (Connection db = CLUSTER.connect()) {
            db.createStatement().execute("ALTER ROLE backup PASSWORD '" + password + "'");
        }
    }

    private static List<String> awaitSegments(Path logs, int atLeast) throws Exception {
        long deadline = System.currentTimeMillis() + 30_000;
        while (true) {
            List<String> names;
            try (Stream<Path> files = Files.list(logs)) {
                names = files.map(p -> p.getFileName().toString()).filter(n -> n.matches("[0-9A-F]{24}")).sorted()
                        .toList();
            }
            if (names.size() >= atLeast || System.currentTimeMillis() > deadline) {
                return names;
            }
            Thread.sleep(200);
        }
    }
}
