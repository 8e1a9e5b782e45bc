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
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Properties;
import picocli.CommandLine.Option;

/** The options and the calls of commands that ask the running service (bin/lifeboat serve) over its API. */
final class ServiceClient {
    @Option(names = "--config", paramLabel = "DIR", defaultValue = "config",
            description = "configuration directory, for the service's address; default ${DEFAULT-VALUE}")
    Path config;

    @Option(names = "--url", paramLabel = "URL",
            description = "the service; default http://HOST:PORT from DIR/application.properties (127.0.0.1:8080)")
    String url;

    @Option(names = "--token-env", paramLabel = "NAME", defaultValue = "LIFEBOAT_TOKEN",
            description = "environment variable holding a token (bin/lifeboat token create); default ${DEFAULT-VALUE}")
    String tokenEnv;

    @Option(names = "--token-file", paramLabel = "FILE",
            description = "a file holding the token (its first line; readable by you alone), instead of --token-env")
    Path tokenFile;

    /** Made on first use: picocli makes this mixin for every command that has it, on every start. */
    private HttpClient http;

    JsonNode get(String path) throws IOException, InterruptedException {
        return send(request(path).GET().build());
    }

    JsonNode post(String path, Object body) throws IOException, InterruptedException {
        return send(request(path).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(Repository.JSON.writeValueAsString(body))).build());
    }

    private HttpRequest.Builder request(String path) throws IOException {
        String token = tokenFile == null ? System.getenv(tokenEnv)
                : Files.readAllLines(tokenFile, StandardCharsets.UTF_8).stream().findFirst().orElse(null);
        if (tokenFile != null && (token == null || token.isBlank())) {
            throw new IllegalArgumentException("the token file " + tokenFile + " holds no token; create one with "
                    + "bin/lifeboat token create --role Admin");
        }
        if (token == null || token.isBlank()) {
            throw new IllegalArgumentException("environment variable " + tokenEnv + " holds no token; create one with "
                    + "bin/lifeboat token create --role Admin");
        }
        return HttpRequest.newBuilder(URI.create(base() + path)).header("Authorization", "Bearer " + token.strip())
                .timeout(Duration.ofSeconds(120));
    }

    /** The answer's JSON; IOException with the service's reason when it refused. */
    private JsonNode send(HttpRequest request) throws IOException, InterruptedException {
        HttpResponse<String> answer;
        try {
            if (http == null) {
                http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
            }
            answer = http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (ConnectException e) {
            throw new IOException("the service at " + base() + " does not answer (is bin/lifeboat serve running?)");
        }
        JsonNode body = Repository.JSON.readTree(answer.body());
        if (answer.statusCode() / 100 != 2) {
            throw new IOException("the service refused (" + answer.statusCode() + "): "
                    + body.path("message").asText(answer.body()));
        }
        return body;
    }

    /** Where the service listens, from the configuration directory it runs on. */
    private String base() throws IOException {
        if (url != null) {
            return url;
        }
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
