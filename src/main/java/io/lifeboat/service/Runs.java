package io.lifeboat.service;

import io.lifeboat.catalog.Catalog;
import io.lifeboat.monitoring.Alerts;
import io.lifeboat.monitoring.BackupMetrics;
import io.lifeboat.repository.Snapshot;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Starts and ends backup runs for the flows: one run per source and kind at a time, each in the
 * catalog from its start ("in_progress") to its end, then in the metrics, and alerted when it
 * failed or could not do part of its work.
 */
public final class Runs {
    private final Catalog catalog;
    private final Supplier<BackupMetrics> metrics;
    private final Alerts alerts;
    private final Set<String> running = ConcurrentHashMap.newKeySet();

    public Runs(Catalog catalog, Supplier<BackupMetrics> metrics, Alerts alerts) {
        this.catalog = catalog;
        this.metrics = metrics;
        this.alerts = alerts;
    }

    /** A source is busy while a run of its kind is going; WAL checks run beside backups. */
    public static final class SourceBusyException extends IllegalStateException {
        SourceBusyException(String message) {
            super(message);
        }
    }

    /**
     * Claims the source and records the run as started. A drop-folder run (with a path) claims
     * nothing: each backs up a different path.
     */
    BackupRun start(String type, String source, String scope, Path path, String retention) {
        String key = type + "/" + source;
        if (path == null && !running.add(key)) {
            throw new SourceBusyException("a " + (scope == null ? type : scope) + " run of " + source + " is running");
        }
        try {
            return new BackupRun(catalog.startRun(source, type, retention), type, source, scope, path, retention);
        } catch (RuntimeException e) {
            running.remove(key);
            throw e;
        }
    }

    /** Records the outcome in the catalog and the metrics, once; lets the source run again. */
    void finish(BackupRun run) {
        if (run.recorded()) {
            return;
        }
        run.markRecorded();
        try {
            if (run.getSnapshot() == null && !BackupRun.WAL.equals(run.getType())) {
                run.fail("the flow ended without a snapshot (is the backup step in its route?)");
            }
            Snapshot s = run.getSnapshot();
            String status = run.getStatus();
            Duration took = Duration.ofNanos(System.nanoTime() - run.startedNanos());
            long size = s == null ? 0 : s.summary().bytes();
            metrics.get().record(run.getSource(), run.getType(), status, size, took);
            catalog.finishRun(run.getId(), status, s == null ? null : size, s == null ? null : s.summary().storedBytes(),
                    took.toMillis(), s == null ? null : s.id(), reason(run));
        } finally {
            if (run.path() == null) {
                running.remove(run.getType() + "/" + run.getSource());
            }
        }
    }

    /** Raises the alerts a finished run calls for: its failure, and each note of a kind. */
    void alert(BackupRun run) {
        if (run.isFailed()) {
            alerts.raise("backup-failed", run.getSource(), run.getType(), run.getError());
        }
        for (BackupRun.Note n : run.getNotes()) {
            if (n.kind() != null) {
                alerts.raise(n.kind(), run.getSource(), run.getType(), n.message());
            }
        }
    }

    /** What the catalog says of a run: why it failed, or what it could not do. */
    private static String reason(BackupRun run) {
        if (run.getError() != null) {
            return run.getError();
        }
        StringBuilder out = new StringBuilder();
        Snapshot s = run.getSnapshot();
        if (s != null && !s.problems().isEmpty()) {
            out.append(s.problems().size()).append(" entries not backed up, first: ").append(s.problems().get(0).path())
                    .append(": ").append(s.problems().get(0).message());
        }
        for (BackupRun.Note n : run.getNotes()) {
            out.append(out.length() == 0 ? "" : "; ").append(n.message());
        }
        return out.length() == 0 ? null : out.toString();
    }
}
