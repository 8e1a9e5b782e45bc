package io.lifeboat.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lifeboat.catalog.Catalog;
import io.lifeboat.repository.Repository;
import io.lifeboat.security.Role;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

/**
 * Runs of a service in the test's JVM, started through its API as an operator would, and the
 * processes it starts: what the database service tests share.
 */
public final class ServiceRuns {
    private static final Set<String> PROCESS_ARGS = ConcurrentHashMap.newKeySet();
    private static volatile Thread watcher;
    private final Catalog catalog;
    private final int port;
    private final String source;
    private final Path alerts;

    public ServiceRuns(Catalog catalog, int port, String source, Path alerts) {
        this.catalog = catalog;
        this.port = port;
        this.source = source;
        this.alerts = alerts;
        watchProcesses();
    }

    /** Starts a run through the API and waits for its end. */
    public Catalog.Run trigger(String type, String scope) throws Exception {
        return run(type, start(type, scope));
    }

    /** Starts a run through the API (as an Admin); its id. */
    public String start(String type, String scope) throws Exception {
        String admin = catalog.createToken("admin-" + System.nanoTime(), Role.ADMIN);
        HttpResponse<String> started = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
                "http://127.0.0.1:" + port + "/api/v1/backup/trigger")).header("Authorization", "Bearer " + admin)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"type\":\"" + type + "\",\"scope\":\"" + scope
                        + "\",\"source\":\"" + source + "\"}")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(202, started.statusCode(), started.body());
        return Repository.JSON.readTree(started.body()).get("backupId").asText();
    }

    /** The run once it has ended. */
    public Catalog.Run run(String type, String id) throws Exception {
        long deadline = System.currentTimeMillis() + 180_000;
        while (System.currentTimeMillis() < deadline) {
            Catalog.Run run = catalog.runs(type, null).stream().filter(r -> r.id().equals(id)).findFirst()
                    .orElseThrow();
            if (!run.status().equals("in_progress")) {
                return run;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("run " + id + " did not end");
    }

    /**
     * Starts a run and holds it where it cannot end by itself: the process `holder` finds is
     * stopped (SIGSTOP) while the run still needs it, then the fault is done. A run that was past
     * that point when it was caught is let go and tried again.
     */
    public Catalog.Run whileHeld(String type, String scope, Callable<String> holder, Fault fault) throws Exception {
        for (int attempt = 0; attempt < 10; attempt++) {
            String id = start(type, scope);
            long deadline = System.currentTimeMillis() + 60_000;
            String held = null;
            while (held == null && !ended(type, id)) {
                assertTrue(System.currentTimeMillis() < deadline, "the run did not start its work");
                held = holder.call();
            }
            if (held != null) {
                kill("-STOP", held);
                if (!ended(type, id) && held.equals(holder.call())) {
                    fault.run(held);
                    return run(type, id);
                }
                kill("-CONT", held);
            }
            run(type, id);
        }
        throw new AssertionError("no run could be held before its end");
    }

    private boolean ended(String type, String id) {
        return catalog.runs(type, null).stream().anyMatch(r -> r.id().equals(id) && !r.status().equals("in_progress"));
    }

    /** What is done while the run is held. */
    @FunctionalInterface
    public interface Fault {
        void run(String heldPid) throws Exception;
    }

    public void assertFailedAndAlerted(Catalog.Run run, String reason) throws Exception {
        assertEquals("failed", run.status(), run.toString());
        assertTrue(run.error().contains(reason), run.error());
        assertEquals(null, run.snapshotId(), "a failed run records no backup");
        String quoted = reason.replace("\"", "\\\"");
        awaitAlert(alerts, l -> l.contains("\"source\":\"" + source + "\"") && l.contains(quoted));
    }

    /**
     * Waits for an alert line: a flow records its run, then raises its alerts, so a run may read as
     * ended a moment before they are written.
     */
    public static void awaitAlert(Path alerts, Predicate<String> line) throws Exception {
        long deadline = System.currentTimeMillis() + 60_000;
        while (true) {
            String alerted = Files.exists(alerts) ? Files.readString(alerts) : "";
            if (alerted.lines().anyMatch(line)) {
                return;
            }
            assertTrue(System.currentTimeMillis() < deadline, "no such alert in: " + alerted);
            Thread.sleep(100);
        }
    }

    /** Pids of processes whose command line matches the pattern (pgrep -f). */
    public static List<String> pids(String pattern) throws Exception {
        Process p = new ProcessBuilder("pgrep", "-f", pattern).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor();
        return out.lines().filter(l -> !l.isBlank()).toList();
    }

    /** The pid of the one process of that program name (pgrep -x), else null. */
    public static String pidOf(String program) throws Exception {
        Process p = new ProcessBuilder("pgrep", "-x", program).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor();
        List<String> pids = out.lines().filter(l -> !l.isBlank()).toList();
        return pids.size() == 1 ? pids.get(0) : null;
    }

    public static void kill(String signal, String pid) throws Exception {
        new ProcessBuilder("kill", signal, pid).start().waitFor();
    }

    /** The command lines seen since the first ServiceRuns, as `ps` shows them to any user. */
    public static Set<String> processes() {
        return Set.copyOf(PROCESS_ARGS);
    }

    private static synchronized void watchProcesses() {
        if (watcher != null) {
            return;
        }
        watcher = new Thread(() -> {
            while (true) {
                try {
                    Process p = new ProcessBuilder("ps", "-eo", "args", "--no-headers").start();
                    new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines()
                            .forEach(PROCESS_ARGS::add);
                    p.waitFor();
                    Thread.sleep(50);
                } catch (Exception e) {
                    return;
                }
            }
        }, "process-watcher");
        watcher.setDaemon(true);
        watcher.start();
    }
}
