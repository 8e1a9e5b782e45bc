package io.lifeboat.source.postgres;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lifeboat.catalog.Catalog;
import io.lifeboat.security.Role;
import io.lifeboat.service.LifeboatConfiguration;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.apache.camel.BeanInject;
import org.apache.camel.CamelContext;
import org.apache.camel.builder.NotifyBuilder;
import org.apache.camel.test.main.junit5.CamelMainTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** The service backs up a configured PostgreSQL database on its schedule and on request. */
@CamelMainTest(configurationClasses = LifeboatConfiguration.class, properties = {
    "lifeboat.config-dir=target/db-service-test/config",
    "lifeboat.routes-reload=false",
    "camel.server.port=8095",
    "camel.management.port=9895"})
class DatabaseServiceTest {
    private static final Path WORK = Path.of("target/db-service-test").toAbsolutePath();
    private static final ThrowawayCluster CLUSTER;

    static {
        try {
            io.lifeboat.TestSupport.deleteTree(WORK);
            Files.createDirectories(WORK.resolve("config"));
            Files.createDirectories(WORK.resolve("pg"));
            new ProcessBuilder("chown", "postgres", WORK.resolve("pg").toString()).start().waitFor();
            CLUSTER = ThrowawayCluster.create(WORK.resolve("pg/data"), "wal_level = replica\n");
            CLUSTER.start();
            Files.writeString(WORK.resolve("config/lifeboat.yaml"), """
                    repository: { path: %s/repository, passwordFile: %s/repository.password, create: true, compression: zstd }
                    catalog: { url: 'jdbc:h2:mem:db-service-test;DB_CLOSE_DELAY=-1' }
                    databases:
                      - name: beCamera
                        type: postgresql
                        host: 127.0.0.1
                        port: %d
                        user: postgres
                        full: { schedule: "0/3 * * * * ?", retention: 30d }
                        incremental: { schedule: "0 2 * * 1-6", retention: 7d }
                    dropFolder: { enabled: false }
                    """.formatted(WORK, WORK, CLUSTER.port));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @BeanInject
    CamelContext context;

    @AfterAll
    static void stopCluster() throws Exception {
        CLUSTER.close();
    }

    @Test
    void aScheduledFullBackupLandsInTheCatalogAndTheApi() throws Exception {
        NotifyBuilder done = new NotifyBuilder(context).fromRoute("database-full-beCamera").whenCompleted(1).create();
        assertTrue(done.matches(60, TimeUnit.SECONDS), "the full backup schedule fired");
        Catalog catalog = context.getRegistry().lookupByNameAndType("catalog", Catalog.class);
        Catalog.Run run = catalog.runs("database", null).stream().filter(r -> r.status().equals("success"))
                .findFirst().orElseThrow(() -> new AssertionError(catalog.runs("database", null).toString()));
        assertEquals("beCamera", run.source());
        assertTrue(run.sizeBytes() > 1 << 20 && run.snapshotId() != null, run.toString());
        HttpResponse<String> status = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
                "http://127.0.0.1:8095/api/v1/backup/status?type=database")).header("Authorization", "Bearer "
                + catalog.createToken("db-test", Role.AUDITOR)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, status.statusCode());
        assertTrue(status.body().contains("\"type\":\"database\"") && status.body().contains(run.id()), status.body());
    }

    @Test
    void anIncrementalWithoutArchivedWalFailsWithTheReason() throws Exception {
        Catalog catalog = context.getRegistry().lookupByNameAndType("catalog", Catalog.class);
        String admin = catalog.createToken("db-admin", Role.ADMIN);
        HttpResponse<String> started = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
                "http://127.0.0.1:8095/api/v1/backup/trigger")).header("Authorization", "Bearer " + admin)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"type\":\"database\",\"scope\":\"incremental\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
        if (started.statusCode() == 409) {
            Thread.sleep(3000);
            started = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
                    "http://127.0.0.1:8095/api/v1/backup/trigger")).header("Authorization", "Bearer " + admin)
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"type\":\"database\",\"scope\":\"incremental\"}"))
                    .build(), HttpResponse.BodyHandlers.ofString());
        }
        assertEquals(202, started.statusCode(), started.body());
        String id = io.lifeboat.repository.Repository.JSON.readTree(started.body()).get("backupId").asText();
        long deadline = System.currentTimeMillis() + 60_000;
        Catalog.Run run = null;
        while (System.currentTimeMillis() < deadline) {
            run = catalog.runs("database", null).stream().filter(r -> r.id().equals(id)).findFirst().orElseThrow();
            if (!run.status().equals("in_progress")) {
                break;
            }
            Thread.sleep(200);
        }
        assertEquals("failed", run.status());
        assertTrue(run.error().contains("needs its WAL archived"), run.error());
    }
}
