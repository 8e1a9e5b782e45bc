package io.lifeboat.security;

import io.lifeboat.maintenance.Export;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.jsse.KeyStoreParameters;

/**
 * Signs and checks the manifests of exports with a key pair from a PKCS12 keystore, through
 * camel-crypto's sign and verify endpoints: the signer needs the private key, a checker only the
 * certificate (a keystore holding it alone will do). EC keys sign with SHA256withECDSA, RSA keys
 * with SHA256withRSA.
 */
public final class ManifestSignatures implements Export.Signer, Export.Verifier, AutoCloseable {
    private static final String SIGNATURE_HEADER = "CamelDigitalSignature";
    private final CamelContext camel;
    private final ProducerTemplate producer;
    private final String sign;
    private final String verify;

    private ManifestSignatures(CamelContext camel, String sign, String verify) {
        this.camel = camel;
        this.producer = camel.createProducerTemplate();
        this.sign = sign;
        this.verify = verify;
    }

    /** The key pair (or certificate) under the alias of the keystore; IllegalArgumentException saying what is wrong. */
    public static ManifestSignatures open(Path keystore, String alias, String password) {
        String algorithm = algorithm(keystore, alias, password);
        KeyStoreParameters keys = new KeyStoreParameters();
        keys.setResource("file:" + keystore.toAbsolutePath());
        keys.setType("PKCS12");
        keys.setPassword(password);
        CamelContext camel = new DefaultCamelContext();
        camel.getRegistry().bind("exportKeys", keys);
        camel.start();
        String options = "?keyStoreParameters=#exportKeys&alias=" + alias + "&algorithm=" + algorithm;
        return new ManifestSignatures(camel, "crypto:sign:export" + options + "&password=RAW(" + password + ")",
                "crypto:verify:export" + options);
    }

    private static String algorithm(Path keystore, String alias, String password) {
        try (InputStream in = Files.newInputStream(keystore)) {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(in, password.toCharArray());
            Certificate certificate = store.getCertificate(alias);
            if (certificate == null) {
                throw new IllegalArgumentException(keystore + " holds no key or certificate named " + alias);
            }
            return switch (certificate.getPublicKey().getAlgorithm()) {
                case "EC" -> "SHA256withECDSA";
                case "RSA" -> "SHA256withRSA";
                default -> throw new IllegalArgumentException("the key " + alias + " of " + keystore + " is "
                        + certificate.getPublicKey().getAlgorithm() + "; use an EC or RSA key");
            };
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException("cannot read the keystore " + keystore + ": " + e.getMessage());
        }
    }

    @Override
    public String sign(byte[] manifest) throws IOException {
        Exchange signed = producer.request(sign, e -> e.getMessage().setBody(manifest));
        if (signed.getException() != null) {
            throw new IOException("signing the manifest failed: " + signed.getException().getMessage(),
                    signed.getException());
        }
        return signed.getMessage().getHeader(SIGNATURE_HEADER, String.class);
    }

    @Override
    public void verify(byte[] manifest, String signature) throws IOException {
        Exchange checked = producer.request(verify, e -> {
            e.getMessage().setBody(manifest);
            e.getMessage().setHeader(SIGNATURE_HEADER, signature);
        });
        if (checked.getException() != null) {
            throw new IOException(checked.getException().getMessage(), checked.getException());
        }
    }

    @Override
    public void close() {
        camel.stop();
    }
}
