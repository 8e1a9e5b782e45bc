package io.lifeboat.service;

import io.lifeboat.api.BackupTrigger;
import io.lifeboat.config.LifeboatConfig;
import io.lifeboat.repository.Repository;
import io.lifeboat.repository.Snapshot;
import io.lifeboat.storage.BlobStore;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * One run of a backup flow, the message body that travels through its route: who started it and
 * for what, the snapshot it made, and how it went. Each step of the route reads and adds to it.
 */
public final class BackupRun implements BackupTrigger.Run {
    public static final String FILE = "file";
    public static final String DATABASE = "database";
    public static final String CONFIG = "config";
    /** WAL checks are runs of their own type, so that each has its own status and alerts. */
    public static final String WAL = "wal";
    /** The source name of what is put into the drop folder. */
    public static final String DROP_FOLDER = "drop-folder";

    /**
     * Something the run could not do although it went on: a failed dump makes the run partial, a
     * retention that failed does not (the backup itself is safe); each is alerted with its kind.
     */
    public record Note(String kind, String message, boolean partial) {
    }

    private final String id;
    private final String type;
    private final String source;
    private final String scope;
    private final Path path;
    private final long startedNanos = System.nanoTime();
    private final List<Note> notes = new ArrayList<>();
    private final List<String> steps = new ArrayList<>();
    private volatile Snapshot snapshot;
    private volatile Repository repository;
    private volatile String error;
    private volatile boolean recorded;
    /** The target the backup went to because the repository could not be reached; null: the repository. */
    private volatile LifeboatConfig.Target writtenTo;

    BackupRun(String id, String type, String source, String scope, Path path) {
        this.id = id;
        this.type = type;
        this.source = source;
        this.scope = scope;
        this.path = path;
    }

    @Override
    public String getId() {
        return id;
    }

    public String getType() {
        return type;
    }

    public String getSource() {
        return source;
    }

    /** full or incremental for databases, log for WAL checks; null for files and configuration. */
    public String getScope() {
        return scope;
    }

    /** What a drop-folder run backs up; null for configured sources. */
    Path path() {
        return path;
    }

    long startedNanos() {
        return startedNanos;
    }

    public Snapshot getSnapshot() {
        return snapshot;
    }

    /** The repository could not be reached: the backup goes to the target instead, which is alerted. */
    void writtenTo(LifeboatConfig.Target target, BlobStore store, Exception why) {
        writtenTo = target;
        note("repository-unreachable", "the repository could not be reached (" + why.getMessage() + "): this backup"
                + " went to target " + target.name() + " (" + store.location() + ") and goes back to the repository"
                + " when it answers", false);
    }

    LifeboatConfig.Target writtenTo() {
        return writtenTo;
    }

    /** The snapshot this run committed, and the repository as it was opened for it. */
    void snapshot(Snapshot s, Repository openedFor) {
        snapshot = s;
        repository = openedFor;
    }

    /**
     * The repository the backup wrote to, for the steps after it (verify, dumps, retention): they
     * judge what was written, not whether the repository can still be opened a moment later.
     * Opened afresh when no backup step ran.
     */
    Repository repository(RepositoryAccess access) throws IOException {
        Repository opened = repository;
        return opened != null ? opened : access.open();
    }

    /** success, partial (a snapshot, with things it could not do) or failed. */
    public String getStatus() {
        if (error != null) {
            return "failed";
        }
        if (snapshot == null) {
            return WAL.equals(type) ? Snapshot.SUCCESS : "failed";
        }
        return Snapshot.PARTIAL.equals(snapshot.status()) || getNotes().stream().anyMatch(Note::partial)
                ? Snapshot.PARTIAL : Snapshot.SUCCESS;
    }

    public boolean isFailed() {
        return "failed".equals(getStatus());
    }

    public String getError() {
        return error;
    }

    void fail(String reason) {
        if (error == null) {
            error = reason;
        }
    }

    public synchronized List<Note> getNotes() {
        return List.copyOf(notes);
    }

    synchronized void note(String kind, String message, boolean partial) {
        notes.add(new Note(kind, message, partial));
    }

    /** The steps that ran, in order: what an operator's edit of the route changed shows here. */
    public synchronized List<String> getSteps() {
        return List.copyOf(steps);
    }

    synchronized void stepRan(String step) {
        steps.add(step);
    }

    boolean recorded() {
        return recorded;
    }

    void markRecorded() {
        recorded = true;
    }

    @Override
    public String toString() {
        return type + " run " + id + " of " + source + ": " + getStatus() + (error == null ? "" : " (" + error + ")");
    }
}
