package io.lifeboat.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.Console;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
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
            String id = service.post("/api/v1/backup/trigger", body).get("backupId").asText();
            System.out.println("configuration backup " + id + " started");
            while (true) {
                for (JsonNode b : service.get("/api/v1/backup/status?type=config").get("backups")) {
                    if (b.get("id").asText().equals(id) && !"in_progress".equals(b.get("status").asText())) {
                        System.out.println("configuration backup " + id + ": " + b.get("status").asText());
                        return "failed".equals(b.get("status").asText()) ? 1 : 0;
                    }
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
                    System.out.println("    skipped " + s.get("path").asText() + ": " + s.get("message").asText());
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
                    + "--target inside recovery.roots); each file it replaces is kept beside it as NAME.before-restore-STAMP.")
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
            JsonNode diff = service.post("/api/v1/config/diff", Map.of("source", source, "from", "now", "to", backupId));
            if (target == null) {
                if (diff.get("changes").isEmpty()) {
                    System.out.println("nothing to restore: " + source + " on disk equals backup " + backupId);
                    return 0;
                }
                print(diff);
            }
            if (!yes) {
                Console console = System.console();
                if (console == null) {
                    System.err.println("not confirmed: run it on a terminal to answer, or give --yes");
                    return 1;
                }
                String answer = console.readLine("Write %s%s? [y/N] ", target == null ? "these changes" : "backup "
                        + backupId + " into ", target == null ? "" : target);
                if (answer == null || !answer.strip().equalsIgnoreCase("y")) {
                    System.out.println("nothing written");
                    return 1;
                }
            }
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("source", source);
            body.put("backupId", backupId);
            if (target != null) {
                body.put("target", target);
            }
            JsonNode done = service.post("/api/v1/config/restore", body);
            System.out.printf("restored %s from snapshot %s: %d written, %d unchanged%n", source,
                    done.get("snapshot").asText().substring(0, 8), done.get("written").size(), done.get("unchanged").asInt());
            for (JsonNode k : done.get("kept")) {
                System.out.println("kept what it replaced: " + k.asText());
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
        for (JsonNode c : diff.get("changes")) {
            System.out.println(c.get("change").asText() + ": " + c.get("path").asText());
            c.get("lines").forEach(l -> System.out.println(l.asText()));
        }
    }
}
