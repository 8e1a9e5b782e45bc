package io.lifeboat.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lifeboat.catalog.Catalog;
import io.lifeboat.service.FileBackups;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.camel.Exchange;

/** The backup endpoints of R9, with exactly its shapes. */
public final class BackupApi {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(BackupApi.class);
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(com.fasterxml.jackson.core.JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
    private static final Set<String> TRIGGER_FIELDS = Set.of("type", "scope", "source");
    private static final Set<String> TYPES = Set.of("database", "file", "config");

    private final Catalog catalog;
    private final FileBackups fileBackups;
    private final io.lifeboat.service.DatabaseBackups databaseBackups;

    public BackupApi(Catalog catalog, FileBackups fileBackups, io.lifeboat.service.DatabaseBackups databaseBackups) {
        this.catalog = catalog;
        this.fileBackups = fileBackups;
        this.databaseBackups = databaseBackups;
    }

    /** GET /api/v1/backup/status?type=…&timeRange=… */
    public void status(Exchange exchange) throws Exception {
        Map<String, String> query = Authorizer.query(exchange);
        for (String name : query.keySet()) {
            if (!name.equals("type") && !name.equals("timeRange")) {
                throw new ApiException(400, "bad_request", "unknown parameter '" + clip(name) + "'; use type and timeRange");
            }
        }
        String type = query.get("type");
        if (type != null && !TYPES.contains(type) && !"wal".equals(type)) {
            throw new ApiException(400, "bad_request", "parameter 'type' must be database, wal, file or config");
        }
        Instant since = since(query.get("timeRange"));
        List<Catalog.Run> runs = catalog.runs(type, since);
        List<Map<String, Object>> backups = runs.stream().map(r -> {
            Map<String, Object> b = new LinkedHashMap<>();
            b.put("id", r.id());
            b.put("type", r.type());
            b.put("status", "partial".equals(r.status()) ? "success" : r.status());
            b.put("size", r.sizeBytes() == null ? 0 : r.sizeBytes());
            b.put("createdAt", r.startedAt().toString());
            b.put("retention", r.retention());
            return b;
        }).toList();
        long finished = runs.stream().filter(r -> !"in_progress".equals(r.status())).count();
        long succeeded = runs.stream().filter(r -> "success".equals(r.status()) || "partial".equals(r.status())).count();
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("totalBackups", runs.size());
        summary.put("successRate", finished == 0 ? null : (double) succeeded / finished);
        summary.put("totalSize", runs.stream().mapToLong(r -> r.sizeBytes() == null ? 0 : r.sizeBytes()).sum());
        summary.put("lastBackup", runs.stream().filter(r -> "success".equals(r.status()) || "partial".equals(r.status()))
                .map(r -> r.startedAt().toString()).findFirst().orElse(null));
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("backups", backups);
        answer.put("summary", summary);
        reply(exchange, 200, answer);
    }

    /** POST /api/v1/backup/trigger {type, scope?, source?} */
    public void trigger(Exchange exchange) throws Exception {
        String contentType = exchange.getMessage().getHeader(Exchange.CONTENT_TYPE, String.class);
        if (contentType == null || !contentType.toLowerCase(java.util.Locale.ROOT).startsWith("application/json")) {
            throw new ApiException(415, "unsupported_media_type", "header 'Content-Type' must be application/json");
        }
        String body = exchange.getMessage().getBody(String.class);
        JsonNode request;
        try {
            request = JSON.readTree(body == null ? "" : body);
        } catch (Exception e) {
            throw new ApiException(400, "bad_request", "the body is not JSON: " + e.getMessage().lines().findFirst().orElse(""));
        }
        if (request == null || !request.isObject()) {
            throw new ApiException(400, "bad_request", "the body must be a JSON object like {\"type\": \"file\"}");
        }
        for (java.util.Iterator<String> names = request.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!TRIGGER_FIELDS.contains(name)) {
                throw new ApiException(400, "bad_request", "unknown field '" + clip(name) + "'; fields are type, scope, source");
            }
        }
        JsonNode type = request.get("type");
        if (type == null || !type.isTextual() || !TYPES.contains(type.asText())) {
            throw new ApiException(400, "bad_request", "field 'type' must be database, file or config");
        }
        JsonNode scope = request.get("scope");
        if (scope != null && !(scope.isTextual() && Set.of("full", "incremental").contains(scope.asText()))) {
            throw new ApiException(400, "bad_request", "field 'scope' must be full or incremental");
        }
        JsonNode source = request.get("source");
        if (source != null && !source.isTextual()) {
            throw new ApiException(400, "bad_request", "field 'source' must be a source name");
        }
        String name = source == null ? null : source.asText();
        if ("database".equals(type.asText())) {
            List<String> databases = databaseBackups.sources();
            if (name == null && databases.size() != 1 || name != null && !databases.contains(name)) {
                throw new ApiException(400, "bad_request", "field 'source' must name one enabled database; configured: "
                        + databases);
            }
            String database = name == null ? databases.get(0) : name;
            try {
                String backupId = databaseBackups.start(database, scope == null ? "full" : scope.asText());
                reply(exchange, 202, Map.of("backupId", backupId, "status", "started"));
            } catch (IllegalStateException busy) {
                throw new ApiException(409, "conflict", busy.getMessage());
            }
            return;
        }
        if (!"file".equals(type.asText())) {
            throw new ApiException(409, "not_available", "type '" + type.asText() + "' backups are not configured yet");
        }
        if (name != null && !fileBackups.sources().contains(name)) {
            throw new ApiException(400, "bad_request", "field 'source': no file source named '" + clip(name)
                    + "'; configured: " + fileBackups.sources());
        }
        String backupId;
        try {
            backupId = fileBackups.start(name);
        } catch (IllegalStateException busy) {
            throw new ApiException(409, "conflict", busy.getMessage());
        }
        reply(exchange, 202, Map.of("backupId", backupId, "status", "started"));
    }

    /** Turns a failure into the JSON error the client sees. */
    public void error(Exchange exchange) throws Exception {
        Exception e = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        if (e instanceof ApiException a) {
            reply(exchange, a.status(), Map.of("error", a.error(), "message", a.getMessage()));
        } else {
            LOG.error("API request failed", e);
            reply(exchange, 500, Map.of("error", "internal", "message", "the request failed; see the service log"));
        }
    }

    private static Instant since(String timeRange) {
        if (timeRange == null || timeRange.isBlank()) {
            return null;
        }
        if (!timeRange.matches("\\d+[smhdSMHD]")) {
            throw new ApiException(400, "bad_request", "parameter 'timeRange' must be like 24h, 30m or 7d");
        }
        try {
            return Instant.now().minus(Duration.parse("P" + (timeRange.matches("\\d+[dD]") ? timeRange
                    : "T" + timeRange).toUpperCase()));
        } catch (RuntimeException e) {
            throw new ApiException(400, "bad_request", "parameter 'timeRange' must be like 24h, 30m or 7d");
        }
    }

    /** Keeps what a client sent out of an answer: it could hold 200 KiB or header injections. */
    private static String clip(String text) {
        return text.length() <= 64 ? text : text.substring(0, 64) + "...";
    }

    /** The response carries only its status, content type and body: request headers are not echoed. */
    private static void reply(Exchange exchange, int status, Object body) throws Exception {
        exchange.getMessage().getHeaders().clear();
        exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, status);
        exchange.getMessage().setHeader(Exchange.CONTENT_TYPE, "application/json");
        exchange.getMessage().setBody(JSON.writeValueAsString(body));
    }
}
