package io.lifeboat.service;

import io.lifeboat.catalog.Catalog;
import io.lifeboat.compress.Compression;
import io.lifeboat.config.LifeboatConfig;
import io.lifeboat.monitoring.BackupMetrics;
import io.lifeboat.repository.Archiver;
import io.lifeboat.repository.Progress;
import io.lifeboat.repository.Snapshot;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * Runs file backups for the routes: one configured source, or a path dropped into the inbox.
 * Every run is in the catalog from its start ("in_progress") to its end, and in the metrics.
 */
public final class FileBackups implements AutoCloseable {
    /** How long what is dropped into the inbox is kept (the SPEC's shortest file retention). */
    public static final String DROP_FOLDER_RETENTION = "30d";
    private final LifeboatConfig config;
    private final RepositoryAccess repository;
    private final Catalog catalog;
    private final Supplier<BackupMetrics> metrics;
    private final ExecutorService triggered = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "triggered-backups");
        t.setDaemon(true);
        return t;
    });

    public FileBackups(LifeboatConfig config, RepositoryAccess repository, Catalog catalog,
                       Supplier<BackupMetrics> metrics) {
        this.config = config;
        this.repository = repository;
        this.catalog = catalog;
        this.metrics = metrics;
    }

    public List<String> sources() {
        return config.files().stream().filter(LifeboatConfig.FileSource::active).map(LifeboatConfig.FileSource::name)
                .toList();
    }

    /** Backs up one configured source now; returns the run's outcome. */
    public Map<String, Object> run(String sourceName) {
        LifeboatConfig.FileSource s = source(sourceName);
        return backup(catalog.startRun(s.name(), "file", s.retention()), s.name(), Path.of(s.path()),
                List.of("source:" + s.name()));
    }

    /** Backs up a path dropped into the inbox; throws when the backup did not commit. */
    public Map<String, Object> runDropped(String path) {
        String run = catalog.startRun("drop-folder", "file", DROP_FOLDER_RETENTION);
        Map<String, Object> outcome = backup(run, "drop-folder", Path.of(path), List.of("drop-folder"));
        if ("failed".equals(outcome.get("status"))) {
            throw new IllegalStateException(String.valueOf(outcome.get("error")));
        }
        return outcome;
    }

    /** Starts backups of one source, or of all, in the background; returns the first run's id. */
    public String start(String sourceName) {
        List<String> names = sourceName == null ? sources() : List.of(source(sourceName).name());
        String first = null;
        for (String name : names) {
            LifeboatConfig.FileSource s = source(name);
            String run = catalog.startRun(s.name(), "file", s.retention());
            first = first == null ? run : first;
            triggered.submit(() -> backup(run, s.name(), Path.of(s.path()), List.of("source:" + s.name())));
        }
        return first == null ? UUID.randomUUID().toString() : first;
    }

    /** One run: the snapshot is tagged with the run id, so the catalog can be rebuilt from the repository. */
    private Map<String, Object> backup(String run, String source, Path path, List<String> tags) {
        long started = System.nanoTime();
        try {
            List<String> allTags = new java.util.ArrayList<>(tags);
            allTags.add("run:" + run);
            Snapshot s = new Archiver(repository.open(), new Archiver.Options(List.of(path), allTags,
                    Compression.parse(config.repository().compression())), new Progress()).run();
            Duration took = Duration.ofNanos(System.nanoTime() - started);
            String error = s.problems().isEmpty() ? null : s.problems().size() + " entries not backed up, first: "
                    + s.problems().get(0).path() + ": " + s.problems().get(0).message();
            catalog.finishRun(run, s.status(), s.summary().bytes(), s.summary().storedBytes(), took.toMillis(), s.id(),
                    error);
            metrics.get().record(source, "file", s.status(), s.summary().bytes(), took);
            return Map.of("runId", run, "status", s.status(), "snapshot", s.id());
        } catch (Exception e) {
            Duration took = Duration.ofNanos(System.nanoTime() - started);
            String reason = e.getMessage() == null ? e.toString() : e.getMessage();
            catalog.finishRun(run, "failed", null, null, took.toMillis(), null, reason);
            metrics.get().record(source, "file", "failed", 0, took);
            return Map.of("runId", run, "status", "failed", "error", reason);
        }
    }

    private LifeboatConfig.FileSource source(String name) {
        return config.files().stream().filter(f -> f.name().equals(name) && f.active()).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no enabled file source named '" + name + "'"));
    }

    @Override
    public void close() {
        triggered.shutdownNow();
    }
}
