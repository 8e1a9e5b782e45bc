package io.lifeboat.api;

import com.fasterxml.jackson.annotation.JsonSetter;
import com.fasterxml.jackson.annotation.Nulls;
import io.lifeboat.compress.Compression;
import io.lifeboat.config.LifeboatConfig;
import io.lifeboat.crypto.CorruptDataException;
import io.lifeboat.repository.RepositoryException;
import io.lifeboat.repository.Snapshot;
import io.lifeboat.source.DirectoryTrees;
import io.lifeboat.source.config.ConfigBackups;
import io.lifeboat.source.config.ConfigRestorer;
import io.lifeboat.source.config.ConfigSnapshots;
import io.lifeboat.source.config.StoredItem;
import io.lifeboat.source.config.WrongKeyException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The configuration endpoints: the backups of a source (GET /api/v1/config/backups?source=), what
 * changed (POST /api/v1/config/diff) and a restore (POST /api/v1/config/restore). Answers show
 * masked text and sealed pieces' fingerprints, never a secret value.
 */
public final class ConfigApi {
    private static final Logger LOG = LoggerFactory.getLogger(ConfigApi.class);
    private static final BackupApi.BodyShape BODY = new BackupApi.BodyShape("source, from, to, backupId, target",
            "{\"source\": \"app\", \"backupId\": \"latest\"}", field -> "field '" + field + "' must be text");

    /** The body of diff and restore; each field may be left out, none sent as null. */
    public static final class Request {
        @JsonSetter(nulls = Nulls.FAIL)
        private String source;
        @JsonSetter(nulls = Nulls.FAIL)
        private String from;
        @JsonSetter(nulls = Nulls.FAIL)
        private String to;
        @JsonSetter(nulls = Nulls.FAIL)
        private String backupId;
        @JsonSetter(nulls = Nulls.FAIL)
        private String target;
    }

    private final ConfigSources configs;
    private final Supplier<LifeboatConfig> config;
    private final Authorizer authorizer;

    public ConfigApi(ConfigSources configs, Supplier<LifeboatConfig> config, Authorizer authorizer) {
        this.configs = configs;
        this.config = config;
        this.authorizer = authorizer;
    }

    /** GET /api/v1/config/backups?source=NAME: each backup, its pieces (path, secrets sealed out, certificates). */
    public void backups(Exchange exchange) throws IOException {
        Map<String, String> query = Authorizer.query(exchange);
        if (!query.keySet().stream().allMatch("source"::equals) || query.get("source") == null) {
            throw new ApiException(400, "bad_request", "give exactly the parameter 'source'");
        }
        LifeboatConfig.ConfigSource source = source(query.get("source"));
        ConfigBackups backups = configs.listing();
        List<Map<String, Object>> out = new ArrayList<>();
        for (Snapshot s : backups.list(source.name())) {
            ConfigSnapshots.Manifest manifest = backups.manifest(s);
            Map<String, Object> b = new LinkedHashMap<>();
            b.put("snapshot", s.id());
            b.put("time", s.time());
            b.put("status", s.status());
            b.put("kind", manifest.kind());
            b.put("items", manifest.items().stream().map(ConfigApi::describe).toList());
            b.put("skipped", manifest.skipped());
            out.add(b);
        }
        BackupApi.reply(exchange, 200, Map.of("source", source.name(), "backups", out));
    }

    /** POST /api/v1/config/diff {source, from?: backup|now (latest), to?: backup|now (now)}. */
    public void diff(Exchange exchange) throws IOException, InterruptedException {
        Request q = BackupApi.body(exchange, Request.class, BODY);
        LifeboatConfig.ConfigSource source = source(q.source);
        String from = q.from == null ? "latest" : q.from;
        String to = q.to == null ? "now" : q.to;
        ConfigBackups backups = backups();
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("source", source.name());
        answer.put("from", from);
        answer.put("to", to);
        Snapshot fromSnapshot = resolve(backups, source, "from", from);
        Snapshot toSnapshot = resolve(backups, source, "to", to);
        answer.put("fromSnapshot", fromSnapshot == null ? null : fromSnapshot.id());
        answer.put("toSnapshot", toSnapshot == null ? null : toSnapshot.id());
        try {
            answer.put("changes", backups.diff(source, fromSnapshot, toSnapshot));
        } catch (WrongKeyException e) {
            throw new ApiException(422, "wrong_key", e.getMessage());
        }
        BackupApi.reply(exchange, 200, answer);
    }

    /** The snapshot a reference names (null for now); 404 naming the field when there is none. */
    private static Snapshot resolve(ConfigBackups backups, LifeboatConfig.ConfigSource source, String field, String ref)
            throws IOException {
        if ("now".equals(ref)) {
            return null;
        }
        try {
            return backups.find(source.name(), ref);
        } catch (RepositoryException e) {
            throw new ApiException(404, "not_found", "field '" + field + "': " + e.getMessage());
        }
    }

    /**
     * POST /api/v1/config/restore {source, backupId?, target?}: writes what differs (in place, or
     * below a target inside recovery.roots); in place, what it replaces is kept first as a
     * configuration backup (keptAs).
     */
    public void restore(Exchange exchange) throws IOException, InterruptedException {
        Request q = BackupApi.body(exchange, Request.class, BODY);
        LifeboatConfig.ConfigSource source = source(q.source);
        Path target = null;
        if (q.target != null) {
            if (!q.target.startsWith("/")) {
                throw new ApiException(400, "bad_request", "field 'target' must be an absolute directory");
            }
            target = Path.of(q.target).normalize();
            if (!DirectoryTrees.inside(target, config.get().recovery().roots())) {
                throw new ApiException(400, "bad_request", "field 'target': " + target + " is outside the allowed roots "
                        + config.get().recovery().roots());
            }
        }
        ConfigBackups backups = backups();
        Snapshot snapshot;
        try {
            snapshot = backups.find(source.name(), q.backupId);
        } catch (RepositoryException e) {
            throw new ApiException(404, "not_found", "field 'backupId': " + e.getMessage());
        }
        ConfigBackups.Restored done;
        try {
            done = backups.restore(source, snapshot, target, Compression.parse(config.get().repository().compression()));
        } catch (IOException | IllegalStateException | CorruptDataException e) {
            throw new ApiException(422, "cannot_restore", e.getMessage());
        }
        ConfigRestorer.Result result = done.result();
        LOG.info("configuration {} restored from snapshot {}{}: {} written, {} unchanged, {} not applied", source.name(),
                snapshot.shortId(), target == null ? " in place" : " into " + target, result.written().size(),
                result.unchanged(), result.notApplied().size());
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("source", source.name());
        answer.put("snapshot", snapshot.id());
        answer.put("target", target == null ? null : target.toString());
        answer.put("written", result.written());
        answer.put("unchanged", result.unchanged());
        answer.put("notApplied", result.notApplied());
        answer.put("keptAs", done.keptAs() == null ? null : done.keptAs().id());
        BackupApi.reply(exchange, 200, answer);
    }

    public void unreadableBody(Exchange exchange, String permission) {
        BackupApi.unreadableBody(exchange, authorizer, permission, BODY);
    }

    private static Map<String, Object> describe(StoredItem i) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("path", i.path());
        out.put("origin", i.origin());
        out.put("size", i.size());
        out.put("secretsSealed", i.secrets());
        out.put("sealed", i.sealed());
        out.put("certificates", i.certificates());
        return out;
    }

    /** The repository and the configuration key; 503 saying which cannot be opened. */
    private ConfigBackups backups() {
        try {
            return configs.backups();
        } catch (IOException | IllegalArgumentException e) {
            throw new ApiException(503, "unavailable", e.getMessage());
        }
    }

    private LifeboatConfig.ConfigSource source(String name) {
        if (name == null) {
            throw new ApiException(400, "bad_request", "field 'source' is missing; configured: " + configs.sources());
        }
        try {
            return configs.source(name);
        } catch (IllegalArgumentException e) {
            throw new ApiException(400, "bad_request", "field 'source': " + e.getMessage() + "; configured: "
                    + configs.sources());
        }
    }
}
