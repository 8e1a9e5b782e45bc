package io.lifeboat.service;

import io.lifeboat.catalog.Catalog;
import io.lifeboat.compress.Compression;
import io.lifeboat.config.LifeboatConfig;
import io.lifeboat.monitoring.Alerts;
import io.lifeboat.monitoring.BackupMetrics;
import io.lifeboat.repository.Progress;
import io.lifeboat.repository.Snapshot;
import io.lifeboat.source.files.Archiver;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Runs file backups for the routes: one configured source, or a path dropped into the inbox.
 * Every run is in the catalog from its start ("in_progress") to its end, and in the metrics.
 */
public final class FileBackups extends BackupRunner implements AutoCloseable {
    /** How long what is dropped into the inbox is kept (the shortest file retention). */
    public static final String DROP_FOLDER_RETENTION = "30d";
    public FileBackups(LifeboatConfig config, RepositoryAccess repository, Catalog catalog,
                       Supplier<BackupMetrics> metrics, Alerts alerts) {
        super("file", config, repository, catalog, metrics, alerts);
    }

    public List<String> sources() {
        return config.files().stream().filter(LifeboatConfig.FileSource::active).map(LifeboatConfig.FileSource::name)
                .toList();
    }

    /** Backs up one configured source now, unless it is running already; returns the run's outcome. */
    public Map<String, Object> run(String sourceName) {
        LifeboatConfig.FileSource s = source(sourceName);
        if (!running.add(s.name())) {
            return Map.of("status", "skipped", "reason", "a backup of " + s.name() + " is running");
        }
        try {
            return backup(catalog.startRun(s.name(), "file", s.retention()), s.name(), Path.of(s.path()),
                    List.of("source:" + s.name()));
        } finally {
            running.remove(s.name());
        }
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

    /**
     * Starts backups of one source, or of all, in the background; returns the first run's id.
     * IllegalStateException when there is nothing to start or a requested source is running.
     */
    public String start(String sourceName) {
        List<String> names = sourceName == null ? sources() : List.of(source(sourceName).name());
        if (names.isEmpty()) {
            throw new IllegalStateException("no file source is enabled");
        }
        String first = null;
        for (String name : names) {
            LifeboatConfig.FileSource s = source(name);
            if (!running.add(s.name())) {
                if (sourceName != null) {
                    throw new IllegalStateException("a backup of " + s.name() + " is running");
                }
                continue;
            }
            String run = catalog.startRun(s.name(), "file", s.retention());
            first = first == null ? run : first;
            triggered.submit(() -> {
                try {
                    backup(run, s.name(), Path.of(s.path()), List.of("source:" + s.name()));
                } finally {
                    running.remove(s.name());
                }
            });
        }
        if (first == null) {
            throw new IllegalStateException("every file source is being backed up already");
        }
        return first;
    }

    /** One run: the snapshot is tagged with the run id, so the catalog can be rebuilt from the repository. */
    private Map<String, Object> backup(String run, String source, Path path, List<String> tags) {
        long started = System.nanoTime();
        List<String> allTags = new java.util.ArrayList<>(tags);
        allTags.add("run:" + run);
        Snapshot s;
        try {
            s = new Archiver(repository.open(), new Archiver.Options(List.of(path), allTags,
                    Compression.parse(config.repository().compression())), new Progress()).run();
        } catch (Exception e) {
            return failed(run, source, e, started);
        }
        String error = s.problems().isEmpty() ? null : s.problems().size() + " entries not backed up, first: "
                + s.problems().get(0).path() + ": " + s.problems().get(0).message();
        return succeeded(run, source, s, started, error);
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
