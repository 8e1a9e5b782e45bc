package io.lifeboat.source.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import io.lifeboat.config.LifeboatConfig;
import io.lifeboat.repository.Snapshot;
import io.lifeboat.source.Tool;
import io.lifeboat.source.files.PathOrder;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Reads a configuration source as it is now: its files (links kept as links), the environment of
 * its processes, the live Kubernetes objects kubectl can see and the output of its commands. What
 * cannot be read is a problem of the capture, said with its reason, and the rest goes on: a
 * backup of it is then partial, not failed.
 */
public final class ConfigCapture {
    /** A piece larger than this is not configuration: back it up as a file source. */
    static final long MAX_ITEM = 16L << 20;
    static final List<String> KUBERNETES_KINDS = List.of("deployments", "statefulsets", "daemonsets", "services",
            "configmaps", "secrets", "ingresses", "cronjobs", "networkpolicies");
    private static final Duration PROGRAM_TIMEOUT = Duration.ofSeconds(60);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Written as an operator writes manifests (kind: Secret, not kind: "Secret"), so that they diff and mask alike. */
    private static final ObjectMapper YAML = new ObjectMapper(YAMLFactory.builder()
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES).build());
    /** What kubectl says when the cluster cannot be reached at all (not a timeout: one big list can time out). */
    private static final Pattern UNREACHABLE = Pattern.compile("(?i)unable to connect|connection refused|no such host"
            + "|no route to host");
    /** kubectl's answer for one kind, at the most. */
    private static final long MAX_ANSWER = 64L << 20;
    private static final String ATTRIBUTES = "unix:mode,uid,gid,lastModifiedTime,isRegularFile,isDirectory,isSymbolicLink,size";

    /** What was read, in stream order, and what could not be. */
    public record Capture(List<ConfigItem> items, List<Snapshot.Problem> problems) {
    }

    private final List<ConfigItem> items = new ArrayList<>();
    private final List<Snapshot.Problem> problems = new ArrayList<>();

    private ConfigCapture() {
    }

    public static Capture of(LifeboatConfig.ConfigSource source) throws InterruptedException {
        ConfigCapture c = new ConfigCapture();
        for (String path : source.paths()) {
            c.files(Path.of(path).toAbsolutePath().normalize());
        }
        for (String process : source.processes()) {
            c.environment(process);
        }
        if (source.kubectl() != null) {
            c.kubernetes(source.kubectl());
        }
        for (LifeboatConfig.ConfigSource.Command command : source.commands()) {
            c.command(command);
        }
        c.items.sort(Comparator.comparing(ConfigItem::path, PathOrder.INSTANCE));
        return new Capture(List.copyOf(c.items), List.copyOf(c.problems));
    }

    /**
     * A path and, for a directory, everything below it; links below are kept as links, but a
     * configured path that is a link is followed too (a "live" directory of certificates is a link).
     * One unreadable entry is a problem of its own; the walk goes on.
     */
    private void files(Path root) {
        if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
            problem(root.toString(), "does not exist");
            return;
        }
        try {
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                    file(dir);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path path, BasicFileAttributes attrs) {
                    file(path);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path path, IOException e) {
                    problem(path.toString(), "cannot be read: " + e.getMessage());
                    return FileVisitResult.CONTINUE;
                }
            });
            if (Files.isSymbolicLink(root)) {
                files(root.toRealPath());
            }
        } catch (IOException e) {
            problem(root.toString(), "cannot be listed: " + e.getMessage());
        }
    }

    private void file(Path path) {
        try {
            Map<String, Object> a = Files.readAttributes(path, ATTRIBUTES, LinkOption.NOFOLLOW_LINKS);
            int mode = (Integer) a.get("mode") & 07777;
            long mtime = ((FileTime) a.get("lastModifiedTime")).toInstant().getEpochSecond() * 1_000_000_000L
                    + ((FileTime) a.get("lastModifiedTime")).toInstant().getNano();
            if (Boolean.TRUE.equals(a.get("isSymbolicLink"))) {
                items.add(new ConfigItem(path.toString(), ConfigItem.LINK, new byte[0],
                        Files.readSymbolicLink(path).toString(), mode, (Integer) a.get("uid"), (Integer) a.get("gid"),
                        mtime));
            } else if (Boolean.TRUE.equals(a.get("isRegularFile"))) {
                if ((Long) a.get("size") > MAX_ITEM) {
                    problem(path.toString(), "larger than " + (MAX_ITEM >> 20)
                            + " MiB: not configuration; back it up as a file source");
                    return;
                }
                items.add(new ConfigItem(path.toString(), ConfigItem.FILE, Files.readAllBytes(path), null, mode,
                        (Integer) a.get("uid"), (Integer) a.get("gid"), mtime));
            } else if (Boolean.TRUE.equals(a.get("isDirectory"))) {
                items.add(new ConfigItem(path.toString(), ConfigItem.DIR, new byte[0], null, mode, (Integer) a.get("uid"),
                        (Integer) a.get("gid"), mtime));
            } else {
                problem(path.toString(), "neither a file nor a link: skipped");
            }
        } catch (IOException e) {
            problem(path.toString(), "cannot be read: " + e.getMessage());
        }
    }

    /** The environment of the oldest process of that name (its /proc/PID/comm), sorted. */
    private void environment(String name) {
        String where = ConfigItem.CAPTURED + "environment/" + name + ".env";
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            Path process = procs.filter(p -> p.getFileName().toString().matches("\\d+"))
                    .filter(p -> named(p, name))
                    .min(Comparator.comparingLong(p -> Long.parseLong(p.getFileName().toString()))).orElse(null);
            if (process == null) {
                problem(where, "no process named " + name + " is running; its environment "
                        + "was not read");
                return;
            }
            String environ = Files.readString(process.resolve("environ"), StandardCharsets.UTF_8);
            StringBuilder text = new StringBuilder();
            Stream.of(environ.split("\0")).filter(s -> !s.isEmpty()).sorted().forEach(s -> text.append(s).append('\n'));
            items.add(ConfigItem.answer(where, ConfigItem.ENVIRONMENT, text.toString().getBytes(StandardCharsets.UTF_8)));
        } catch (IOException e) {
            problem(where, "the environment of " + name + " cannot be read: " + e.getMessage());
        }
    }

    /** What could not be read, said without any secret a program may have printed with its error. */
    private void problem(String where, String message) {
        problems.add(new Snapshot.Problem(where, SecretMasker.redact(message)));
    }

    /**
     * Whether the process has that name: its comm (which the kernel cuts to 15 characters), or the
     * file name of the program its command line starts with.
     */
    private static boolean named(Path process, String name) {
        try {
            if (name.equals(Files.readString(process.resolve("comm")).strip())) {
                return true;
            }
            String cmdline = Files.readString(process.resolve("cmdline"), StandardCharsets.UTF_8);
            String program = cmdline.indexOf('\0') < 0 ? cmdline : cmdline.substring(0, cmdline.indexOf('\0'));
            return !program.isEmpty() && name.equals(Path.of(program).getFileName().toString());
        } catch (IOException | RuntimeException gone) {
            return false; // ended meanwhile, or a command line that is no path
        }
    }

    /**
     * Live objects, one file per context, namespace and kind, each object a YAML document without
     * what the cluster adds (status, managedFields, uid, resourceVersion, ...), so that a diff
     * shows what was configured. No kubectl, or no context: skipped with the reason.
     */
    private void kubernetes(LifeboatConfig.ConfigSource.LiveObjects live) throws InterruptedException {
        String where = ConfigItem.CAPTURED + "kubectl";
        String context = live.context();
        try {
            if (context == null) {
                Tool.Result current = Tool.run("kubectl", Tool.of(List.of("kubectl", "config", "current-context")),
                        PROGRAM_TIMEOUT);
                if (!current.ok()) {
                    problem(where, "kubectl has no context (" + current.err()
                            + "); live Kubernetes objects were skipped");
                    return;
                }
                context = current.out().strip();
            }
        } catch (IOException notInstalled) {
            problem(where, "kubectl cannot be run (" + notInstalled.getMessage()
                    + "); live Kubernetes objects were skipped");
            return;
        }
        String dir = where + "/" + segment(context);
        Set<String> added = new HashSet<>();
        List<String> scopes = live.namespaces() == null || live.namespaces().isEmpty() ? List.of("--all-namespaces")
                : live.namespaces();
        for (String kind : live.kinds() == null || live.kinds().isEmpty() ? KUBERNETES_KINDS : live.kinds()) {
            for (String scope : scopes) {
                List<String> command = new ArrayList<>(List.of("kubectl", "--context", context, "--request-timeout",
                        "20s", "get", kind, "-o", "json"));
                command.addAll(scope.startsWith("--") ? List.of(scope) : List.of("--namespace", scope));
                try {
                    Tool.Result got = Tool.run("kubectl", Tool.of(command), PROGRAM_TIMEOUT);
                    if (!got.ok() && UNREACHABLE.matcher(got.err()).find()) {
                        problem(dir, "kubectl cannot reach the cluster of context " + context + " (" + got.err()
                                + "); live Kubernetes objects were skipped");
                        return; // every other kind and namespace would wait for the same timeout
                    }
                    if (!got.ok()) {
                        problem(dir + "/" + kind, got.failure());
                        continue;
                    }
                    if (got.out().length() > MAX_ANSWER) {
                        problem(dir + "/" + kind, "kubectl's answer is larger than " + (MAX_ANSWER >> 20)
                                + " MiB: name the namespaces and kinds to keep");
                        continue;
                    }
                    manifests(got.out()).forEach((ns, yaml) -> {
                        String path = dir + "/" + ns + "/" + kind + ".yaml";
                        if (added.add(path)) { // a kind without namespaces comes back for each namespace asked
                            items.add(ConfigItem.answer(path, ConfigItem.KUBECTL, yaml.getBytes(StandardCharsets.UTF_8)));
                        }
                    });
                } catch (IOException e) {
                    problem(dir + "/" + kind, "kubectl get failed: " + e.getMessage());
                }
            }
        }
    }

    /**
     * kubectl get -o json's list as manifests, by namespace ("_cluster" for objects without one):
     * each object a YAML document without what the cluster adds.
     */
    static Map<String, String> manifests(String kubectlJson) throws IOException {
        Map<String, StringBuilder> byNamespace = new TreeMap<>();
        for (JsonNode object : JSON.readTree(kubectlJson).path("items")) {
            String ns = object.path("metadata").path("namespace").asText("_cluster");
            byNamespace.computeIfAbsent(segment(ns), n -> new StringBuilder()).append(YAML.writeValueAsString(
                    withoutClusterNoise((ObjectNode) object)));
        }
        Map<String, String> out = new TreeMap<>();
        byNamespace.forEach((ns, yaml) -> out.put(ns, yaml.toString()));
        return out;
    }

    /** A name as one plain path segment: what is not a letter, digit, '.', '_', '@' or '-' becomes '_'. */
    private static String segment(String name) {
        String plain = name.replaceAll("[^A-Za-z0-9._@\\-]", "_");
        return plain.startsWith(".") ? "_" + plain : plain;
    }

    private static ObjectNode withoutClusterNoise(ObjectNode object) {
        object.remove("status");
        if (object.get("metadata") instanceof ObjectNode metadata) {
            for (String field : List.of("managedFields", "resourceVersion", "uid", "creationTimestamp", "generation",
                    "selfLink")) {
                metadata.remove(field);
            }
            if (metadata.get("annotations") instanceof ObjectNode annotations) {
                annotations.remove("kubectl.kubernetes.io/last-applied-configuration");
                annotations.remove("deployment.kubernetes.io/revision");
                if (annotations.isEmpty()) {
                    metadata.remove("annotations");
                }
            }
        }
        return object;
    }

    private void command(LifeboatConfig.ConfigSource.Command command) throws InterruptedException {
        String where = ConfigItem.CAPTURED + "command/" + command.name() + ".txt";
        try {
            Tool.Result ran = Tool.run(command.name(), Tool.of(List.of("sh", "-c", command.run())), PROGRAM_TIMEOUT);
            if (!ran.ok()) {
                problem(where, ran.failure());
                return;
            }
            items.add(ConfigItem.answer(where, ConfigItem.COMMAND, ran.out().getBytes(StandardCharsets.UTF_8)));
        } catch (IOException e) {
            problem(where, "cannot run " + command.name() + ": " + e.getMessage());
        }
    }
}
