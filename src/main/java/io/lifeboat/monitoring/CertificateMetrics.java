package io.lifeboat.monitoring;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.time.Instant;

/**
 * certificate_expiry_timestamp_seconds per configuration source, file and subject: when each
 * certificate a configuration backup holds stops being valid (alert on it minus time()).
 */
public final class CertificateMetrics {
    private final Gauges gauges;

    public CertificateMetrics(MeterRegistry registry) {
        this.gauges = new Gauges(registry);
    }

    public void expires(String source, String path, String subject, Instant notAfter) {
        gauges.plain("certificate_expiry_timestamp_seconds", Tags.of("source", source, "path", path, "subject", subject),
                "when a backed-up certificate expires").set(notAfter.getEpochSecond());
    }
}
