package io.lifeboat.source.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lifeboat.crypto.MasterKey;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What counts as a secret in configuration text, and that masking it loses nothing. */
class SecretMaskerTest {
    private final MasterKey key = MasterKey.generate();
    private final SecretMasker masker = new SecretMasker(key);

    @Test
    void eachShapeOfSecretIsTakenOutAndPutBackExactly() {
        String text = """
                APP_PORT=8080
                DB_PASSWORD=hunter2-long
                export API_TOKEN="tok en with spaces"
                db:
                  host: db.internal
                  password: 'quoted-yaml'
                {"clientSecret": "json-secret", "name": "camera"}
                url: postgres://camera:url-pass@db:5432/counts
                aws: AKIAABCDEFGHIJKLMNOP
                -----BEGIN RSA PRIVATE KEY-----
                MIIBOgIBAAJBAKj34GkxFhD90vcNLYLInFEX6Ppy1tPf9Cnzj4p4WGeKLs1Pt8Qu
                -----END RSA PRIVATE KEY-----
                ---
                apiVersion: v1
                kind: Secret
                data:
                  cameradata: c2VjcmV0LWRhdGE=
                metadata:
                  name: camera-db
                """;
        SecretMasker.Masked masked = masker.mask(text);
        for (String secret : List.of("hunter2-long", "tok en with spaces", "quoted-yaml", "json-secret", "url-pass",
                "AKIAABCDEFGHIJKLMNOP", "MIIBOgIBAAJBAKj34GkxFhD90vcNLYLInFEX6Ppy1tPf9Cnzj4p4WGeKLs1Pt8Qu",
                "c2VjcmV0LWRhdGE=")) {
            assertFalse(masked.text().contains(secret), secret + " in\n" + masked.text());
        }
        for (String kept : List.of("APP_PORT=8080", "host: db.internal", "\"name\": \"camera\"", "postgres://camera:",
                "@db:5432/counts", "name: camera-db", "export API_TOKEN=\"{{lifeboat-secret:")) {
            assertTrue(masked.text().contains(kept), kept + " in\n" + masked.text());
        }
        assertEquals(8, masked.secrets().size(), masked.secrets().keySet().toString());
        assertEquals(text, SecretMasker.unmask(masked.text(), masked.secrets()));
    }

    @Test
    void theShapesOfComposeDockerSystemdFlagsUrlsAndKubernetesAreFound() {
        String text = """
                environment:
                  - POSTGRES_PASSWORD=compose-pass
                ENV API_KEY=docker-key
                Environment=DB_PASSWORD=unit-pass
                ExecStart=/usr/bin/api --db-password=flag-pass --port=8080
                conn: Server=db;User Id=camera;Password=conn-pass;Database=counts
                cache: redis://:redis-pass@cache:6379/0
                secret: "quoted-then-comment"  # rotated monthly
                containers:
                  - env:
                      - name: DB_PASSWORD
                        value: env-pass
                      - name: DB_HOST
                        value: db.internal
                tls_key: |
                  block-line-one
                  block-line-two
                after: kept
                ---
                kind: "Secret"
                stringData:
                  config.json: |
                    {"user": "camera", "pw": "inside-block"}
                  other: plain-looking-secret
                """.replace("\n", "\r\n");
        SecretMasker.Masked masked = masker.mask(text);
        for (String secret : List.of("compose-pass", "docker-key", "unit-pass", "flag-pass", "conn-pass", "redis-pass",
                "quoted-then-comment", "env-pass", "block-line-one", "block-line-two", "inside-block",
                "plain-looking-secret")) {
            assertFalse(masked.text().contains(secret), secret + " in\n" + masked.text());
        }
        for (String kept : List.of("--port=8080", "User Id=camera", "value: db.internal", "after: kept",
                "# rotated monthly", "@cache:6379/0")) {
            assertTrue(masked.text().contains(kept), kept + " in\n" + masked.text());
        }
        assertEquals(text, SecretMasker.unmask(masked.text(), masked.secrets()), "line endings kept, nothing lost");
        assertEquals("kubectl: error: Password=******** refused", SecretMasker.redact("kubectl: error: Password=x1 refused"));
    }

    @Test
    void quotesInsideValuesAndKeysAfterAStrayMarkerAreFoundToo() {
        String text = """
                {"user":"a","password":"s3cret'x"}
                "password": "ab\\"cd"
                Environment="A=1" "DB_PASSWORD=x9-unit"
                # the file must hold -----BEGIN PRIVATE KEY-----
                -----BEGIN RSA PRIVATE KEY-----
                MIIsecretbodyline
                -----END RSA PRIVATE KEY-----
                """;
        SecretMasker.Masked masked = masker.mask(text);
        for (String secret : List.of("s3cret", "cd\"", "x9-unit", "MIIsecretbodyline")) {
            assertFalse(masked.text().contains(secret), secret + " in\n" + masked.text());
        }
        assertEquals(text, SecretMasker.unmask(masked.text(), masked.secrets()));
    }

    @Test
    void textHoldingAPlaceholderOfItsOwnIsSealedWholeNotRefused() {
        String text = "password: {{lifeboat-secret:0123456789abcdef}}\n";
        ConfigSnapshots.Prepared prepared = ConfigSnapshots.prepare("system", List.of(new ConfigItem("/etc/app.yml",
                ConfigItem.FILE, text.getBytes(StandardCharsets.UTF_8), null, 0644, 0, 0, 0)), key);
        assertTrue(prepared.items().get(0).sealed());
        assertEquals(text, new String(ConfigSnapshots.plaintext(prepared.items().get(0), prepared.secrets(), key),
                StandardCharsets.UTF_8));
    }

    @Test
    void longLinesCostTheirLengthOnly() {
        String hex = "a1b2c3d4".repeat(40_000);
        String spaces = "password: a" + " ".repeat(100_000) + "\"";
        String keys = "-----BEGIN PRIVATE KEY-----\n".repeat(10_000);
        for (String text : List.of(hex, spaces, keys, "x".repeat(300_000) + "://y", " " + "eyJ-".repeat(100_000))) {
            SecretMasker.Masked masked = masker.mask(text);
            assertEquals(text, SecretMasker.unmask(masked.text(), masked.secrets()));
        }
    }

    @Test
    void theSameValueGivesTheSamePlaceholderAndAnotherKeyAnother() {
        String a = masker.mask("PASSWORD=one\n").text();
        assertEquals(a, masker.mask("PASSWORD=one\n").text());
        assertNotEquals(a, masker.mask("PASSWORD=two\n").text());
        assertNotEquals(a, new SecretMasker(MasterKey.generate()).mask("PASSWORD=one\n").text());
    }

    @Test
    void textWithoutSecretsIsLeftAsItIsAndAMissingValueIsRefused() {
        String plain = "cameras: 12\nzones: [north, south]\nPASSWORD=\n# password: see the vault\n";
        assertEquals(plain, masker.mask(plain).text());
        String masked = masker.mask("TOKEN=abc\n").text();
        assertThrows(IllegalStateException.class, () -> SecretMasker.unmask(masked, Map.of()));
    }
}
