package io.lifeboat.api;

import com.fasterxml.jackson.annotation.JsonSetter;
import com.fasterxml.jackson.annotation.Nulls;
import io.lifeboat.recovery.Recoveries;
import io.lifeboat.recovery.Recovery;
import io.lifeboat.recovery.RecoveryRequestException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.camel.Exchange;

/** The recovery endpoints of R9 (initiate, status, with exactly its shapes), the plan of a recovery, and the drills. */
public final class RecoveryApi {
    private static final BackupApi.BodyShape INITIATE_BODY = new BackupApi.BodyShape(
            "type, backupId, target, paths, pointInTime", "{\"type\": \"disaster\", \"backupId\": \"latest\"}",
            field -> switch (field) {
                case "type" -> "field 'type' must be disaster, partial or component";
                case "paths" -> "field 'paths' must be a list of absolute paths";
                default -> "field '" + field + "' must be text";
            });

    /** The body of POST /api/v1/recovery/initiate (and /plan): each field may be left out, none sent as null. */
    public static final class InitiateRequest {
        private String type;
        private String backupId;
        private String target;
        private List<String> paths;
        private String pointInTime;

        @JsonSetter(nulls = Nulls.FAIL)
        public void setType(String type) {
            this.type = type;
        }

        @JsonSetter(nulls = Nulls.FAIL)
        public void setBackupId(String backupId) {
            this.backupId = backupId;
        }

        @JsonSetter(nulls = Nulls.FAIL)
        public void setTarget(String target) {
            this.target = target;
        }

        @JsonSetter(nulls = Nulls.FAIL, contentNulls = Nulls.FAIL)
        public void setPaths(List<String> paths) {
            this.paths = paths;
        }

        @JsonSetter(nulls = Nulls.FAIL)
        public void setPointInTime(String pointInTime) {
            this.pointInTime = pointInTime;
        }
    }

    private static final BackupApi.BodyShape RECOVERY_BODY = new BackupApi.BodyShape("recoveryId",
            "{\"recoveryId\": \"…\"}", field -> "field '" + field + "' must be text");

    /** The body of POST /api/v1/recovery/resume and /abort: which recovery. */
    public static final class RecoveryRef {
        private String recoveryId;

        @JsonSetter(nulls = Nulls.FAIL)
        public void setRecoveryId(String recoveryId) {
            this.recoveryId = recoveryId;
        }
    }

    /** The answer to initiate: the recovery's id, and that it started. */
    public record Started(String recoveryId, String status) {
    }

    private final Recoveries recoveries;
    private final Authorizer authorizer;

    public RecoveryApi(Recoveries recoveries, Authorizer authorizer) {
        this.recoveries = recoveries;
        this.authorizer = authorizer;
    }

    /** Checks the request and plans the recovery (nothing is touched yet); the route then runs it (the body). */
    public void initiate(Exchange exchange) throws IOException {
        InitiateRequest q = BackupApi.body(exchange, InitiateRequest.class, INITIATE_BODY);
        try {
            exchange.getMessage().setBody(recoveries.initiate(q.type, q.backupId, q.target, q.paths, q.pointInTime));
        } catch (RecoveryRequestException e) {
            throw refused(e);
        }
    }

    /** POST /api/v1/recovery/drills: a drill now, through the route recovery-drill; it takes no parameters. */
    public void drillRequest(Exchange exchange) {
        if (!Authorizer.query(exchange).isEmpty()) {
            throw new ApiException(400, "bad_request", "this endpoint takes no parameters");
        }
    }

    /** POST /api/v1/recovery/resume: a failed recovery goes on from its failed step; the route runs it. */
    public void resume(Exchange exchange) {
        String id = recoveryId(exchange);
        try {
            exchange.getMessage().setBody(recoveries.resume(id));
        } catch (RecoveryRequestException e) {
            throw refused(e);
        }
    }

    /**
     * POST /api/v1/recovery/abort: a failed recovery is put back now (200, with what was put back);
     * a running one stops before its next step and is put back then (202, status aborting).
     */
    public void abort(Exchange exchange) throws Exception {
        String id = recoveryId(exchange);
        Recovery r;
        try {
            r = recoveries.abort(id);
        } catch (RecoveryRequestException e) {
            throw refused(e);
        }
        if (Recovery.IN_PROGRESS.equals(r.status())) {
            BackupApi.reply(exchange, 202, new Started(r.getId(), "aborting"));
        } else {
            BackupApi.reply(exchange, 200, describe(r));
        }
    }

    private static String recoveryId(Exchange exchange) {
        RecoveryRef q = BackupApi.body(exchange, RecoveryRef.class, RECOVERY_BODY);
        if (q.recoveryId == null || q.recoveryId.isBlank()) {
            throw new ApiException(400, "bad_request", "field 'recoveryId' is missing");
        }
        return q.recoveryId;
    }

    public void started(Exchange exchange) {
        Recovery r = exchange.getMessage().getBody(Recovery.class);
        BackupApi.reply(exchange, 202, new Started(r.getId(), "started"));
    }

    /** POST /api/v1/recovery/plan: what initiate would do, step by step, with estimates; nothing is recorded. */
    public void plan(Exchange exchange) throws IOException {
        InitiateRequest q = BackupApi.body(exchange, InitiateRequest.class, INITIATE_BODY);
        Recovery r;
        try {
            r = recoveries.plan(q.type, q.backupId, q.target, q.paths, q.pointInTime);
        } catch (RecoveryRequestException e) {
            throw refused(e);
        }
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("type", r.getType());
        answer.put("point", r.point() == null ? "latest" : r.point().toString());
        answer.put("target", r.target());
        answer.put("items", items(r));
        List<Map<String, Object>> steps = new ArrayList<>();
        long total = 0;
        for (Recovery.Step s : r.steps()) {
            Map<String, Object> step = new LinkedHashMap<>();
            step.put("name", s.name());
            step.put("estimatedSeconds", r.estimateMs(s) / 1000.0);
            step.put("detail", s.detail());
            steps.add(step);
            total += r.estimateMs(s);
        }
        answer.put("steps", steps);
        answer.put("estimatedSeconds", total / 1000.0);
        BackupApi.reply(exchange, 200, answer);
    }

    /** GET /api/v1/recovery/status?recoveryId=… */
    public void status(Exchange exchange) {
        Map<String, String> query = Authorizer.query(exchange);
        for (String name : query.keySet()) {
            if (!name.equals("recoveryId")) {
                throw new ApiException(400, "bad_request", "unknown parameter '" + BackupApi.clip(name)
                        + "'; use recoveryId");
            }
        }
        String id = query.get("recoveryId");
        if (id == null || id.isBlank()) {
            throw new ApiException(400, "bad_request", "parameter 'recoveryId' is missing");
        }
        Recovery r = recoveries.load(id).orElseThrow(() -> new ApiException(404, "not_found", "no recovery '"
                + BackupApi.clip(id) + "'"));
        BackupApi.reply(exchange, 200, describe(r));
    }

    /** GET /api/v1/recovery/drills: every drill, newest first, with its RTO and RPO against their targets. */
    public void drills(Exchange exchange) {
        if (!Authorizer.query(exchange).isEmpty()) {
            throw new ApiException(400, "bad_request", "this endpoint takes no parameters");
        }
        BackupApi.reply(exchange, 200, Map.of("drills", recoveries.drills().stream().map(this::describe).toList()));
    }

    public void unreadableBody(Exchange exchange, String permission) {
        BackupApi.unreadableBody(exchange, authorizer, permission, INITIATE_BODY);
    }

    /** A body of resume or abort that does not bind: what is wrong, and what it should look like. */
    public void unreadableReference(Exchange exchange, String permission) {
        BackupApi.unreadableBody(exchange, authorizer, permission, RECOVERY_BODY);
    }

    private Map<String, Object> describe(Recovery r) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("recoveryId", r.getId());
        out.put("status", r.status());
        out.put("progress", r.progress());
        out.put("estimatedCompletion", r.estimatedCompletion().toString());
        List<Map<String, Object>> steps = new ArrayList<>();
        for (Recovery.Step s : r.steps()) {
            Map<String, Object> step = new LinkedHashMap<>();
            step.put("name", s.name());
            step.put("status", s.status());
            step.put("duration", s.durationMs() == null ? null : s.durationMs() / 1000.0);
            step.put("detail", s.detail());
            steps.add(step);
        }
        out.put("steps", steps);
        out.put("type", r.getType());
        out.put("drill", r.drill());
        out.put("startedAt", r.createdAt().toString());
        out.put("finishedAt", r.finishedAt() == null ? null : r.finishedAt().toString());
        out.put("error", r.error());
        out.put("rtoSeconds", r.rtoMs() == null ? null : r.rtoMs() / 1000.0);
        out.put("rpoSeconds", r.rpoMs() == null ? null : r.rpoMs() / 1000.0);
        out.put("safetyBackups", r.safetyBackups());
        out.put("resumed", r.resumed());
        out.put("putBack", r.putBack());
        out.put("items", items(r));
        return out;
    }

    private static List<Map<String, Object>> items(Recovery r) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Recovery.Item i : r.items()) {
            Map<String, Object> item = new LinkedHashMap<>();
            item.put("kind", i.kind());
            item.put("source", i.source());
            item.put("snapshot", i.snapshot());
            item.put("restoreTo", i.restoreTo());
            item.put("movedAside", i.movedAside());
            out.add(item);
        }
        return out;
    }

    static ApiException refused(RecoveryRequestException e) {
        return new ApiException(e.status(), e.status() == 404 ? "not_found" : e.status() == 409 ? "conflict"
                : "bad_request", e.getMessage());
    }
}
