package io.lifeboat.source;

import io.lifeboat.repository.LogArchive;
import io.lifeboat.repository.Repository;
import io.lifeboat.repository.Snapshot;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Retention of one database's backups (PostgreSQL or MySQL/MariaDB), respecting what recovery needs. A full backup is kept for
 * its retention and always while it is the newest; an incremental for its own (a PostgreSQL one restores on
 * its own with the WAL from its start; a MariaDB one needs the chain back to its full, which is kept
 * while any of them is: see chainOf); a dump for the full's time,
 * the newest of each database always. Logs (WAL, binlogs) are kept from the start of the oldest backup kept, so
 * every kept backup can still be rolled forward to any later moment; older WAL goes once it is
 * also older than the log retention ("24 h past the oldest full that needs it").
 * Removing a backup removes its snapshot; the space its data alone used comes back with prune.
 */
public final class DatabaseRetention {
    /** How a database's transaction logs are named and which of them a backup needs. */
    public interface Logs {
        /** The first log file the backup needs to be rolled forward, from its tags; null when it has none. */
        String firstNeeded(Snapshot backup);

        /** The backup an incremental was taken against (it restores only on top of it), else null. */
        default String basedOn(Snapshot backup) {
            return null;
        }

        /** Whether an archived name is a log file retention may remove (not a timeline history, say). */
        boolean isLog(String name);

        /** Orders two log file names as the server wrote them. */
        int compare(String a, String b);
    }

    /** What stays and what goes, and why. */
    public record Plan(List<Decision> backups, List<String> removeWal, String keepWalFrom) {
        public List<Decision> removed() {
            return backups.stream().filter(d -> !d.keep()).toList();
        }
    }

    /** One backup's fate. */
    public record Decision(String id, String kind, String time, boolean keep, String reason) {
    }

    private DatabaseRetention() {
    }

    public static Plan plan(Repository repository, String source, Logs logs, Duration full, Duration incremental, Duration wal,
                            Instant now) throws IOException {
        List<Snapshot> mine = repository.snapshots().stream().filter(s -> DatabaseBackups.kind(s, source) != null).toList();
        Snapshot newestFull = null;
        Map<String, Snapshot> newestDump = new LinkedHashMap<>();
        for (Snapshot s : mine) {
            String kind = DatabaseBackups.kind(s, source);
            if ("full".equals(kind)) {
                newestFull = s;
            } else if ("dump".equals(kind)) {
                newestDump.put(DatabaseBackups.database(s), s);
            }
        }
        Map<String, Decision> decisions = new LinkedHashMap<>();
        for (Snapshot s : mine) {
            String kind = DatabaseBackups.kind(s, source);
            Duration age = Duration.between(Instant.parse(s.time()), now);
            Duration keepFor = "incremental".equals(kind) ? incremental : full;
            boolean newest = s == newestFull || ("dump".equals(kind) && s == newestDump.get(DatabaseBackups.database(s)));
            boolean keep = newest || age.compareTo(keepFor) < 0;
            String reason = newest ? "the newest " + kind : keep ? "younger than " + human(keepFor)
                    : "older than " + human(keepFor);
            decisions.put(s.id(), new Decision(s.id(), kind, s.time(), keep, reason));
        }
        // newest first: a kept incremental keeps the backups it restores on top of, back to its full
        for (int i = mine.size() - 1; i >= 0; i--) {
            Snapshot s = mine.get(i);
            String base = logs.basedOn(s);
            Decision d = decisions.get(s.id());
            Decision b = base == null ? null : decisions.get(base);
            if (d.keep() && b != null && !b.keep()) {
                decisions.put(base, new Decision(b.id(), b.kind(), b.time(), true, "needed by incremental "
                        + s.id().substring(0, 8)));
            }
        }
        String oldestKeptStart = null;
        for (Snapshot s : mine) {
            String start = logs.firstNeeded(s);
            String kind = DatabaseBackups.kind(s, source);
            if (decisions.get(s.id()).keep() && start != null && !"dump".equals(kind)
                    && (oldestKeptStart == null || logs.compare(start, oldestKeptStart) < 0)) {
                oldestKeptStart = start;
            }
        }
        List<String> removeWal = new ArrayList<>();
        if (oldestKeptStart != null) {
            LogArchive archive = new LogArchive(repository, source);
            List<String> archived = archive.list();
            Set<String> complete = new HashSet<>(archived);
            for (String name : archived) {
                String segment = name.replace(LogArchive.PARTIAL, "");
                if (!logs.isLog(segment)) {
                    continue; // timeline history files are tiny and recovery may need any of them
                }
                boolean superseded = name.endsWith(LogArchive.PARTIAL) && complete.contains(segment);
                boolean beforeKept = logs.compare(segment, oldestKeptStart) < 0;
                if (superseded || beforeKept && storedBefore(archive, name, now.minus(wal))) {
                    removeWal.add(name);
                }
            }
        }
        return new Plan(List.copyOf(decisions.values()), removeWal, oldestKeptStart);
    }

    /** Removes what the plan says goes: backups first, then the logs only they needed. */
    public static void apply(Repository repository, String source, Plan plan) throws IOException {
        for (Decision d : plan.removed()) {
            repository.forget(d.id());
        }
        LogArchive archive = new LogArchive(repository, source);
        for (String name : plan.removeWal()) {
            archive.remove(name);
        }
    }

    private static boolean storedBefore(LogArchive archive, String name, Instant limit) throws IOException {
        LogArchive.Segment s = archive.get(name);
        return s != null && Instant.parse(s.stored()).isBefore(limit);
    }

    private static String human(Duration d) {
        return d.toHours() % 24 == 0 ? d.toDays() + "d" : d.toHours() + "h";
    }
}
