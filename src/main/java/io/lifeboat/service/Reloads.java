package io.lifeboat.service;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last reload of every file an operator edits while the service runs (route files and
 * lifeboat.yaml): applied, or refused with the reason. Logged, counted in the metric
 * lifeboat_reloads_total{kind, result}, and listed by `bin/lifeboat routes` and GET /api/v1/routes.
 */
public final class Reloads {
    private static final Logger LOG = LoggerFactory.getLogger(Reloads.class);

    /** One file's last reload; time in ISO 8601. */
    public record Result(String file, String kind, String time, boolean applied, String message) {
    }

    private final Map<String, Result> last = new ConcurrentHashMap<>();
    private final Map<String, Long> refused = new ConcurrentHashMap<>();
    private final Supplier<MeterRegistry> registry;

    public Reloads(Supplier<MeterRegistry> registry) {
        this.registry = registry;
    }

    void applied(String kind, String file, String message) {
        LOG.info("{} {} reloaded: {}", kind, file, message);
        record(new Result(file, kind, Instant.now().toString(), true, message));
    }

    void refused(String kind, String file, String reason) {
        LOG.error("{} {} was not reloaded, the running version stays: {}", kind, file, reason);
        refused.merge(kind, 1L, Long::sum);
        record(new Result(file, kind, Instant.now().toString(), false, reason));
    }

    /** Loaded, but not all of it could start; what could not is in the log. */
    void failed(String kind, String file, String reason) {
        LOG.error("{} {}: {}", kind, file, reason);
        refused.merge(kind, 1L, Long::sum);
        record(new Result(file, kind, Instant.now().toString(), false, reason));
    }

    private void record(Result r) {
        last.put(r.file(), r);
        Counter.builder("lifeboat_reloads").description("edited route and configuration files, by outcome")
                .tags("kind", r.kind(), "result", r.applied() ? "applied" : "refused").register(registry.get())
                .increment();
    }

    /** The last reload of each file, newest first. */
    public List<Result> all() {
        return last.values().stream().sorted(Comparator.comparing((Result r) -> Instant.parse(r.time())).reversed())
                .toList();
    }

    /** How many reloads of this kind were refused since the service started. */
    public long refused(String kind) {
        return refused.getOrDefault(kind, 0L);
    }
}
