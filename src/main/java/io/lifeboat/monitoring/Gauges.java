package io.lifeboat.monitoring;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/** Gauges set from code, one per name and tags, registered on first use. */
final class Gauges {
    private final MeterRegistry registry;
    private final Map<String, AtomicLong> values = new ConcurrentHashMap<>();

    Gauges(MeterRegistry registry) {
        this.registry = registry;
    }

    /** A gauge that shows what it is set to. */
    AtomicLong plain(String name, Tags tags, String description) {
        return gauge(name, tags, description, 1);
    }

    /** A gauge set in thousandths of what it shows (fractions, milliseconds shown as seconds). */
    AtomicLong thousandths(String name, Tags tags, String description) {
        return gauge(name, tags, description, 1000);
    }

    private AtomicLong gauge(String name, Tags tags, String description, double divisor) {
        return values.computeIfAbsent(name + tags, k -> {
            AtomicLong value = new AtomicLong();
            Gauge.builder(name, value, v -> v.get() / divisor).description(description).tags(tags).register(registry);
            return value;
        });
    }
}
