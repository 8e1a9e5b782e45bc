package io.lifeboat.monitoring;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Raises alerts (R8: backup failure, RPO exceeded): each is one JSON line handed to the
 * alerts route (routes/alerts.camel.yaml), which operators point wherever they are paged. When
 * the route cannot take it, the alert still reaches the log at ERROR.
 */
public final class Alerts {
    private static final Logger LOG = LoggerFactory.getLogger(Alerts.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Consumer<String> route;

    public Alerts(Consumer<String> route) {
        this.route = route;
    }

    public void raise(String kind, String source, String type, String reason) {
        Map<String, Object> alert = new LinkedHashMap<>();
        alert.put("time", Instant.now().toString());
        alert.put("kind", kind);
        alert.put("source", source);
        alert.put("type", type);
        alert.put("reason", reason);
        String line;
        try {
            line = JSON.writeValueAsString(alert);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        try {
            route.accept(line);
        } catch (RuntimeException e) {
            LOG.error("alert not delivered ({}): {}", e.getMessage(), line);
        }
    }
}
