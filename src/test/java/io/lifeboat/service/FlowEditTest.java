package io.lifeboat.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.lifeboat.catalog.Catalog;
import io.lifeboat.repository.Repository;
import io.lifeboat.repository.Snapshot;
import io.lifeboat.security.Role;
import io.lifeboat.storage.BlobStores;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.apache.camel.BeanInject;
import org.apache.camel.CamelContext;
import org.apache.camel.component.quartz.QuartzComponent;
import org.apache.camel.component.quartz.QuartzEndpoint;
import org.apache.camel.test.main.junit5.CamelMainTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.quartz.Scheduler;
import org.quartz.SchedulerException;
import org.quartz.TriggerKey;

/**
 * Operators change the flows by editing files while the service runs: a step added to the
 * file-backup route applies to scheduled, API and drop-folder backups alike, a step taken out no
 * longer runs, a source added to lifeboat.yaml gets its route and loses it again, and a broken edit
 * of either is refused, reported and leaves the running version in place.
 */
@CamelMainTest(configurationClasses = LifeboatConfiguration.class, properties = {
    "lifeboat.config-dir=target/flow-edit-test/config",
    "camel.server.port=8097",
    "camel.management.port=9897",
    "camel.main.routes-include-pattern=file:target/flow-edit-test/routes/*.camel.yaml",
    "lifeboat.routes-directory=target/flow-edit-test/routes",
    "lifeboat.alerts-dir=target/flow-edit-test"})
class FlowEditTest {
    private static final Path WORK = Path.of("target/flow-edit-test").toAbsolutePath();
    private static final Path FLOW = WORK.resolve("routes/file-backup.camel.yaml");
    private static final Path CONFIG = WORK.resolve("config/lifeboat.yaml");
    private static final String ORIGINAL_CONFIG = """
            repository: { path: %1$s/repository, passwordFile: %1$s/repository.password, create: true, compression: zstd:3 }
            catalog: { url: 'jdbc:h2:mem:flow-edit-test;DB_CLOSE_DELAY=-1' }
            files:
              - { name: quick, path: %1$s/source, schedule: "0/2 * * * * ?", retention: 7d }
            dropFolder: { inbox: %1$s/inbox, settleSeconds: 1 }
            """.formatted(Path.of("target/flow-edit-test").toAbsolutePath());
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final String ORIGINAL_FLOW;

    static {
        try {
            io.lifeboat.TestSupport.deleteTree(WORK);
            Files.createDirectories(WORK.resolve("routes"));
            Files.createDirectories(WORK.resolve("config"));
            Files.createDirectories(WORK.resolve("extra"));
            Files.writeString(Files.createDirectories(WORK.resolve("source")).resolve("counts.csv"), "cam-001,42\n");
            Files.writeString(WORK.resolve("extra/exports.csv"), "user,report\n");
            try (Stream<Path> routes = Files.list(Path.of("routes"))) {
                for (Path r : routes.toList()) {
                    Files.copy(r, WORK.resolve("routes").resolve(r.getFileName()));
                }
            }
            ORIGINAL_FLOW = Files.readString(FLOW);
            Files.writeString(CONFIG, ORIGINAL_CONFIG);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** What the test step added to a route saw: each run's id with the steps it had passed. */
    public static final class Marks {
        final Map<String, BackupRun> runs = new ConcurrentHashMap<>();
        final Map<String, Integer> fired = new ConcurrentHashMap<>();

        public void record(BackupRun run) {
            runs.put(run.getId(), run);
        }

        public void fired(String source) {
            fired.merge(source, 1, Integer::sum);
        }
    }

    @BeanInject
    CamelContext context;
    private final Marks marks = new Marks();
    private Reloads reloads;
    private Catalog catalog;

    @BeforeEach
    void bindTheTestStep() {
        context.getRegistry().bind("testMarks", marks);
        reloads = context.getRegistry().lookupByNameAndType("reloads", Reloads.class);
        catalog = context.getRegistry().lookupByNameAndType("catalog", Catalog.class);
    }

    @AfterEach
    void putTheFilesBack() throws Exception {
        if (!Files.readString(FLOW).equals(ORIGINAL_FLOW)) {
            edit(FLOW, ORIGINAL_FLOW);
        }
        if (!Files.exists(CONFIG) || !Files.readString(CONFIG).equals(ORIGINAL_CONFIG)) {
            edit(CONFIG, ORIGINAL_CONFIG);
            await("the configuration is back", () -> context.getRoute("file-backup-extra") == null);
        }
    }

    @Test
    void aScheduleLostFromTheSchedulerIsMadeAgain() throws Exception {
        Scheduler scheduler = context.getComponent("quartz", QuartzComponent.class).getScheduler();
        TriggerKey quick = ((QuartzEndpoint) context.getRoute("file-backup-quick").getEndpoint()).getTriggerKey();
        // what a late firing of the trigger a template edit replaced can do to the new one
        assertTrue(scheduler.unscheduleJob(quick));
        await("the lost schedule was made again", () -> {
            try {
                return scheduler.checkExists(quick);
            } catch (SchedulerException e) {
                throw new IllegalStateException(e);
            }
        });
        Instant made = Instant.now();
        await("the schedule runs again", () -> catalog.runs("file", made).stream()
                .anyMatch(r -> r.source().equals("quick")));
    }

    @Test
    void aStepAddedToTheFlowAppliesToScheduledApiAndDropFolderBackupsAlike() throws Exception {
        edit(FLOW, ORIGINAL_FLOW
                .replace("        - to: lifeboat:record", "        - to: lifeboat:record\n"
                        + "        - bean: { ref: testMarks, method: record }")
                .replace("            constant: \"{{source}}\"\n", "            constant: \"{{source}}\"\n"
                        + "        - bean: { ref: testMarks, method: \"fired('{{source}}')\" }\n"));

        String started = trigger("quick");
        Files.writeString(WORK.resolve("inbox/export.csv"), "user export\n");
        await("the added step saw the API run", () -> marks.runs.containsKey(started));
        await("the added step saw a drop-folder run", () -> marks.runs.values().stream()
                .anyMatch(r -> r.getSource().equals(BackupRun.DROP_FOLDER) && !r.isFailed()));
        await("the added step saw a scheduled run", () -> marks.runs.values().stream()
                .anyMatch(r -> r.getSource().equals("quick") && !r.getId().equals(started)));
        await("the edited template made the schedule route again", () -> marks.fired.containsKey("quick"));
        edit(FLOW, Files.readString(FLOW).replace("method: \"fired('{{source}}')\"", "method: \"fired('{{source}}-2')\""));
        await("the template edited again made it again", () -> marks.fired.containsKey("quick-2"));
        assertEquals("success", marks.runs.get(started).getStatus());
        assertEquals(List.of("start", "backup", "verify", "retention", "copy"), stepsBeforeRecord(marks.runs.get(started)));
    }

    @Test
    void aStepTakenOutOfTheFlowNoLongerRuns() throws Exception {
        String marked = ORIGINAL_FLOW.replace("        - to: lifeboat:record", "        - to: lifeboat:record\n"
                + "        - bean: { ref: testMarks, method: record }");
        edit(FLOW, marked);
        String before = trigger("quick");
        await("a run with verify", () -> marks.runs.containsKey(before));
        assertTrue(marks.runs.get(before).getSteps().contains("verify"), marks.runs.get(before).getSteps().toString());

        edit(FLOW, marked.replace("              - to: lifeboat:verify        # structural check of what was written\n",
                ""));
        String after = trigger("quick");
        await("a run after the edit", () -> marks.runs.containsKey(after));
        assertEquals(List.of("start", "backup", "retention", "copy"), stepsBeforeRecord(marks.runs.get(after)));
        assertEquals("success", marks.runs.get(after).getStatus());
    }

    @Test
    void aWebhookAddedAfterRecordHearsOfEachSuccessfulBackup() throws Exception {
        List<String> heard = new CopyOnWriteArrayList<>();
        HttpServer hook = HttpServer.create(
                new InetSocketAddress("127.0.0.1", 0), 0);
        hook.createContext("/hook", exchange -> {
            heard.add(exchange.getRequestHeaders().getFirst("Content-Type") + " "
                    + new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        hook.start();
        try {
            edit(FLOW, ORIGINAL_FLOW.replace("        - to: lifeboat:record", "        - to: lifeboat:record\n"
                    + "        - wireTap:\n            uri: direct:notify\n"
                    + "        - bean: { ref: testMarks, method: record }") + """
                    - route:
                        id: notify
                        from:
                          uri: direct:notify
                          steps:
                            - filter:
                                simple: "${body.status} != 'failed'"
                                steps:
                                  - setBody:
                                      simple: '{"source": "${body.source}", "run": "${body.id}", "status": "${body.status}"}'
                                  - setHeader: { name: Content-Type, constant: application/json }
                                  - to: http://127.0.0.1:%d/hook
                    """.formatted(hook.getAddress().getPort()));
            String started = trigger("quick");
            await("the webhook heard of the API run", () -> heard.stream().anyMatch(h -> h.contains(started)));
            String call = heard.stream().filter(h -> h.contains(started)).findFirst().orElseThrow();
            assertEquals("application/json {\"source\": \"quick\", \"run\": \"" + started
                    + "\", \"status\": \"success\"}", call);
            await("the flow went on after the webhook", () -> marks.runs.containsKey(started));
            assertEquals("success", marks.runs.get(started).getStatus(), "the flow's run went on after the webhook");
        } finally {
            hook.stop(0);
        }
    }

    @Test
    void aRouteNamingAComponentThatIsNotThereIsRefused() throws Exception {
        Instant at = Instant.now();
        Files.writeString(FLOW, ORIGINAL_FLOW.replace("        - to: lifeboat:alert", "        - to: lifeboat:alert\n"
                + "        - to: smtpx://mail.example.com"));
        Reloads.Result refused = awaitReload(FLOW, at, r -> r.message().contains("smtpx"));
        assertTrue(refused.message().contains("no component for 'smtpx:'"), refused.message());

        Instant badFrom = Instant.now();
        String bogus = ORIGINAL_FLOW.replace("      uri: direct:file-backup", "      uri: direct:file-backup?bogus=1");
        Files.writeString(FLOW, bogus);
        int line = lineOf(bogus, "      uri: direct:file-backup?bogus=1") - 1;
        Reloads.Result from = awaitReload(FLOW, badFrom, r -> r.message().contains("bogus"));
        assertFalse(from.applied(), from.toString());
        assertTrue(from.message().startsWith("line " + line + ":") || from.message().startsWith("line " + (line + 1)
                + ":"), from.message());

        String started = trigger("quick");
        await("the running flow still backs up", () -> catalog.runs("file", null).stream()
                .anyMatch(r -> r.id().equals(started) && r.status().equals("success")));
    }

    @Test
    void aBrokenRouteEditIsRefusedWithItsLineAndTheRunningFlowGoesOn() throws Exception {
        String marked = ORIGINAL_FLOW.replace("        - to: lifeboat:record", "        - to: lifeboat:record\n"
                + "        - bean: { ref: testMarks, method: record }");
        edit(FLOW, marked);
        String typo = marked.replace("lifeboat:verify", "lifeboat:verfy");
        Instant refusedAt = Instant.now();
        Files.writeString(FLOW, typo);
        Reloads.Result refused = awaitReload(FLOW, refusedAt, r -> r.message().contains("verfy"));
        assertFalse(refused.applied(), refused.toString());
        int line = lineOf(typo, "              - to: lifeboat:verfy");
        assertTrue(refused.message().contains("line " + line) && refused.message().contains("lifeboat:verfy"),
                refused.message());

        Instant notYaml = Instant.now();
        String unknown = marked.replace("        - to: lifeboat:alert", "        - too: lifeboat:alert");
        Files.writeString(FLOW, unknown);
        Reloads.Result unknownNode = awaitReload(FLOW, notYaml, r -> r.message().contains("too"));
        int tooLine = lineOf(unknown, "        - too: lifeboat:alert");
        assertTrue(unknownNode.message().startsWith("line " + tooLine + ": ") && unknownNode.message().contains("too"),
                unknownNode.message());

        String after = trigger("quick");
        await("the flow before the broken edits still runs", () -> marks.runs.containsKey(after));
        assertTrue(marks.runs.get(after).getSteps().contains("verify"), marks.runs.get(after).getSteps().toString());
        assertNotNull(context.getRoute("file-backup-quick"), "the schedule route stays");
    }

    @Test
    void aSourceAddedToLifeboatYamlGetsItsRouteAndLosesItWhenRemoved() throws Exception {
        String withExtra = ORIGINAL_CONFIG.replace("retention: 7d }\n", "retention: 7d }\n  - { name: extra, path: "
                + WORK.resolve("extra") + ", schedule: \"0/2 * * * * ?\", retention: 30d }\n");
        edit(CONFIG, withExtra);
        await("the new source's route", () -> context.getRoute("file-backup-extra") != null);
        await("a backup of the new source", () -> succeeded("extra", Instant.EPOCH));

        Instant brokenAt = Instant.now();
        Files.writeString(CONFIG, withExtra.replace("schedule: \"0/2 * * * * ?\", retention: 30d",
                "schedule: \"61 * * * *\", retention: 30d"));
        Reloads.Result refused = awaitReload(CONFIG, brokenAt, r -> !r.applied());
        assertFalse(refused.applied(), refused.toString());
        assertTrue(refused.message().contains("files[extra].schedule"), refused.message());
        String metrics = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:9897/observe/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        assertTrue(metrics.lines().anyMatch(l -> l.startsWith("lifeboat_reloads_total") && l.contains("configuration")
                && l.contains("refused")), "a refused reload is a metric");
        await("the running configuration goes on", () -> succeeded("extra", brokenAt));

        Instant deletedAt = Instant.now();
        Files.delete(CONFIG);
        Reloads.Result missing = awaitReload(CONFIG, deletedAt, r -> !r.applied());
        assertTrue(missing.message().contains("missing"), missing.message());
        assertNotNull(context.getRoute("file-backup-extra"), "a missing lifeboat.yaml changes nothing");

        edit(CONFIG, ORIGINAL_CONFIG);
        await("the removed source loses its route", () -> context.getRoute("file-backup-extra") == null);
        assertNotNull(context.getRoute("file-backup-quick"), "the other source keeps its route");
    }

    @Test
    void theCopyStepTakenOutStopsCopiesAndPutBackCatchesUp() throws Exception {
        Path copy = WORK.resolve("copy-" + System.nanoTime());
        edit(CONFIG, ORIGINAL_CONFIG + "targets:\n  - { name: nfs, path: " + copy + " }\n");
        String marked = ORIGINAL_FLOW.replace("        - to: lifeboat:record", "        - to: lifeboat:record\n"
                + "        - bean: { ref: testMarks, method: record }");
        edit(FLOW, marked);
        String copied = trigger("quick");
        await("a run with its copy", () -> marks.runs.containsKey(copied));
        String first = marks.runs.get(copied).getSnapshot().id();
        assertTrue(snapshotsIn(copy).contains(first), "the copy holds the run's backup");
        assertEquals(List.of("nfs"), catalog.copiesBySnapshot().get(first));
        Catalog.CopyState state = catalog.copyStates().stream().filter(c -> c.target().equals("nfs")).findFirst()
                .orElseThrow();
        assertEquals("done", state.status(), state.toString());

        String step = "              - to: lifeboat:copy          # what the targets lack, to each (checked), then their"
                + " retention\n";
        assertTrue(marked.contains(step));
        edit(FLOW, marked.replace(step, ""));
        String notCopied = trigger("quick");
        await("a run without the copy step", () -> marks.runs.containsKey(notCopied));
        String second = marks.runs.get(notCopied).getSnapshot().id();
        assertFalse(snapshotsIn(copy).contains(second), "without the step, nothing is copied");
        assertEquals(List.of(), catalog.copiesBySnapshot().getOrDefault(second, List.of()));

        edit(FLOW, marked);
        String again = trigger("quick");
        await("a run with the step back", () -> marks.runs.containsKey(again));
        String third = marks.runs.get(again).getSnapshot().id();
        assertTrue(snapshotsIn(copy).containsAll(List.of(first, second, third)),
                "the step put back copies what was missed too");
        assertEquals(List.of("nfs"), catalog.copiesBySnapshot().getOrDefault(second, List.of()));
        assertTrue(io.lifeboat.TestSupport.cli("verify", "--repo", copy.toString(), "--password-file",
                WORK.resolve("repository.password").toString(), "--read-data").exit() == 0, "the copy is whole");
    }

    /** The ids of the snapshots a copy holds, read with the repository's passphrase. */
    private static List<String> snapshotsIn(Path copy) throws Exception {
        Repository r = Repository.open(BlobStores.open(copy.toString()),
                Files.readAllLines(WORK.resolve("repository.password")).get(0).getBytes(StandardCharsets.UTF_8));
        return r.snapshots().stream().map(Snapshot::id).toList();
    }

    /** The number of the first line that starts so. */
    private static int lineOf(String text, String start) {
        List<String> lines = text.lines().toList();
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).startsWith(start)) {
                return i + 1;
            }
        }
        throw new AssertionError("no line starts with " + start);
    }

    /** The steps a run passed before the marking step (which comes right after record). */
    private static List<String> stepsBeforeRecord(BackupRun run) {
        List<String> steps = run.getSteps();
        return steps.subList(0, steps.indexOf("record"));
    }

    /** Writes the file in place, as an editor does, and waits until the service has applied it. */
    private void edit(Path file, String content) throws Exception {
        Instant at = Instant.now();
        Files.writeString(file, content);
        awaitReload(file, at, Reloads.Result::applied);
    }

    /** The first reload of the file since the time that is as expected (a half-written file may come before). */
    private Reloads.Result awaitReload(Path file, Instant after, Predicate<Reloads.Result> expected)
            throws Exception {
        Reloads.Result[] found = new Reloads.Result[1];
        await("a reload of " + file, () -> {
            found[0] = reloads.all().stream().filter(r -> r.file().endsWith(file.getFileName().toString())
                    && !Instant.parse(r.time()).isBefore(after) && expected.test(r)).findFirst().orElse(null);
            return found[0] != null;
        });
        return found[0];
    }

    private boolean succeeded(String source, Instant since) {
        return catalog.runs("file", since).stream().anyMatch(r -> r.source().equals(source)
                && r.status().equals("success"));
    }

    private String trigger(String source) throws Exception {
        String token = catalog.createToken("flow-edit-" + System.nanoTime(), Role.ADMIN);
        long deadline = System.currentTimeMillis() + 60_000;
        while (true) {
            assertTrue(System.currentTimeMillis() < deadline, source + " stayed busy for a minute");
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(
                    "http://127.0.0.1:8097/api/v1/backup/trigger")).header("Authorization", "Bearer " + token)
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(
                            "{\"type\":\"file\",\"source\":\"" + source + "\"}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() == 202) {
                return Repository.JSON.readTree(r.body()).get("backupId").asText();
            }
            assertEquals(409, r.statusCode(), r.body()); // a scheduled run of the source is going: ask again
            Thread.sleep(200);
        }
    }

    private static void await(String what, BooleanSupplier condition) throws Exception {
        long deadline = System.currentTimeMillis() + 60_000;
        while (!condition.getAsBoolean()) {
            assertTrue(System.currentTimeMillis() < deadline, what + " did not happen within a minute");
            Thread.sleep(100);
        }
    }
}
