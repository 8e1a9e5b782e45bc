package io.lifeboat.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "recover", mixinStandardHelpOptions = true,
        description = "Recoveries and restore drills, run by the service through routes/recovery-*.camel.yaml (an "
                + "Admin token in LIFEBOAT_TOKEN; an Auditor token may read status and drills).",
        subcommands = {RecoverCommand.Plan.class, RecoverCommand.Run.class, RecoverCommand.Status.class,
                RecoverCommand.Drills.class, RecoverCommand.Drill.class, RecoverCommand.Abort.class})
final class RecoverCommand {
    private RecoverCommand() {
    }

    /** What to recover, as POST /api/v1/recovery/initiate takes it. */
    static final class Request {
        @Option(names = "--type", required = true, paramLabel = "TYPE",
                description = "disaster (the whole platform), partial (one component, after a safety backup) or "
                        + "component (a database or chosen paths, in place or into --target)")
        String type;
        @Option(names = "--backup-id", defaultValue = "latest", paramLabel = "ID",
                description = "a backup's id, a snapshot id, a time (2026-11-30T06:00:00Z) or latest; default "
                        + "${DEFAULT-VALUE}")
        String backupId;
        @Option(names = "--target", paramLabel = "DIR",
                description = "restore below this directory (inside recovery.roots) instead of in place")
        String target;
        @Option(names = "--path", paramLabel = "PATH", description = "component: only this stored path (repeatable)")
        List<String> paths;
        @Option(names = "--to-time", paramLabel = "TIME", description = "component: a database to this time")
        String pointInTime;

        Map<String, Object> body() {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("type", type);
            body.put("backupId", backupId);
            if (target != null) {
                body.put("target", target);
            }
            if (paths != null) {
                body.put("paths", paths);
            }
            if (pointInTime != null) {
                body.put("pointInTime", pointInTime);
            }
            return body;
        }
    }

    @Command(name = "plan", mixinStandardHelpOptions = true,
            description = "Print every step the recovery would take, what it restores from where, and its estimated "
                    + "duration; nothing is touched.")
    static final class Plan implements Callable<Integer> {
        @Mixin
        ServiceClient service;
        @Mixin
        Request request;
        @Option(names = "--json", description = "print machine-readable JSON")
        boolean json;

        @Override
        public Integer call() throws Exception {
            JsonNode plan = service.post("/api/v1/recovery/plan", request.body());
            if (json) {
                Output.json(plan);
                return 0;
            }
            System.out.printf("%s recovery to %s%s, estimated %s%n", plan.get("type").asText(), plan.get("point").asText(),
                    plan.path("target").isTextual() ? " into " + plan.get("target").asText() : " in place",
                    seconds(plan.get("estimatedSeconds").asDouble()));
            int n = 1;
            for (JsonNode s : plan.get("steps")) {
                System.out.printf("%2d. %-22s ~%-8s %s%n", n++, s.get("name").asText(),
                        seconds(s.get("estimatedSeconds").asDouble()), s.path("detail").asText(""));
            }
            return 0;
        }
    }

    @Command(name = "run", mixinStandardHelpOptions = true,
            description = "Start the recovery (or go on with a failed one) and follow it step by step to its end; exit 0"
                    + " when it completed.")
    static final class Run implements Callable<Integer> {
        @Mixin
        ServiceClient service;
        @ArgGroup(exclusive = true, multiplicity = "1")
        What what;
        @Option(names = "--no-wait", description = "print the recovery's id and return at once")
        boolean noWait;

        /** A new recovery, or one to resume. */
        static final class What {
            @ArgGroup(exclusive = false)
            Request request;
            @Option(names = "--resume", paramLabel = "RECOVERY_ID",
                    description = "go on with a failed recovery from its failed step (finished steps are not run again)")
            String resume;
        }

        @Override
        public Integer call() throws Exception {
            String id = what.resume != null
                    ? service.post("/api/v1/recovery/resume", Map.of("recoveryId", what.resume)).get("recoveryId").asText()
                    : service.post("/api/v1/recovery/initiate", what.request.body()).get("recoveryId").asText();
            System.out.println("recovery " + id + (what.resume != null ? " resumed" : " started"));
            return noWait ? 0 : follow(service, id);
        }
    }

    @Command(name = "abort", mixinStandardHelpOptions = true,
            description = "Stop a recovery and put back what it moved aside (a running one stops before its next step),"
                    + " restart what it stopped, and print what was put back.")
    static final class Abort implements Callable<Integer> {
        @Mixin
        ServiceClient service;
        @Parameters(paramLabel = "RECOVERY_ID")
        String id;

        @Override
        public Integer call() throws Exception {
            JsonNode answer = service.post("/api/v1/recovery/abort", Map.of("recoveryId", id));
            if ("aborting".equals(answer.get("status").asText())) {
                System.out.println("recovery " + id + " stops before its next step");
                follow(service, id);
                answer = service.get(statusPath(id));
            }
            for (JsonNode line : answer.path("putBack")) {
                System.out.println("  " + line.asText());
            }
            System.out.println("recovery " + id + " " + answer.get("status").asText());
            return "aborted".equals(answer.get("status").asText()) ? 0 : 1;
        }
    }

    @Command(name = "status", mixinStandardHelpOptions = true, description = "A recovery's steps and how far it is.")
    static final class Status implements Callable<Integer> {
        @Mixin
        ServiceClient service;
        @Parameters(paramLabel = "RECOVERY_ID")
        String id;
        @Option(names = "--json", description = "print machine-readable JSON")
        boolean json;
        @Option(names = "--follow", description = "follow it to its end")
        boolean follow;

        @Override
        public Integer call() throws Exception {
            if (follow) {
                return follow(service, id);
            }
            JsonNode status = service.get(statusPath(id));
            if (json) {
                Output.json(status);
            } else {
                print(status);
            }
            return 0;
        }
    }

    @Command(name = "drills", mixinStandardHelpOptions = true,
            description = "The restore drills, newest first: outcome, measured RTO and achieved RPO.")
    static final class Drills implements Callable<Integer> {
        @Mixin
        ServiceClient service;
        @Option(names = "--json", description = "print machine-readable JSON")
        boolean json;

        @Override
        public Integer call() throws Exception {
            JsonNode drills = service.get("/api/v1/recovery/drills");
            if (json) {
                Output.json(drills);
                return 0;
            }
            System.out.printf("%-36s  %-10s  %-9s  %-24s  %10s  %10s%n", "DRILL", "TYPE", "STATUS", "STARTED", "RTO",
                    "RPO");
            for (JsonNode d : drills.get("drills")) {
                System.out.printf("%-36s  %-10s  %-9s  %-24s  %10s  %10s%n", d.get("recoveryId").asText(),
                        d.get("type").asText(), d.get("status").asText(), d.get("startedAt").asText(),
                        d.path("rtoSeconds").isNumber() ? seconds(d.get("rtoSeconds").asDouble()) : "-",
                        d.path("rpoSeconds").isNumber() ? seconds(d.get("rpoSeconds").asDouble()) : "-");
            }
            return 0;
        }
    }

    @Command(name = "drill", mixinStandardHelpOptions = true,
            description = "Run the configured restore drill now, into its sandbox, and follow it to its end.")
    static final class Drill implements Callable<Integer> {
        @Mixin
        ServiceClient service;

        @Override
        public Integer call() throws Exception {
            String id = service.post("/api/v1/recovery/drills", Map.of()).get("recoveryId").asText();
            System.out.println("drill " + id + " started");
            return follow(service, id);
        }
    }

    /** Prints each step as it finishes, then the outcome; 0 when the recovery completed. */
    static int follow(ServiceClient service, String id) throws Exception {
        Map<String, String> seen = new LinkedHashMap<>();
        while (true) {
            JsonNode status = service.get(statusPath(id));
            for (JsonNode s : status.get("steps")) {
                String state = s.get("status").asText();
                if (!Objects.equals(seen.put(s.get("name").asText(), state), state) && !"pending".equals(state)) {
                    System.out.printf("[%3d%%] %-22s %-8s%s%n", status.get("progress").asInt(), s.get("name").asText(),
                            state, "running".equals(state) ? "" : " (" + seconds(s.path("duration").asDouble()) + ")  "
                                    + s.path("detail").asText(""));
                }
            }
            String outcome = status.get("status").asText();
            if (!"in_progress".equals(outcome)) {
                System.out.println("recovery " + id + " " + outcome + " in " + seconds(status.path("rtoSeconds").asDouble())
                        + (status.path("error").isTextual() ? ": " + status.get("error").asText() : ""));
                return "completed".equals(outcome) ? 0 : 1;
            }
            Thread.sleep(1000);
        }
    }

    private static void print(JsonNode status) {
        System.out.printf("recovery %s (%s%s): %s, %d%%, %s%n", status.get("recoveryId").asText(),
                status.get("type").asText(), status.get("drill").asBoolean() ? " drill" : "", status.get("status").asText(),
                status.get("progress").asInt(), "in_progress".equals(status.get("status").asText())
                        ? "estimated to end " + status.get("estimatedCompletion").asText()
                        : "RTO " + seconds(status.path("rtoSeconds").asDouble()));
        for (JsonNode s : status.get("steps")) {
            System.out.printf("  %-22s %-8s %8s  %s%n", s.get("name").asText(), s.get("status").asText(),
                    s.path("duration").isNumber() ? seconds(s.get("duration").asDouble()) : "", s.path("detail").asText(""));
        }
        if (status.path("error").isTextual()) {
            System.out.println("error: " + status.get("error").asText());
        }
    }

    private static String statusPath(String id) {
        return "/api/v1/recovery/status?recoveryId=" + URLEncoder.encode(id, StandardCharsets.UTF_8);
    }

    private static String seconds(double s) {
        return s < 60 ? String.format("%.1f s", s) : s < 3600 ? String.format("%.1f min", s / 60)
                : String.format("%.2f h", s / 3600);
    }
}
