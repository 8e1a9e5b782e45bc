package io.lifeboat.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.lifeboat.repository.Repository;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "routes", mixinStandardHelpOptions = true,
        description = "List the running service's routes, the file each comes from, and the last reload of every "
                + "route file and of lifeboat.yaml (asks GET /api/v1/routes with an Admin token).")
final class RoutesCommand implements Callable<Integer> {
    @Option(names = "--config", paramLabel = "DIR", defaultValue = "config",
            description = "configuration directory, for the service's address; default ${DEFAULT-VALUE}")
    Path config;

    @Option(names = "--url", paramLabel = "URL",
            description = "the service; default http://HOST:PORT from DIR/application.properties (127.0.0.1:8080)")
    String url;

    @Option(names = "--token-env", paramLabel = "NAME", defaultValue = "LIFEBOAT_TOKEN",
            description = "environment variable holding an Admin token (bin/lifeboat token create --role Admin); "
                    + "default ${DEFAULT-VALUE}")
    String tokenEnv;

    @Option(names = "--json", description = "print machine-readable JSON")
    boolean json;

    @Override
    public Integer call() throws Exception {
        String token = System.getenv(tokenEnv);
        if (token == null || token.isBlank()) {
            throw new IllegalArgumentException("environment variable " + tokenEnv + " holds no token; create one with "
                    + "bin/lifeboat token create --role Admin");
        }
        String base = url != null ? url : address();
        HttpResponse<String> answer;
        try {
            answer = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build().send(HttpRequest.newBuilder(
                    URI.create(base + "/api/v1/routes")).header("Authorization", "Bearer " + token.strip())
                    .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (ConnectException e) {
            throw new IOException("the service at " + base + " does not answer (is bin/lifeboat serve running?)");
        }
        JsonNode body = Repository.JSON.readTree(answer.body());
        if (answer.statusCode() != 200) {
            throw new IOException("the service refused: " + body.path("message").asText(answer.body()));
        }
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

    /** Where the service listens, from the configuration directory it runs on. */
    private String address() throws IOException {
        Properties p = new Properties();
        Path file = config.resolve("application.properties");
        if (Files.exists(file)) {
            try (InputStream in = Files.newInputStream(file)) {
                p.load(in);
            }
        }
        String host = p.getProperty("camel.server.host", "127.0.0.1").strip();
        return "http://" + ("0.0.0.0".equals(host) ? "127.0.0.1" : host) + ":"
                + p.getProperty("camel.server.port", "8080").strip();
    }
}
