package io.lifeboat.source.postgres;

import io.lifeboat.repository.LogArchive;
import io.lifeboat.repository.Repository;
import io.lifeboat.repository.Snapshot;
import io.lifeboat.source.DatabaseBackups;
import io.lifeboat.source.LogGap;
import io.lifeboat.source.LogReport;
import java.io.IOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

/**
 * Is the WAL of a source safe in the repository? The archived chain must have no gap after the
 * newest full backup (recovery to the present would stop at it; older gaps only limit how far back
 * a point-in-time restore can go), and the server must be handing its WAL over: archive_command not
 * failing, the wal-receive slot active. Run on the database's log schedule; a problem is an alert.
 */
public final class WalCheck {
    /** Finished segments the archive may trail the server by (the archiver works one at a time). */
    private static final int MAX_BEHIND = 2;

    private WalCheck() {
    }

    /** Checks the archive, and the server too when one is given. */
    public static LogReport run(Repository repository, String source, PgSource server) throws IOException {
        List<String> problems = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        List<String> archived = new LogArchive(repository, source).list();
        String oldestNeeded = null;
        String newestFullStart = null;
        for (Snapshot s : repository.snapshots()) {
            String kind = DatabaseBackups.kind(s, source);
            String start = PgBaseBackup.WalRange.of(s).start();
            if (start != null && ("full".equals(kind) || "incremental".equals(kind))) {
                oldestNeeded = oldestNeeded == null || start.compareTo(oldestNeeded) < 0 ? start : oldestNeeded;
                if ("full".equals(kind) && (newestFullStart == null || start.compareTo(newestFullStart) > 0)) {
                    newestFullStart = start;
                }
            }
        }
        if (archived.stream().noneMatch(n -> WalChain.isSegment(n.replace(LogArchive.PARTIAL, "")))) {
            problems.add("no WAL of " + source + " is archived (set archive_command to db wal-push, or run db "
                    + "wal-receive)");
        } else {
            for (LogGap gap : WalChain.gaps(archived, oldestNeeded, null)) {
                if (newestFullStart == null || gap.last().compareTo(newestFullStart) >= 0) {
                    problems.add("WAL gap: " + gap + " missing; recovery cannot go past it (take a full backup "
                            + "now, and find out what removed or never archived them)");
                } else {
                    notes.add("older WAL gap " + gap + ": point-in-time restores before the newest full backup "
                            + "cannot cross it");
                }
            }
        }
        String newest = archived.stream().filter(n -> WalChain.isSegment(n.replace(LogArchive.PARTIAL, "")))
                .reduce((a, b) -> b).orElse(null);
        if (server != null) {
            checkServer(server, problems, notes, newest);
        }
        return new LogReport(problems, notes, newest, archived.size());
    }

    private static void checkServer(PgSource server, List<String> problems, List<String> notes, String newest) {
        Properties props = new Properties();
        props.setProperty("user", server.user());
        String password = server.password();
        if (password != null) {
            props.setProperty("password", password);
        }
        props.setProperty("connectTimeout", "10");
        try (Connection db = DriverManager.getConnection("jdbc:postgresql://" + server.host() + ":" + server.port()
                + "/postgres", props)) {
            String archiveMode = single(db, "SELECT current_setting('archive_mode')", null);
            String current = single(db, "SELECT pg_walfile_name(pg_current_wal_lsn())", null);
            String slotActive = single(db, "SELECT active::text || ' ' || pg_size_pretty(pg_wal_lsn_diff("
                    + "pg_current_wal_lsn(), restart_lsn)) FROM pg_replication_slots WHERE slot_name = ?",
                    WalReceiver.slotName(server.name()));
            boolean archiving = !"off".equals(archiveMode);
            if (archiving) {
                String failing = single(db, "SELECT last_failed_wal || ' at ' || last_failed_time FROM pg_stat_archiver"
                        + " WHERE last_failed_time > coalesce(last_archived_time, '-infinity')", null);
                if (failing != null) {
                    problems.add("archive_command is failing: WAL " + failing + " could not be archived");
                }
            }
            if (slotActive != null && slotActive.startsWith("false")) {
                problems.add("wal-receive is not running: replication slot " + WalReceiver.slotName(server.name())
                        + " is inactive and holds " + slotActive.substring(6) + " of WAL on the server");
            }
            if (!archiving && (slotActive == null || slotActive.startsWith("false"))) {
                problems.add("WAL is not leaving the server: archive_mode is off and no wal-receive is streaming");
            }
            if (current != null && newest != null) {
                String newestSegment = newest.replace(LogArchive.PARTIAL, "");
                long behind = WalChain.timeline(newestSegment) == WalChain.timeline(current)
                        ? WalChain.number(current) - WalChain.number(newestSegment) - (newest.endsWith(LogArchive.PARTIAL) ? 0 : 1)
                        : 0;
                if (behind > MAX_BEHIND) {
                    problems.add("the repository is " + behind + " WAL segments behind the server (it writes "
                            + current + ", newest stored " + newest + "): the RPO is not being kept");
                } else {
                    notes.add("server writes " + current + ", newest in the repository " + newest);
                }
            }
        } catch (SQLException e) {
            problems.add("cannot reach " + server.name() + " at " + server.host() + ":" + server.port() + ": "
                    + e.getMessage());
        }
    }

    private static String single(Connection db, String sql, String parameter) throws SQLException {
        try (PreparedStatement ps = db.prepareStatement(sql)) {
            if (parameter != null) {
                ps.setString(1, parameter);
            }
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }
}
