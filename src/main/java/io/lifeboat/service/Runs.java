package io.lifeboat.service;

import io.lifeboat.catalog.Catalog;
import io.lifeboat.config.LifeboatConfig;
import io.lifeboat.monitoring.Alerts;
import io.lifeboat.monitoring.BackupMetrics;
import io.lifeboat.repository.Snapshot;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.apache.camel.Exchange;
import org.apache.camel.support.SynchronizationAdapter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts and ends backup runs for the flows: one run per source and kind at a time, each in the
 * catalog from its start ("in_progress") to its end, then in the metrics, and alerted when it
 * failed or could not do part of its work.
 */
public final class Runs {
    private static final Logger LOG = LoggerFactory.getLogger(Runs.class);
    /** How long what is dropped into the inbox is kept (the shortest file retention). */
    static final String DROP_FOLDER_RETENTION = "30d";
    private final Catalog catalog;
    private final LiveConfig config;
    private final Supplier<BackupMetrics> metrics;
    private final Alerts alerts;
    private final Set<String> running = ConcurrentHashMap.newKeySet();

    Runs(Catalog catalog, LiveConfig config, Supplier<BackupMetrics> metrics, Alerts alerts) {
        this.catalog = catalog;
        this.config = config;
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
     * Claims the source and records the run as started, with the retention configured for it. A
     * drop-folder run (with a path) claims nothing: each backs up a different path.
     * IllegalArgumentException when the source is not configured and enabled.
     */
    BackupRun start(String type, String source, String scope, Path path) {
        if (source == null) {
            throw new IllegalArgumentException("a run needs a source (the header 'source')");
        }
        String retention = retention(type, source, scope, path);
        String key = type + "/" + source;
        if (path == null && !running.add(key)) {
            throw new SourceBusyException((BackupRun.WAL.equals(type) ? "a WAL check of " : "a backup of ") + source
                    + " is running");
        }
        try {
            failRunsOfGoneNodes();
            return new BackupRun(catalog.startRun(source, type, retention), type, source, scope, path);
        } catch (RuntimeException e) {
            running.remove(key);
            throw e;
        }
    }

    /** Runs that nodes gone from a shared catalog left unfinished are failed, so that none stays in progress. */
    void failRunsOfGoneNodes() {
        try {
            int failed = catalog.failRunsOfGoneNodes();
            if (failed > 0) {
                LOG.warn("{} runs of nodes that stopped while they ran marked failed", failed);
            }
        } catch (RuntimeException e) {
            LOG.error("runs of stopped nodes not looked for: {}", e.getMessage());
        }
    }

    /** Makes sure the run ends in the catalog, and its source is freed, when the exchange carrying it ends. */
    void finishWhenDone(Exchange exchange, BackupRun run) {
        exchange.getExchangeExtension().addOnCompletion(new SynchronizationAdapter() {
            @Override
            public void onDone(Exchange done) {
                if (done.getException() != null) {
                    run.fail(done.getException().getMessage() == null ? done.getException().toString()
                            : done.getException().getMessage());
                }
                finish(run);
            }
        });
    }

    /**
     * Records the outcome in the catalog, then the metrics, once; lets the source run again
     * whatever happens.
     */
    void finish(BackupRun run) {
        try {
            synchronized (run) {
                if (run.recorded()) {
                    return;
                }
                if (run.getSnapshot() == null && !BackupRun.WAL.equals(run.getType())) {
                    run.fail("the flow ended without a snapshot (is the backup step in its route?)");
                }
                Snapshot s = run.getSnapshot();
                Duration took = Duration.ofNanos(System.nanoTime() - run.startedNanos());
                long size = s == null ? 0 : s.summary().bytes();
                if (run.writtenTo() != null && s != null) { // before the run reads as ended
                    try {
                        catalog.writtenToTarget(run.writtenTo().name(), run.writtenTo().path(),
                                Instant.parse(s.time()).truncatedTo(ChronoUnit.SECONDS)); // no later than the backup
                    } catch (RuntimeException e) {
                        run.note("copy-failed", "backup " + s.shortId() + " is in target " + run.writtenTo().name()
                                + " only, and the catalog could not record it (" + e.getMessage() + "): copy it back"
                                + " with bin/lifeboat copy once the repository answers", false);
                    }
                }
                catalog.finishRun(run.getId(), run.getStatus(), s == null ? null : size,
                        s == null ? null : s.summary().storedBytes(), took.toMillis(), s == null ? null : s.id(),
                        reason(run));
                run.markRecorded();
                try {
                    metrics.get().record(run.getSource(), run.getType(), run.getStatus(), size, took);
                } catch (RuntimeException e) {
                    LOG.error("metrics of {} not recorded: {}", run, e.getMessage());
                }
            }
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
        } else if (run.getSnapshot() != null && Snapshot.PARTIAL.equals(run.getSnapshot().status())) {
            List<Snapshot.Problem> problems = run.getSnapshot().problems();
            alerts.raise("backup-partial", run.getSource(), run.getType(), "backup " + run.getId() + " of "
                    + run.getSource() + " is partial: " + problems.size() + " parts could not be read"
                    + (problems.isEmpty() ? "" : ", first " + problems.get(0).path() + ": " + problems.get(0).message()));
        }
        for (BackupRun.Note n : run.getNotes()) {
            if (n.kind() != null) {
                alerts.raise(n.kind(), run.getSource(), run.getType(), n.message());
            }
        }
    }

    /** The retention the catalog shows for a run; checks that the source is configured and enabled. */
    private String retention(String type, String source, String scope, Path path) {
        if (path != null) {
            return DROP_FOLDER_RETENTION;
        }
        if (BackupRun.FILE.equals(type)) {
            return config.fileSource(source).retention();
        }
        if (BackupRun.CONFIG.equals(type)) {
            return config.configSource(source).retention();
        }
        LifeboatConfig.Database d = config.database(source);
        LifeboatConfig.Schedule s = switch (scope == null ? "full" : scope) {
            case "incremental" -> d.incremental();
            case "log" -> d.log();
            default -> d.full();
        };
        return s == null ? null : s.retention();
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
