package io.lifeboat.source.config;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The X.509 certificates in a PEM text (a certificate, a chain, a bundle), with when each expires. */
public final class Certificates {
    private static final Pattern PEM = Pattern.compile(
            "-----BEGIN CERTIFICATE-----[\\s\\S]*?-----END CERTIFICATE-----");

    /** One certificate: who it names and when it stops being valid (ISO-8601). */
    public record Certificate(String subject, String notAfter) {
    }

    private Certificates() {
    }

    /** Those found; a block that does not parse is not a certificate and is passed over. */
    public static List<Certificate> in(byte[] content) {
        String text = new String(content, StandardCharsets.ISO_8859_1);
        List<Certificate> found = new ArrayList<>();
        Matcher m = PEM.matcher(text);
        while (m.find()) {
            try {
                X509Certificate c = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(
                        new ByteArrayInputStream(m.group().getBytes(StandardCharsets.ISO_8859_1)));
                found.add(new Certificate(c.getSubjectX500Principal().getName(), c.getNotAfter().toInstant().toString()));
            } catch (CertificateException | ClassCastException notOne) {
                // a damaged or foreign block: nothing to record
            }
        }
        return found;
    }
}
