package io.lifeboat.catalog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lifeboat.security.Role;
import java.sql.DriverManager;
import java.util.UUID;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The catalog behaves the same on embedded H2 and on the machine's PostgreSQL server. */
class CatalogTest {

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgresql"})
    void runsAndTokensRoundTrip(String database) throws Exception {
        String schema = "catalog_test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        String url = database.equals("h2") ? "jdbc:h2:mem:" + schema + ";DB_CLOSE_DELAY=-1"
                : "jdbc:postgresql://127.0.0.1:5432/test?currentSchema=" + schema;
        if (database.equals("postgresql")) {
            try (var c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/test", "postgres", null)) {
                c.createStatement().execute("CREATE SCHEMA " + schema);
            }
        }
        try (Catalog catalog = Catalog.open(url, database.equals("h2") ? null : "postgres", null)) {
            String ok = catalog.startRun("app", "file", "30d");
            String bad = catalog.startRun("media", "file", "90d");
            assertEquals("in_progress", catalog.runs("file", null).get(0).status());
            catalog.finishRun(ok, "success", 1000L, 400L, 12L, "ab".repeat(32), null);
            catalog.finishRun(bad, "failed", null, null, 3L, null, "repository unreachable");
            var runs = catalog.runs("file", null);
            assertEquals(2, runs.size());
            Catalog.Run success = runs.stream().filter(r -> r.id().equals(ok)).findFirst().orElseThrow();
            assertEquals(1000L, success.sizeBytes());
            assertEquals("30d", success.retention());
            Catalog.Run failed = runs.stream().filter(r -> r.id().equals(bad)).findFirst().orElseThrow();
            assertEquals("repository unreachable", failed.error());
            assertEquals(null, failed.sizeBytes());
            assertTrue(catalog.runs("database", null).isEmpty());

            String token = catalog.createToken("ops", Role.SYSTEM);
            assertEquals(Role.SYSTEM, catalog.roleOf(token).orElseThrow());
            assertTrue(catalog.tokens().stream().noneMatch(t -> t.toString().contains(token)), "only the hash is kept");
            assertEquals(1, catalog.revokeToken("ops"));
            assertTrue(catalog.roleOf(token).isEmpty(), "revoked tokens no longer work");

            // two nodes share the catalog: one starting up fails its own unfinished runs, not the other's
            String mine = catalog.startRun("app", "file", "30d");
            String node = System.getProperty("lifeboat.node");
            System.setProperty("lifeboat.node", "other-node");
            try (Catalog other = Catalog.open(url, database.equals("h2") ? null : "postgres", null)) {
                String theirs = other.startRun("logs", "file", "30d");
                assertEquals(1, other.failUnfinishedRuns("interrupted"));
                assertEquals("in_progress", catalog.runs("file", null).stream().filter(r -> r.id().equals(mine))
                        .findFirst().orElseThrow().status());
                assertEquals("failed", catalog.runs("file", null).stream().filter(r -> r.id().equals(theirs))
                        .findFirst().orElseThrow().status());
            } finally {
                if (node == null) {
                    System.clearProperty("lifeboat.node");
                } else {
                    System.setProperty("lifeboat.node", node);
                }
            }
        } finally {
            if (database.equals("postgresql")) {
                try (var c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/test", "postgres", null)) {
                    c.createStatement().execute("DROP SCHEMA " + schema + " CASCADE");
                }
            }
        }
    }
}
