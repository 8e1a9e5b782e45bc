package io.lifeboat.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad configuration stops start-up with the file, the source and the field named. */
class ConfigLoaderTest {
    @TempDir
    Path dir;

    @Test
    void theShippedConfigurationLoads() {
        LifeboatConfig c = ConfigLoader.load(Path.of("config"));
        assertEquals(4, c.files().size());
        assertEquals("0 3 * * *", c.files().get(0).schedule());
        assertEquals("90d", c.files().get(1).retention());
        assertEquals(5, c.configs().size());
        assertEquals(LifeboatConfig.ConfigSource.KINDS, c.configs().stream().skip(1).map(LifeboatConfig.ConfigSource::kind)
                .toList());
        assertEquals("0 6 * * *", c.configs().get(0).schedule(), "R3: daily at 06:00");
        assertEquals("90d", c.configs().get(0).retention());
        assertEquals(List.of("postgresql", "mariadb"), c.databases().stream().map(LifeboatConfig.Database::type).toList());
    }

    @Test
    void theShippedMariaDbEntryValidatesWhenEnabled() throws Exception {
        String shipped = Files.readString(Path.of("config/lifeboat.yaml"));
        String enabled = shipped.replace("enabled: false                 # enable once log_bin", "enabled: true # log_bin");
        assertTrue(!enabled.equals(shipped), "the shipped beAuth entry is there to enable");
        Files.writeString(dir.resolve("lifeboat.yaml"), enabled);
        LifeboatConfig.Database beAuth = ConfigLoader.load(dir).databases().get(1);
        assertTrue(beAuth.active() && beAuth.mysql() && !beAuth.logical() && beAuth.receivesWal(), beAuth.toString());
    }

    @Test
    void eachKindOfMistakeIsNamed() throws Exception {
        assertProblem("files:\n  - { name: app, path: " + dir + ", schedule: '0 2 * *', retention: 30d }\n",
                "files[app].schedule", "4 fields");
        assertProblem("files:\n  - { name: a, path: " + dir + ", schedule: '0 4 * * *', retention: 9 days }\n",
                "files[a].retention", "not a retention");
        assertProblem("files:\n  - { name: a, path: " + dir + ", schedule: '0 4 * * *', retention: 1d }\n"
                + "  - { name: a, path: " + dir + ", schedule: '0 5 * * *', retention: 1d }\n", "files[a].name", "duplicate");
        assertProblem("targets:\n  - { name: tape, path: 'ftp://vault/a' }\n", "targets[tape].path", "unsupported location");
        assertProblem("targets:\n  - { name: primary, path: /mnt/copy }\n", "targets[primary].name", "the repository itself");
        assertProblem("targets:\n  - { name: offsite }\n", "targets[offsite].path", "missing");
        assertProblem("targets:\n  - { name: vault, path: /mnt/vault, sources: [media] }\n", "targets[vault].sources",
                "media is no file, database or configuration source");
        assertProblem("repository: { whenUnreachable: wait }\n", "repository.whenUnreachable", "fail or next-target");
        assertProblem("targets:\n  - { name: vault, path: /mnt/vault }\nrecovery: { drills: { from: cold } }\n",
                "recovery.drills.from", "must name an enabled target (got cold)");
        assertProblem("recovery: { thawPoll: soon }\n", "recovery.thawPoll", "");
        assertProblem("recovery: { drills: { rtoTarget: 0s } }\n", "recovery.drills.rtoTarget", "longer than zero");
        assertProblem("recovery: { hookTimeout: PT0S }\n", "recovery.hookTimeout", "longer than zero");
        assertProblem("files:\n  - { name: a, path: " + dir + ", schedul: '0 4 * * *' }\n", "unknown field 'schedul'", "");
        assertProblem("repository: { compression: lz4 }\n", "repository.compression", "unknown compression");
        assertProblem("configs:\n  - { name: c, kind: secrets, paths: [" + dir + "] }\n", "configs[c].kind",
                "must be one of [system, infrastructure, security, network]");
        assertProblem("configs:\n  - { name: c, kind: network }\n", "configs[c]", "nothing to back up");
        assertProblem("configs:\n  - { name: c, kind: system, paths: [" + dir + "], kubectl: {} }\n",
                "configs[c].kubectl", "only a source of kind infrastructure");
        assertProblem("configs:\n  - { name: c, kind: network, commands: [ { name: rules } ] }\n",
                "configs[c].commands[rules].run", "missing");
        assertProblem("files:\n  - { name: c, path: " + dir + ", schedule: '0 4 * * *', retention: 1d }\n"
                + "configs:\n  - { name: c, kind: system, paths: [" + dir + "], schedule: '61 6 * * *' }\n",
                "configs[c].name", "duplicate");
        assertProblem("databases:\n  - { name: d, type: mariadb, method: snapshot }\n", "databases[d].method",
                "must be physical");
        assertProblem("databases:\n  - { name: d, type: postgresql, method: logical }\n", "databases[d].method",
                "only for type mysql or mariadb");
        assertProblem("databases:\n  - { name: d, type: mysql, wal: receive }\n", "databases[d].wal",
                "PostgreSQL only");
        assertProblem("databases:\n  - { name: d, type: oracle }\n", "databases[d].type", "must be postgresql, mysql");
    }

    @Test
    void aSourceWhosePathIsGoneStillLoadsSoThatTheServiceCanBringItBack() throws Exception {
        Files.writeString(dir.resolve("lifeboat.yaml"),
                "files:\n  - { name: media, path: /no/such/media, schedule: '0 4 * * *', retention: 90d }\n");
        assertEquals("/no/such/media", ConfigLoader.load(dir).files().get(0).path());
    }

    @Test
    void aDisabledSourceMayPointAtAPathThatDoesNotExistYet() throws Exception {
        Files.writeString(dir.resolve("lifeboat.yaml"),
                "files:\n  - { name: app, path: /app-not-here, schedule: '0 3 * * *', retention: 30d, enabled: false }\n");
        assertEquals(1, ConfigLoader.load(dir).files().size());
    }

    private void assertProblem(String yaml, String where, String what) throws Exception {
        Files.writeString(dir.resolve("lifeboat.yaml"), yaml);
        String message = assertThrows(ConfigException.class, () -> ConfigLoader.load(dir)).getMessage();
        assertTrue(message.contains(dir.resolve("lifeboat.yaml").toString()), message);
        assertTrue(message.contains(where) && message.contains(what), message);
    }
}
