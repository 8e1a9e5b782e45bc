package io.lifeboat.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.Console;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "config", mixinStandardHelpOptions = true,
        description = "Configuration backups (configs: in lifeboat.yaml), through the service: a token in LIFEBOAT_TOKEN "
                + "(System or Admin to back up; Auditor too to list and diff; Admin to restore).",
        subcommands = {ConfigCommand.Backup.class, ConfigCommand.ListBackups.class, ConfigCommand.Diff.class,
                ConfigCommand.Restore.class})
final class ConfigCommand {
    private ConfigCommand() {
    }

    @Command(name = "backup", mixinStandardHelpOptions = true,
            description = "Back up one configuration source, or every enabled one, now; waits for the outcome.")
    static final class Backup implements Callable<Integer> {
        @Mixin
        ServiceClient service;
        @Option(names = "--source", paramLabel = "NAME", description = "one source; default every enabled one")
        String source;

        @Override
        public Integer call() throws Exception {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("type", "config");
            if (source != null) {
                body.put("source", source);
            }
            Instant asked = Instant.now().minusSeconds(1);
            String id = service.post("/api/v1/backup/trigger", body).get("backupId").asText();
            System.out.println((source == null ? "configuration backups started, the first " : "configuration backup ")
                    + id + (source == null ? "" : " started"));
            // every run this trigger began (one per source when none is named): those of type config since then
            while (true) {
                List<JsonNode> ours = new ArrayList<>();
                for (JsonNode b : service.get("/api/v1/backup/status?type=config").get("backups")) {
                    if (b.get("id").asText().equals(id) || source == null
                            && !Instant.parse(b.get("createdAt").asText()).isBefore(asked)) {
                        ours.add(b);
                    }
                }
                if (!ours.isEmpty() && ours.stream().noneMatch(b -> "in_progress".equals(b.get("status").asText()))) {
                    ours.forEach(b -> System.out.println("configuration backup " + b.get("id").asText() + ": "
                            + (b.path("partial").asBoolean() ? "partial (parts could not be read: bin/lifeboat config"
                            + " list --source NAME says which)" : b.get("status").asText())));
                    return ours.stream().anyMatch(b -> "failed".equals(b.get("status").asText())) ? 1 : 0;
                }
                Thread.sleep(500);
            }
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true,
            description = "The backups of a configuration source: pieces, secrets sealed, certificates, what was skipped.")
    static final class ListBackups implements Callable<Integer> {
        @Mixin
        ServiceClient service;
        @Option(names = "--source", required = true, paramLabel = "NAME")
        String source;
        @Option(names = "--json", description = "print machine-readable JSON")
        boolean json;

        @Override
        public Integer call() throws Exception {
            JsonNode answer = service.get("/api/v1/config/backups?source=" + URLEncoder.encode(source,
                    StandardCharsets.UTF_8));
            if (json) {
                Output.json(answer);
                return 0;
            }
            for (JsonNode b : answer.get("backups")) {
                System.out.printf("%s  %s  %s  %s%n", b.get("snapshot").asText().substring(0, 8), b.get("time").asText(),
                        b.get("kind").asText(), b.get("status").asText());
                for (JsonNode i : b.get("items")) {
                    StringBuilder line = new StringBuilder("    " + i.get("path").asText());
                    if (i.get("sealed").asBoolean()) {
                        line.append("  (sealed)");
                    }
                    if (i.get("secretsSealed").asInt() > 0) {
                        line.append("  (").append(i.get("secretsSealed").asInt()).append(" secrets sealed)");
                    }
                    for (JsonNode c : i.path("certificates")) {
                        line.append("  certificate ").append(c.get("subject").asText()).append(" until ")
                                .append(c.get("notAfter").asText());
                    }
                    System.out.println(line);
                }
                for (JsonNode s : b.path("skipped")) {
                    // a program's error may run over lines: indented under its entry, the listing keeps its shape
                    System.out.println("    skipped " + s.get("path").asText() + ": " + s.get("message").asText().strip()
                            .replace("\n", "\n        "));
                }
            }
            return 0;
        }
    }

    @Command(name = "diff", mixinStandardHelpOptions = true,
            description = "What changed between two backups, or a backup and what is on disk now (secrets masked).")
    static final class Diff implements Callable<Integer> {
        @Mixin
        ServiceClient service;
        @Option(names = "--source", required = true, paramLabel = "NAME")
        String source;
        @Option(names = "--from", defaultValue = "latest", paramLabel = "REF",
                description = "a backup (snapshot id, latest) or now; default ${DEFAULT-VALUE}")
        String from;
        @Option(names = "--to", defaultValue = "now", paramLabel = "REF",
                description = "a backup (snapshot id, latest) or now; default ${DEFAULT-VALUE}")
        String to;
        @Option(names = "--json", description = "print machine-readable JSON")
        boolean json;

        @Override
        public Integer call() throws Exception {
            JsonNode answer = service.post("/api/v1/config/diff", Map.of("source", source, "from", from, "to", to));
            if (json) {
                Output.json(answer);
            } else {
                print(answer);
            }
            return 0;
        }
    }

    @Command(name = "restore", mixinStandardHelpOptions = true,
            description = "Show what restoring a backup would change, then, once confirmed, write it (in place, or into "
                    + "--target inside recovery.roots); in place, what it replaces is first kept as a configuration backup.")
    static final class Restore implements Callable<Integer> {
        @Mixin
        ServiceClient service;
        @Option(names = "--source", required = true, paramLabel = "NAME")
        String source;
        @Option(names = "--backup-id", defaultValue = "latest", paramLabel = "REF",
                description = "a snapshot id (prefix) or latest; default ${DEFAULT-VALUE}")
        String backupId;
        @Option(names = "--target", paramLabel = "DIR", description = "write below this directory instead of in place")
        String target;
        @Option(names = "--yes", description = "do not ask for confirmation (for scripts)")
        boolean yes;

        @Override
        public Integer call() throws Exception {
            String snapshot = backupId;
            if (target == null) {
                JsonNode diff = service.post("/api/v1/config/diff", Map.of("source", source, "from", "now", "to",
                        backupId));
                snapshot = diff.get("toSnapshot").asText(); // what is confirmed is what is written
                List<JsonNode> writes = new ArrayList<>();
                int left = 0;
                for (JsonNode c : diff.get("changes")) {
                    if ("removed".equals(c.get("change").asText()) || c.get("path").asText().startsWith("/captured/")) {
                        left++; // a restore in place deletes nothing and applies no captured output
                    } else {
                        writes.add(c);
                    }
                }
                if (writes.isEmpty()) {
                    System.out.println("nothing to restore: " + source + " on disk equals backup "
                            + snapshot.substring(0, 8));
                    return 0;
                }
                printChanges(writes);
                if (left > 0) {
                    System.out.println("(" + left + " more differences are left as they are: pieces on disk that the"
                            + " backup does not have, and what programs answered)");
                }
            }
            if (!yes) {
                Console console = System.console();
                if (console == null) {
                    System.err.println("not confirmed: run it on a terminal to answer, or give --yes");
                    return 1;
                }
                String answer = console.readLine("Write %s%s? [y/N] ", target == null ? "these changes" : "backup "
                        + snapshot + " into ", target == null ? "" : target);
                if (answer == null || !answer.strip().equalsIgnoreCase("y")) {
                    System.out.println("nothing written");
                    return 1;
                }
            }
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("source", source);
            body.put("backupId", snapshot);
            if (target != null) {
                body.put("target", target);
            }
            JsonNode done = service.post("/api/v1/config/restore", body);
            System.out.printf("restored %s from snapshot %s: %d written, %d unchanged%n", source,
                    done.get("snapshot").asText().substring(0, 8), done.get("written").size(), done.get("unchanged").asInt());
            if (done.path("keptAs").isTextual()) {
                System.out.println("what it replaced is kept as configuration backup " + done.get("keptAs").asText()
                        .substring(0, 8) + " (config restore --backup-id " + done.get("keptAs").asText().substring(0, 8)
                        + " puts it back)");
            }
            for (JsonNode p : done.get("notApplied")) {
                System.out.println("not applied in place (restore with --target to get it): " + p.asText());
            }
            return 0;
        }
    }

    private static void print(JsonNode diff) {
        if (diff.get("changes").isEmpty()) {
            System.out.println("no changes from " + diff.get("from").asText() + " to " + diff.get("to").asText());
        }
        List<JsonNode> changes = new ArrayList<>();
        diff.get("changes").forEach(changes::add);
        printChanges(changes);
    }

    private static void printChanges(List<JsonNode> changes) {
        for (JsonNode c : changes) {
            System.out.println(c.get("change").asText() + ": " + c.get("path").asText());
            c.get("lines").forEach(l -> System.out.println(l.asText()));
        }
    }
}
