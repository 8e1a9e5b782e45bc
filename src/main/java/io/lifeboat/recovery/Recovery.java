package io.lifeboat.recovery;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One recovery or restore drill, the message body that travels through its route: what is
 * restored (its items), from which point, to where, and each step with its status, duration,
 * estimate and findings. Stored in the catalog as a JSON document after every step, which is what
 * lets a recovery cut short by a stop continue from its last finished step (Recoveries.JSON reads
 * and writes its fields).
 */
public final class Recovery {
    public static final String DISASTER = "disaster";
    public static final String PARTIAL = "partial";
    public static final String COMPONENT = "component";
    public static final List<String> TYPES = List.of(DISASTER, PARTIAL, COMPONENT);
    public static final String IN_PROGRESS = "in_progress";
    public static final String COMPLETED = "completed";
    public static final String FAILED = "failed";
    /** Stopped on request, and what it had changed put back. */
    public static final String ABORTED = "aborted";
    /** What a restore is assumed to manage until one has been measured: 50 MiB/s. */
    static final double ASSUMED_THROUGHPUT = 50.0 * 1024 * 1024;

    /** One thing restored: a database cluster, a file source (or chosen paths of it), a configuration set. */
    public static final class Item {
        public static final String DATABASE = "database";
        public static final String FILES = "files";
        public static final String CONFIG = "config";
        String kind;
        String source;
        /** The snapshot restored (a database's base backup). */
        String snapshot;
        /** Where it lives: a file source's path, a database's data directory; "/" for configuration (pieces at their own paths). */
        String live;
        /** Where it is restored: the live place, or a directory below the recovery's target. */
        String restoreTo;
        /** A database: where recovery stops (PgRestore.Target: lsn, time, immediate or latest). */
        String stopKind;
        String stopValue;
        /** Chosen paths of a file source (all when empty). */
        List<String> paths = new ArrayList<>();
        long bytes;
        /** The newest point this item can be restored to, for the achieved RPO. */
        Instant newestPoint;
        /** The backup run whose fingerprint the restored database is compared with. */
        String fingerprint;
        /** Done (restored, and in place renamed in): an item a stop interrupted after it is not restored again. */
        boolean restored;
        /**
         * In place: the restored copy is complete, checked and on disk in its staging place, so that a
         * recovery resumed after a stop hands it over without restoring it again.
         */
        boolean staged;
        /** What the restore found, kept with the staged copy for the step's findings. */
        String restoredSaid;
        /** The live database server was stopped for the hand-over: an abort starts it again. */
        boolean stoppedServer;
        /** The database's log streaming is held for the hand-over, until the recovery ends. */
        boolean streamingHeld;
        /** MariaDB: the binlog position where the restored data ends (its history's start, for a later replay). */
        String replayedTo;
        /** MariaDB in place: the number the restored server's binlogs begin at, after all the old server wrote. */
        Long binlogFirst;
        /** MariaDB in place: when the restored server began its history (before it started), and its first file. */
        Instant switchedAt;
        String newHistory;
        /** The new binlog history is recorded in the archive (before its binlogs are streamed). */
        boolean historyRecorded;
        /** The full backup taken once the database was back, on its new timeline. */
        String protectionBackup;
        /** What the restore renamed aside, kept. */
        List<String> movedAside = new ArrayList<>();
        /** Each live place handed over, and how far (InPlace). */
        List<Swap> swaps = new ArrayList<>();
        /** Found while restoring and checked by the validation steps. */
        String filesCheck;
        Map<String, Map<String, Object>> tables;
        Map<String, Double> timings;
        Instant lastReplayed;
        String amcheck;

        Item() {
        }

        Item(String kind, String source, String snapshot, String live, String restoreTo, long bytes) {
            this.kind = kind;
            this.source = source;
            this.snapshot = snapshot;
            this.live = live;
            this.restoreTo = restoreTo;
            this.bytes = bytes;
        }

        public String kind() {
            return kind;
        }

        public String source() {
            return source;
        }

        public String snapshot() {
            return snapshot;
        }

        public String restoreTo() {
            return restoreTo;
        }

        public List<String> movedAside() {
            return movedAside;
        }

        boolean inPlace() {
            return restoreTo.equals(live);
        }

        Swap swap(Path place) {
            return swaps.stream().filter(s -> s.live.equals(place.toString())).findFirst().orElse(null);
        }
    }

    /**
     * One live place being replaced by its restored copy, written down before anything moves. How
     * far the hand-over got is not recorded but read from the disk (InPlace): a record a kill lost
     * cannot mislead it.
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public static final class Swap {
        String live;
        /** Where the restored copy waits until it takes the live place. */
        String restored;

        Swap() {
        }

        Swap(String live, String restored) {
            this.live = live;
            this.restored = restored;
        }
    }

    /** One step of the flow, in route order. */
    public static final class Step {
        public static final String PENDING = "pending";
        public static final String RUNNING = "running";
        public static final String DONE = "done";
        public static final String SKIPPED = "skipped";
        public static final String FAILED = "failed";
        String name;
        String status = PENDING;
        Instant startedAt;
        Long durationMs;
        /** Fixed cost and bytes to move: the estimate follows the throughput measured so far. */
        long fixedMs;
        long bytes;
        String detail;

        Step() {
        }

        Step(String name, long fixedMs, long bytes, String detail) {
            this.name = name;
            this.fixedMs = fixedMs;
            this.bytes = bytes;
            this.detail = detail;
        }

        public String name() {
            return name;
        }

        public String status() {
            return status;
        }

        public Long durationMs() {
            return durationMs;
        }

        public String detail() {
            return detail;
        }

        long estimateMs(double throughput) {
            return fixedMs + (long) (bytes * 1000 / throughput);
        }

        boolean finished() {
            return DONE.equals(status) || SKIPPED.equals(status);
        }
    }

    String id;
    String type;
    boolean drill;
    String backupId;
    String target;
    /** The copy (a target's name) a drill reads from, to measure a restore from it; null: the repository. */
    String readFrom;
    /** When the archived objects a restore needs were first asked for, for the time they took. */
    Instant thawAskedAt;
    Instant point;
    String status = IN_PROGRESS;
    Instant createdAt;
    Instant finishedAt;
    String error;
    List<Item> items = new ArrayList<>();
    List<Step> steps = new ArrayList<>();
    List<String> safetyBackups = new ArrayList<>();
    double throughput = ASSUMED_THROUGHPUT;
    Long rtoMs;
    Long rpoMs;
    String rtoTarget;
    String rpoTarget;
    int resumed;
    /** What an abort put back, one line per place. */
    List<String> putBack = new ArrayList<>();
    /** Passing through the route to list its steps, not to run them. */
    @JsonIgnore
    transient boolean planning;
    /** A step was interrupted by the service stopping: the recovery is left in progress, to continue. */
    @JsonIgnore
    transient boolean interrupted;

    Recovery() {
    }

    public String getId() {
        return id;
    }

    public String getType() {
        return type;
    }

    public boolean drill() {
        return drill;
    }

    public String status() {
        return status;
    }

    public String error() {
        return error;
    }

    public Instant createdAt() {
        return createdAt;
    }

    public Instant finishedAt() {
        return finishedAt;
    }

    public List<Item> items() {
        return items;
    }

    public List<Step> steps() {
        return steps;
    }

    public List<String> safetyBackups() {
        return safetyBackups;
    }

    public Long rtoMs() {
        return rtoMs;
    }

    public Long rpoMs() {
        return rpoMs;
    }

    public String target() {
        return target;
    }

    public Instant point() {
        return point;
    }

    public int resumed() {
        return resumed;
    }

    public List<String> putBack() {
        return putBack;
    }

    /** In a sandbox (a drill, or a target directory): the live services and places are not touched. */
    boolean sandboxed() {
        return target != null;
    }

    /** The step of that name, made (pending) when the route has a step the plan did not list. */
    Step step(String name) {
        for (Step s : steps) {
            if (s.name.equals(name)) {
                return s;
            }
        }
        Step added = new Step(name, 0, 0, null);
        steps.add(added);
        return added;
    }

    /** What a step is estimated to take at the throughput measured so far. */
    public long estimateMs(Step s) {
        return s.estimateMs(throughput);
    }

    /** How far it is, 0 to 100, by estimated time: finished steps whole, the running one by its elapsed share. */
    public int progress() {
        if (!IN_PROGRESS.equals(status)) {
            return COMPLETED.equals(status) ? 100 : (int) Math.round(100.0 * done() / Math.max(1, total()));
        }
        return (int) Math.min(99, Math.round(100.0 * done() / Math.max(1, total())));
    }

    /** When it should end: now plus what the unfinished steps are estimated to take at the measured throughput. */
    public Instant estimatedCompletion() {
        if (finishedAt != null) {
            return finishedAt;
        }
        long remaining = 0;
        for (Step s : steps) {
            if (!s.finished()) {
                long estimate = s.estimateMs(throughput);
                if (Step.RUNNING.equals(s.status) && s.startedAt != null) {
                    estimate = Math.max(0, estimate - Duration.between(s.startedAt, Instant.now()).toMillis());
                }
                remaining += estimate;
            }
        }
        return Instant.now().plusMillis(remaining);
    }

    private double done() {
        double done = 0;
        for (Step s : steps) {
            if (s.finished()) {
                done += s.estimateMs(throughput);
            } else if (Step.RUNNING.equals(s.status) && s.startedAt != null) {
                done += Math.min(0.9 * s.estimateMs(throughput), Duration.between(s.startedAt, Instant.now()).toMillis());
            }
        }
        return done;
    }

    private double total() {
        return steps.stream().mapToLong(s -> s.estimateMs(throughput)).sum();
    }

    /** A step moved bytes in that time: what the remaining ones are estimated with from now on. */
    void measured(long bytes, long millis) {
        if (bytes > 16L * 1024 * 1024 && millis > 0) {
            throughput = bytes * 1000.0 / millis;
        }
    }

    void fail(String reason) {
        if (error == null) {
            error = reason;
        }
    }
}
