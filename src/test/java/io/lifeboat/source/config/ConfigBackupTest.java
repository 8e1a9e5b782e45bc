package io.lifeboat.source.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lifeboat.ServedLifeboat;
import io.lifeboat.TestSupport;
import io.lifeboat.service.ServiceRuns;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Configuration backup as an operator meets it, through `serve` and the command line: a system
 * source with an .env holding a password, a security source with a certificate and its key, an
 * infrastructure source with manifests (a Secret among them) and kubectl without a context, a
 * network source with an nftables rules file and a command's output. Backed up, changed, diffed
 * and restored identically; the secrets never show in what Lifeboat prints, logs or keeps in the
 * clear; the security kind opens only with its own key and only for Admin.
 */
class ConfigBackupTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PASSWORD = "Sup3r-S3cret-Passw0rd";
    private static final String NEW_PASSWORD = "An0ther-S3cret-Passw0rd";
    private static final String SECRET_DATA = "c2VjcmV0LWNhbWVyYS1kYXRh";
    private static final String ENV_SECRET = "from-the-process-environment";
    private static final String PROCESS = "camapi-" + ProcessHandle.current().pid();
    private ServedLifeboat lifeboat;
    private Process platform;
    private Path work;

    @AfterEach
    void stop() throws Exception {
        if (platform != null) {
            platform.destroyForcibly().waitFor();
        }
        if (lifeboat != null) {
            lifeboat.close();
        }
        TestSupport.deleteTree(work);
    }

    @Test
    void configurationIsBackedUpDiffedAndRestoredWithItsSecretsSealed() throws Exception {
        work = Files.createTempDirectory("lifeboat-config");
        Path etc = work.resolve("etc");
        writePlatformConfiguration(etc);
        Map<String, String> original = pieces(etc);
        String privateKey = Files.readString(etc.resolve("tls/server.key"));
        String keyLine = privateKey.lines().skip(1).findFirst().orElseThrow();
        lifeboat = new ServedLifeboat(work);
        // a platform process whose environment holds a secret: a program of a name of its own
        Path program = work.resolve(PROCESS);
        Files.copy(Path.of("/bin/sleep"), program);
        ProcessBuilder running = new ProcessBuilder(program.toString(), "600");
        running.environment().put("CAMERA_API_SECRET", ENV_SECRET);
        platform = running.start();
        writeConfig(etc);
        lifeboat.start();

        // every source, through the config-backup route; kubectl without a context makes infra partial
        TestSupport.Run backup = lifeboat.cli("System", "config", "backup");
        assertEquals(0, backup.exit(), backup.toString());
        JsonNode status = JSON.readTree(lifeboat.get("/api/v1/backup/status?type=config", "Auditor").body());
        assertEquals(4, status.get("backups").size(), status.toString());
        status.get("backups").forEach(b -> assertEquals("success", b.get("status").asText(), b.toString()));
        JsonNode infra = list("infra").get("backups").get(0);
        assertEquals("partial", infra.get("status").asText());
        assertTrue(infra.get("skipped").get(0).get("message").asText().contains("kubectl"), infra.toString());
        assertTrue(infra.get("skipped").get(0).get("message").asText().contains("skipped"), infra.toString());
        JsonNode app = list("app").get("backups").get(0);
        assertEquals("success", app.get("status").asText());
        assertEquals(2, item(app, etc.resolve("app/.env")).get("secretsSealed").asInt(), app.toString());
        assertTrue(item(app, Path.of("/captured/environment/" + PROCESS + ".env")).get("secretsSealed").asInt() >= 1,
                app.toString());
        JsonNode tls = list("tls").get("backups").get(0);
        assertTrue(item(tls, etc.resolve("tls/server.key")).get("sealed").asBoolean(), tls.toString());
        assertEquals("CN=camera.local", item(tls, etc.resolve("tls/server.crt")).get("certificates").get(0)
                .get("subject").asText());
        assertEquals(1, item(list("infra").get("backups").get(0), etc.resolve("k8s/secret.yaml")).get("secretsSealed")
                .asInt());

        // a certificate that expires within 30 days: a metric and an alert
        String metrics = lifeboat.metrics();
        assertTrue(metrics.contains("certificate_expiry_timestamp_seconds{") && metrics.contains("server.crt"), metrics);
        ServiceRuns.awaitAlert(work.resolve("alerts.log"), l -> l.contains("certificate-expiring"));

        // the security kind needs its own key: the repository passphrase alone gives the sealed envelope
        String tlsSnapshot = tls.get("snapshot").asText();
        TestSupport.Run plain = TestSupport.cli("restore", "--repo", work.resolve("repository").toString(),
                "--password-file", work.resolve("repository.password").toString(), tlsSnapshot,
                "--target", work.resolve("plain").toString());
        assertEquals(0, plain.exit(), plain.toString());
        String sealed = Files.readString(work.resolve("plain").resolve(etc.resolve("tls/server.key").toString()
                .substring(1)));
        assertTrue(sealed.startsWith("lifeboat-sealed:v1:") && !sealed.contains(keyLine), sealed);

        // changes: a new password, a setting, the key deleted, a rule, a manifest
        Files.writeString(etc.resolve("app/.env"), Files.readString(etc.resolve("app/.env")).replace(PASSWORD,
                NEW_PASSWORD));
        Files.writeString(etc.resolve("app/settings.yml"), "cameras: 14\nzones: [north, south]\n");
        Files.delete(etc.resolve("tls/server.key"));
        Files.setPosixFilePermissions(etc.resolve("tls"), PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.delete(etc.resolve("app/conf.d"));
        Files.writeString(etc.resolve("nftables.conf"), Files.readString(etc.resolve("nftables.conf"))
                .replace("dport 443 accept", "dport 8443 accept"));
        Files.writeString(etc.resolve("k8s/deployment.yaml"), Files.readString(etc.resolve("k8s/deployment.yaml"))
                .replace("replicas: 2", "replicas: 5"));
        Map<String, String> changed = pieces(etc);

        // diff: backup against disk, and between two backups; a changed secret shows as a changed placeholder
        TestSupport.Run diff = lifeboat.cli("Auditor", "config", "diff", "--source", "app");
        assertEquals(0, diff.exit(), diff.toString());
        assertTrue(diff.out().contains("-cameras: 12") && diff.out().contains("+cameras: 14"), diff.out());
        List<String> placeholders = diff.out().lines().filter(l -> l.matches("[-+]DB_PASSWORD=\\{\\{lifeboat-secret:"
                + "[0-9a-f]{16}}}")).toList();
        assertEquals(2, placeholders.size(), diff.out());
        assertNotEquals(placeholders.get(0).substring(1), placeholders.get(1).substring(1));
        TestSupport.Run second = lifeboat.cli("System", "config", "backup", "--source", "app");
        assertEquals(0, second.exit(), second.toString());
        TestSupport.Run between = lifeboat.cli("Auditor", "config", "diff", "--source", "app", "--from",
                app.get("snapshot").asText().substring(0, 8), "--to", "latest");
        assertEquals(0, between.exit(), between.toString());
        assertTrue(between.out().contains("+zones: [north, south]"), between.out());
        TestSupport.Run tlsDiff = lifeboat.cli("Auditor", "config", "diff", "--source", "tls");
        assertTrue(tlsDiff.out().contains("removed: " + etc.resolve("tls/server.key")), tlsDiff.out());

        // refused: a restore by anyone but Admin (API and command line), and unconfirmed
        String restoreTls = "{\"source\": \"tls\"}";
        for (String role : List.of("System", "Auditor", "User")) {
            assertEquals(403, lifeboat.post("/api/v1/config/restore", restoreTls, role).statusCode(), role);
        }
        TestSupport.Run bySystem = lifeboat.cli("System", "config", "restore", "--source", "tls", "--yes");
        assertNotEquals(0, bySystem.exit());
        assertTrue(bySystem.err().contains("403") && bySystem.err().contains("may not recover"), bySystem.toString());
        TestSupport.Run unconfirmed = lifeboat.cli("Admin", "config", "restore", "--source", "app", "--backup-id",
                app.get("snapshot").asText());
        assertEquals(1, unconfirmed.exit(), unconfirmed.toString());
        assertTrue(unconfirmed.err().contains("not confirmed"), unconfirmed.toString());
        refused(lifeboat.post("/api/v1/config/restore", "{\"source\": \"app\", \"target\": \"/etc\"}",
                "Admin"), 400, "outside the allowed roots");
        refused(lifeboat.post("/api/v1/config/restore", "{\"source\": \"nope\"}", "Admin"), 400,
                "field 'source'");
        refused(lifeboat.post("/api/v1/config/restore", "{\"source\": null}", "Admin"), 400, "field 'source'");
        refused(lifeboat.post("/api/v1/config/restore", "{\"source\": \"app\", \"force\": true}", "Admin"), 400,
                "unknown field 'force'");
        refused(lifeboat.post("/api/v1/config/diff", "{\"source\": \"app\", \"from\": \"0123abcd\"}", "Auditor"), 404,
                "no snapshot");
        assertEquals(changed, pieces(etc), "a refused restore wrote nothing");

        // a wrong configuration key opens nothing, and writes nothing
        Path key = work.resolve("config.key");
        byte[] rightKey = Files.readAllBytes(key);
        Files.delete(key);
        Files.writeString(key, Base64.getEncoder().encodeToString(new byte[64]) + "\n");
        refused(lifeboat.post("/api/v1/config/restore", restoreTls, "Admin"), 422,
                "was sealed under the configuration key");
        Files.write(key, rightKey);
        assertEquals(changed, pieces(etc), "a wrong key wrote nothing");

        // restored identically, in place; what it replaced kept
        for (String source : List.of("app", "tls", "net", "infra")) {
            TestSupport.Run restored = lifeboat.cli("Admin", "config", "restore", "--source", source, "--backup-id",
                    source.equals("app") ? app.get("snapshot").asText() : "latest", "--yes");
            assertEquals(0, restored.exit(), restored.toString());
            if (source.equals("net")) {
                assertTrue(restored.out().contains("not applied in place") && restored.out().contains("ruleset.txt"),
                        restored.out());
            }
        }
        assertEquals(original, pieces(etc), "every piece as it was backed up, metadata included");
        assertEquals(privateKey, Files.readString(etc.resolve("tls/server.key")));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(etc.resolve("tls"))),
                "the key's directory is private again");
        assertTrue(Files.isDirectory(etc.resolve("app/conf.d")), "the empty directory is back");
        // what the restore replaced is a backup of its own, and puts it back
        JsonNode keptAs = list("app").get("backups");
        String before = keptAs.get(keptAs.size() - 1).get("snapshot").asText();
        TestSupport.Run undo = lifeboat.cli("Admin", "config", "restore", "--source", "app", "--backup-id", before,
                "--yes");
        assertEquals(0, undo.exit(), undo.toString());
        assertTrue(Files.readString(etc.resolve("app/.env")).contains(NEW_PASSWORD), "the replaced .env came back");
        TestSupport.Run again = lifeboat.cli("Admin", "config", "restore", "--source", "app", "--backup-id",
                app.get("snapshot").asText(), "--yes");
        assertEquals(0, again.exit(), again.toString());
        assertTrue(again.out().contains("kept as configuration backup"), again.out());

        // into a target: the command's output comes back too
        Path target = work.resolve("restores/net");
        TestSupport.Run into = lifeboat.cli("Admin", "config", "restore", "--source", "net", "--target",
                target.toString(), "--yes");
        assertEquals(0, into.exit(), into.toString());
        assertEquals(Files.readString(etc.resolve("nftables.conf")),
                Files.readString(target.resolve("captured/command/ruleset.txt")));

        // the secrets are nowhere in the clear: listings, diffs, API answers, the log, alerts, metrics, the catalog
        List<String> shown = new ArrayList<>(List.of(diff.out(), between.out(), tlsDiff.out(), lifeboat.metrics(),
                Files.readString(lifeboat.log()), Files.readString(work.resolve("alerts.log"))));
        for (String source : List.of("app", "tls", "net", "infra")) {
            shown.add(list(source).toString());
            shown.add(lifeboat.cli("Auditor", "config", "list", "--source", source).out());
            shown.add(lifeboat.post("/api/v1/config/diff", "{\"source\": \"" + source + "\", \"from\": \"now\"}",
                    "Auditor").body());
        }
        shown.add(lifeboat.get("/api/v1/backup/status?type=config", "Auditor").body());
        try (Stream<Path> catalog = Files.walk(work.resolve("catalog"))) {
            for (Path f : catalog.filter(Files::isRegularFile).toList()) {
                shown.add(new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1));
            }
        }
        for (String text : shown) {
            for (String secret : List.of(PASSWORD, NEW_PASSWORD, keyLine, SECRET_DATA, "tok-7f3a9c", ENV_SECRET)) {
                assertFalse(text.contains(secret), "a secret in the clear: " + secret);
            }
        }
    }

    private void writePlatformConfiguration(Path etc) throws Exception {
        Files.createDirectories(etc.resolve("app"));
        Files.writeString(etc.resolve("app/.env"), "APP_PORT=8080\nDB_PASSWORD=" + PASSWORD
                + "\nAPI_TOKEN=\"tok-7f3a9c\"\nDB_HOST=db.internal\n");
        Files.setPosixFilePermissions(etc.resolve("app/.env"), PosixFilePermissions.fromString("rw-r-----"));
        Files.writeString(etc.resolve("app/settings.yml"), "cameras: 12\n");
        Files.createSymbolicLink(etc.resolve("app/current.yml"), Path.of("settings.yml"));
        Files.createDirectories(etc.resolve("tls"));
        Process openssl = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "10",
                "-subj", "/CN=camera.local", "-keyout", etc.resolve("tls/server.key").toString(), "-out",
                etc.resolve("tls/server.crt").toString()).redirectErrorStream(true).start();
        String said = new String(openssl.getInputStream().readAllBytes());
        assertEquals(0, openssl.waitFor(), said);
        Files.setPosixFilePermissions(etc.resolve("tls/server.key"), PosixFilePermissions.fromString("rw-------"));
        Files.setPosixFilePermissions(etc.resolve("tls"), PosixFilePermissions.fromString("rwx------"));
        Files.createDirectories(etc.resolve("app/conf.d")); // empty, and needed: an include points at it
        Files.createDirectories(etc.resolve("k8s"));
        Files.writeString(etc.resolve("k8s/deployment.yaml"), """
                apiVersion: apps/v1
                kind: Deployment
                metadata: { name: camera-api, namespace: camera }
                spec:
                  replicas: 2
                  template:
                    spec:
                      containers: [ { name: api, image: "camera/api:4.2" } ]
                """);
        Files.writeString(etc.resolve("k8s/secret.yaml"), """
                apiVersion: v1
                kind: Secret
                metadata:
                  name: camera-db
                type: Opaque
                data:
                  cameradata: %s
                """.formatted(SECRET_DATA));
        Files.writeString(etc.resolve("nftables.conf"), """
                table inet filter {
                  chain input {
                    type filter hook input priority 0; policy drop;
                    tcp dport 443 accept
                  }
                }
                """);
    }

    private void writeConfig(Path etc) throws Exception {
        Files.writeString(work.resolve("config/lifeboat.yaml"), """
                repository: { path: %1$s/repository, passwordFile: %1$s/repository.password, create: true }
                catalog: { url: 'jdbc:h2:file:%1$s/catalog/lifeboat;AUTO_SERVER=TRUE' }
                configs:
                  - { name: app, kind: system, paths: [%2$s/app], processes: [%3$s], schedule: "0 0 3 1 1 ?" }
                  - { name: infra, kind: infrastructure, paths: [%2$s/k8s], kubectl: {}, schedule: "0 0 3 1 1 ?" }
                  - { name: tls, kind: security, paths: [%2$s/tls], schedule: "0 0 3 1 1 ?" }
                  - name: net
                    kind: network
                    paths: [%2$s/nftables.conf]
                    commands: [ { name: ruleset, run: "cat %2$s/nftables.conf" } ]
                    schedule: "0 0 3 1 1 ?"
                configKey: { file: %1$s/config.key }
                dropFolder: { enabled: false }
                recovery: { roots: [%1$s/restores] }
                """.formatted(work, etc, PROCESS));
    }

    private JsonNode list(String source) throws Exception {
        TestSupport.Run listed = lifeboat.cli("Auditor", "config", "list", "--source", source, "--json");
        assertEquals(0, listed.exit(), listed.toString());
        return JSON.readTree(listed.out());
    }

    private static JsonNode item(JsonNode backup, Path path) {
        for (JsonNode i : backup.get("items")) {
            if (i.get("path").asText().equals(path.toString())) {
                return i;
            }
        }
        throw new AssertionError(path + " not in " + backup);
    }

    /** Each file and link with its content and metadata (directories are not configuration pieces). */
    private static Map<String, String> pieces(Path root) throws IOException {
        Map<String, String> out = new TreeMap<>(TestSupport.describe(root));
        out.values().removeIf(d -> d.startsWith("mode=40"));
        return out;
    }

    private static void refused(HttpResponse<String> answer, int status, String says) {
        assertEquals(status, answer.statusCode(), answer.body());
        assertTrue(answer.body().contains(says), answer.body());
    }
}
