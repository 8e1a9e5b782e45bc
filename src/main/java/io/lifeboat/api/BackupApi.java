package io.lifeboat.api;

import com.fasterxml.jackson.annotation.JsonSetter;
import com.fasterxml.jackson.annotation.Nulls;
import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.lifeboat.catalog.Catalog;
import io.lifeboat.recovery.RecoveryRequestException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The backup endpoints of R9, with exactly its shapes. */
public final class BackupApi {
    private static final Logger LOG = LoggerFactory.getLogger(BackupApi.class);
    /**
     * How request bodies bind and answers are written (the REST binding finds it in the registry):
     * strict, so that a body with an unknown field, a second value for a field, anything after the
     * object, or a number or null where a name belongs is refused rather than half understood.
     */
    public static final ObjectMapper JSON = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
            .build();
    private static final Set<String> TYPES = Set.of("database", "file", "config");

    private final Catalog catalog;
    private final Authorizer authorizer;
    private final BackupTrigger triggers;

    public BackupApi(Catalog catalog, Authorizer authorizer, BackupTrigger triggers) {
        this.catalog = catalog;
        this.authorizer = authorizer;
        this.triggers = triggers;
    }

    /** GET /api/v1/backup/status?type=…&timeRange=… */
    public void status(Exchange exchange) {
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
        Map<String, List<String>> copies = catalog.copiesBySnapshot();
        List<Map<String, Object>> backups = runs.stream().map(r -> {
            Map<String, Object> b = new LinkedHashMap<>();
            b.put("id", r.id());
            b.put("type", r.type());
            b.put("status", "partial".equals(r.status()) ? "success" : r.status());
            if ("partial".equals(r.status())) {
                b.put("partial", true); // a snapshot with parts it could not read: still a success in R9's terms
            }
            b.put("size", r.sizeBytes() == null ? 0 : r.sizeBytes());
            b.put("createdAt", r.startedAt().toString());
            b.put("retention", r.retention());
            if (r.snapshotId() != null) {
                b.put("copies", copies.getOrDefault(r.snapshotId(), List.of()));
            }
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
        answer.put("targets", catalog.copyStates().stream().map(c -> {
            Map<String, Object> t = new LinkedHashMap<>();
            t.put("target", c.target());
            t.put("location", c.location());
            t.put("status", c.status());
            t.put("attemptedAt", c.attemptedAt().toString());
            t.put("checkedAt", c.checkedAt() == null ? null : c.checkedAt().toString());
            t.put("error", c.error());
            t.put("objectsSent", c.objectsSent());
            t.put("bytesSent", c.bytesSent());
            return t;
        }).toList());
        reply(exchange, 200, answer);
    }

    /**
     * The body of POST /api/v1/backup/trigger. A class, not a record: each field may be left out,
     * but one sent as null is refused, and a record cannot tell the two apart.
     */
    public static final class TriggerRequest {
        private String type;
        private String scope;
        private String source;

        public String type() {
            return type;
        }

        public String scope() {
            return scope;
        }

        public String source() {
            return source;
        }

        @JsonSetter(nulls = Nulls.FAIL)
        public void setType(String type) {
            this.type = type;
        }

        @JsonSetter(nulls = Nulls.FAIL)
        public void setScope(String scope) {
            this.scope = scope;
        }

        @JsonSetter(nulls = Nulls.FAIL)
        public void setSource(String source) {
            this.source = source;
        }
    }

    /** The answer to a trigger: the run's id, and that it started. */
    public record Started(String backupId, String status) {
    }

    /** Begins the runs a client asked for; the route then sends each on through its flow (the body is the runs). */
    public void trigger(Exchange exchange) {
        requireJson(exchange);
        TriggerRequest request = exchange.getMessage().getBody(TriggerRequest.class);
        if (request == null) {
            throw new ApiException(400, "bad_request", "the body must be a JSON object like {\"type\": \"file\"}");
        }
        if (request.type() == null || !TYPES.contains(request.type())) {
            throw new ApiException(400, "bad_request", "field 'type' must be database, file or config");
        }
        if (request.scope() != null && !Set.of("full", "incremental").contains(request.scope())) {
            throw new ApiException(400, "bad_request", "field 'scope' must be full or incremental");
        }
        String name = request.source();
        List<BackupTrigger.Run> runs = new ArrayList<>();
        List<String> sources = triggers.sources(request.type());
        try {
            if ("database".equals(request.type())) {
                if (name == null && sources.size() != 1 || name != null && !sources.contains(name)) {
                    throw new ApiException(400, "bad_request", "field 'source' must name one enabled database; "
                            + "configured: " + sources);
                }
                runs.add(triggers.begin("database", name == null ? sources.get(0) : name,
                        request.scope() == null ? "full" : request.scope()));
            } else {
                runs.addAll(startEach(request.type(), name, sources));
            }
        } catch (IllegalStateException busy) {
            throw new ApiException(409, "conflict", busy.getMessage());
        }
        exchange.getMessage().setBody(runs);
    }

    /** The named source of a kind, or every enabled one that is not running already. */
    private List<BackupTrigger.Run> startEach(String type, String name, List<String> sources) {
        String kind = "file".equals(type) ? "file" : "configuration";
        if (name != null && !sources.contains(name)) {
            throw new ApiException(400, "bad_request", "field 'source': no " + kind + " source named '" + clip(name)
                    + "'; configured: " + sources);
        }
        if (sources.isEmpty()) {
            throw new IllegalStateException("no " + kind + " source is enabled");
        }
        if (name != null) {
            return List.of(triggers.begin(type, name, null));
        }
        List<BackupTrigger.Run> runs = new ArrayList<>();
        for (String source : sources) {
            try {
                runs.add(triggers.begin(type, source, null));
            } catch (IllegalStateException busy) {
                LOG.info("{}; not started again", busy.getMessage());
            } catch (RuntimeException e) {
                runs.forEach(r -> triggers.abandon(r, "not started: " + e.getMessage()));
                throw e;
            }
        }
        if (runs.isEmpty()) {
            throw new IllegalStateException("every " + kind + " source is being backed up already");
        }
        return runs;
    }

    /** 202 with the id of the (first) run the route sent on. */
    @SuppressWarnings("unchecked")
    public void started(Exchange exchange) {
        List<BackupTrigger.Run> runs = exchange.getMessage().getBody(List.class);
        reply(exchange, 202, new Started(runs.get(0).getId(), "started"));
    }

    /**
     * A request body that did not bind to its record. The caller's rights and the content type
     * are judged first, as for a body that binds, so that nobody learns more than they may.
     */
    public void unreadableBody(Exchange exchange, String permission) {
        unreadableBody(exchange, authorizer, permission, TRIGGER_BODY);
    }

    /** What a request's body must look like, for saying what is wrong with one that does not bind. */
    record BodyShape(String fields, String example, Function<String, String> fieldMustBe) {
    }

    private static final BodyShape TRIGGER_BODY = new BodyShape("type, scope, source", "{\"type\": \"file\"}",
            field -> switch (field) {
                case "type" -> "field 'type' must be database, file or config";
                case "scope" -> "field 'scope' must be full or incremental";
                default -> "field 'source' must be a source name";
            });

    static void unreadableBody(Exchange exchange, Authorizer authorizer, String permission, BodyShape shape) {
        Exception e = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        exchange.removeProperty(Exchange.EXCEPTION_CAUGHT);
        try {
            authorizer.require(exchange, permission);
            requireJson(exchange);
            throw unreadable(e, shape);
        } catch (RuntimeException refused) {
            exchange.setProperty(Exchange.EXCEPTION_CAUGHT, refused);
            errorReply(exchange);
        }
    }

    private static ApiException unreadable(Throwable e, BodyShape shape) {
        while (e != null && !(e instanceof JacksonException)) {
            e = e.getCause();
        }
        if (e instanceof UnrecognizedPropertyException unknown) {
            return new ApiException(400, "bad_request", "unknown field '" + clip(unknown.getPropertyName())
                    + "'; fields are " + shape.fields());
        }
        if (e instanceof MismatchedInputException mismatch && !mismatch.getPath().isEmpty()) {
            return new ApiException(400, "bad_request", shape.fieldMustBe().apply(
                    String.valueOf(mismatch.getPath().get(0).getFieldName())));
        }
        if (e instanceof MismatchedInputException mismatch && !mismatch.getOriginalMessage().startsWith("Trailing token")) {
            return new ApiException(400, "bad_request", "the body must be a JSON object like " + shape.example());
        }
        String reason = e == null || e.getMessage() == null ? "" : e.getMessage().lines().findFirst().orElse("");
        return new ApiException(400, "bad_request", "the body is not JSON: " + reason);
    }

    /** The JSON body of a request that takes no query parameters; 400 or 415 saying what is wrong. */
    static <T> T body(Exchange exchange, Class<T> type, BodyShape shape) {
        if (!Authorizer.query(exchange).isEmpty()) {
            throw new ApiException(400, "bad_request", "this endpoint takes no parameters; the request goes in the body");
        }
        requireJson(exchange);
        T body = exchange.getMessage().getBody(type);
        if (body == null) {
            throw new ApiException(400, "bad_request", "the body must be a JSON object like " + shape.example());
        }
        return body;
    }

    static void requireJson(Exchange exchange) {
        String contentType = exchange.getMessage().getHeader(Exchange.CONTENT_TYPE, String.class);
        if (contentType == null || !contentType.toLowerCase(Locale.ROOT).startsWith("application/json")) {
            throw new ApiException(415, "unsupported_media_type", "header 'Content-Type' must be application/json");
        }
    }

    /** Turns a failure into the JSON error the client sees. */
    public void error(Exchange exchange) {
        errorReply(exchange);
    }

    static void errorReply(Exchange exchange) {
        Exception e = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        if (e instanceof RecoveryRequestException r) {
            e = RecoveryApi.refused(r); // from a recovery route the request went through
        }
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
    static String clip(String text) {
        return text.length() <= 64 ? text : text.substring(0, 64) + "...";
    }

    /**
     * The response carries only its status, content type and body: request headers are not echoed.
     * An answer is left to the REST binding to write; an error (which the binding passes by) is
     * written here.
     */
    static void reply(Exchange exchange, int status, Object body) {
        exchange.getMessage().getHeaders().clear();
        exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, status);
        exchange.getMessage().setHeader(Exchange.CONTENT_TYPE, "application/json");
        try {
            exchange.getMessage().setBody(status < 300 ? body : JSON.writeValueAsString(body));
        } catch (JacksonException e) {
            throw new IllegalStateException(e);
        }
    }
}
