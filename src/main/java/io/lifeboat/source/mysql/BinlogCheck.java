package io.lifeboat.source.mysql;

import io.lifeboat.repository.LogArchive;
import io.lifeboat.repository.Repository;
import io.lifeboat.repository.Snapshot;
import io.lifeboat.source.DatabaseBackups;
import io.lifeboat.source.LogGap;
import io.lifeboat.source.LogReport;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Are the binlogs of a source safe in the repository? No file missing after the newest full
 * backup's position (replay to the present would stop there; older gaps only limit how far back a
 * point-in-time restore can go), and, asked of the server: no file it has written is missing from
 * the repository — purged before it was streamed, or not streamed at all — and the file it writes
 * now is arriving. Run on the database's log schedule; a problem is an alert.
 */
public final class BinlogCheck {
    /** How long the file the server writes may have more than the repository holds of it. */
    private static final Duration MAX_BEHIND = Duration.ofSeconds(60);

    private BinlogCheck() {
    }

    /** Checks the archive, and the server too when one is given. */
    public static LogReport run(Repository repository, String source, MySqlSource server)
            throws IOException, InterruptedException {
        List<String> problems = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        LogArchive archive = new LogArchive(repository, source);
        List<String> archived = archive.list();
        String oldestNeeded = null;
        String newestFullStart = null;
        for (Snapshot s : repository.snapshots()) {
            String kind = DatabaseBackups.kind(s, source);
            String start = Binlogs.LOGS.firstNeeded(s);
            if (start != null && ("full".equals(kind) || "incremental".equals(kind))) {
                oldestNeeded = oldestNeeded == null || Binlogs.number(start) < Binlogs.number(oldestNeeded) ? start
                        : oldestNeeded;
                if ("full".equals(kind)) {
                    newestFullStart = start;
                }
            }
        }
        String newest = archived.stream().filter(n -> Binlogs.isFile(n.replace(LogArchive.PARTIAL, "")))
                .max((a, b) -> Long.compare(Binlogs.number(a.replace(LogArchive.PARTIAL, "")),
                        Binlogs.number(b.replace(LogArchive.PARTIAL, "")))).orElse(null);
        if (newest == null) {
            problems.add("no binlog of " + source + " is in the repository (is the service running, and binary "
                    + "logging on?)");
        } else {
            for (LogGap gap : Binlogs.gaps(archived, oldestNeeded)) {
                if (newestFullStart == null || Binlogs.number(gap.last()) >= Binlogs.number(newestFullStart)) {
                    problems.add("binlog gap: " + gap + " missing; point-in-time recovery cannot go past it (take a "
                            + "full backup now, and find out what purged them before they were streamed)");
                } else {
                    notes.add("older binlog gap " + gap + ": point-in-time restores before the newest full backup "
                            + "cannot cross it");
                }
            }
        }
        if (server != null) {
            checkServer(server, archive, newest, problems, notes);
        }
        return new LogReport(problems, notes, newest, archived.size());
    }

    private static void checkServer(MySqlSource server, LogArchive archive, String newest, List<String> problems,
                                    List<String> notes) throws InterruptedException {
        List<List<String>> files;
        try {
            files = server.query("SHOW BINARY LOGS");
        } catch (IOException e) {
            problems.add(e.getMessage());
            return;
        }
        if (files.isEmpty()) {
            problems.add(server.name() + " writes no binary logs: point-in-time recovery needs log_bin");
            return;
        }
        String oldestOnServer = files.get(0).get(0);
        List<String> current = files.get(files.size() - 1);
        if (newest == null) {
            return;
        }
        String newestFile = newest.replace(LogArchive.PARTIAL, "");
        long have = Binlogs.number(newestFile);
        long oldest = Binlogs.number(oldestOnServer);
        long writing = Binlogs.number(current.get(0));
        if (have + 1 < oldest) {
            problems.add("binlog " + Binlogs.name(newestFile, have + 1) + (have + 2 < oldest ? " .. "
                    + Binlogs.name(newestFile, oldest - 1) : "") + " purged from the server before it reached the "
                    + "repository");
        }
        if (have > writing) {
            problems.add("the server writes " + current.get(0) + ", older than the newest binlog in the repository ("
                    + newest + "): its binlogs were reset, or this is another server; take a full backup");
        } else if (writing > have) {
            problems.add("the repository is " + (writing - have) + " binlog files behind the server (it writes "
                    + current.get(0) + ", newest stored " + newest + "): is the binlog streamer running?");
        } else {
            LogArchive.Segment stored;
            try {
                stored = archive.current(newestFile);
            } catch (IOException e) {
                problems.add("cannot read " + newest + " in the repository: " + e.getMessage());
                return;
            }
            long size = Long.parseLong(current.get(1));
            if (stored != null && stored.size() < size
                    && Instant.parse(stored.stored()).isBefore(Instant.now().minus(MAX_BEHIND))) {
                problems.add("the repository holds " + stored.size() + " of the " + size + " bytes the server has "
                        + "written to " + current.get(0) + ", last stored " + stored.stored() + ": is the binlog "
                        + "streamer running?");
            } else {
                notes.add("server writes " + current.get(0) + ", newest in the repository " + newest);
            }
        }
    }
}
