package io.lifeboat.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "routes", mixinStandardHelpOptions = true,
        description = "List the running service's routes, the file each comes from, and the last reload of every "
                + "route file and of lifeboat.yaml (asks GET /api/v1/routes with an Admin token).")
final class RoutesCommand implements Callable<Integer> {
    @Mixin
    ServiceClient service;

    @Option(names = "--json", description = "print machine-readable JSON")
    boolean json;

    @Override
    public Integer call() throws Exception {
        JsonNode body = service.get("/api/v1/routes");
        if (json) {
            Output.json(body);
            return 0;
        }
        System.out.printf("%-30s  %-8s  %-36s  %s%n", "ROUTE", "STATUS", "FROM", "FILE");
        for (JsonNode r : body.get("routes")) {
            System.out.printf("%-30s  %-8s  %-36s  %s%s%n", r.get("id").asText(), r.get("status").asText(),
                    r.get("from").asText(), r.path("file").asText(""),
                    r.path("template").isTextual() ? "  (template " + r.get("template").asText() + ")" : "");
        }
        if (!body.get("reloads").isEmpty()) {
            System.out.println();
            System.out.println("last reloads:");
        }
        for (JsonNode r : body.get("reloads")) {
            System.out.printf("%s  %s %s %s: %s%n", r.get("time").asText(), r.get("kind").asText(),
                    r.get("file").asText(), r.get("applied").asBoolean() ? "applied" : "REFUSED",
                    r.get("message").asText());
        }
        return 0;
    }
}
