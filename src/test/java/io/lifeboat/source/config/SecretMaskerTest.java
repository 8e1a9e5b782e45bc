package io.lifeboat.source.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lifeboat.crypto.MasterKey;
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
