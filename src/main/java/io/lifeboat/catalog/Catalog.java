package io.lifeboat.catalog;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.lifeboat.repository.Keys;
import io.lifeboat.security.ApiTokens;
import io.lifeboat.security.Role;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;

/**
 * The JDBC index of backup runs and API tokens: embedded H2 by default, PostgreSQL when
 * configured; the schema is migrated by Flyway on open. It indexes the repository, which stays
 * the truth ({@code lifeboat catalog rebuild}).
 */
public final class Catalog implements AutoCloseable {
    /** One backup run, as the API and metrics report it. */
    public record Run(String id, String source, String type, String status, Instant startedAt, Instant finishedAt,
                      Long sizeBytes, Long storedBytes, Long durationMs, String snapshotId, String error,
                      String retention) {
    }

    /** A restore and its validation; rowCounts is JSON ("database.schema.table" to rows). */
    public record RestoreCheck(String id, String source, String snapshotId, String target, String dataDir,
                               Instant finishedAt, long durationMs, String status, Long totalRows, String rowCounts,
                               String report) {
    }

    /** A recovery or drill as stored: its state is the JSON document of io.lifeboat.recovery.Recovery. */
    public record StoredRecovery(String id, String type, boolean drill, String status, Instant createdAt,
                                 Instant finishedAt, String node, String state) {
    }

    /**
     * What a database held at a backup: tables is JSON ("database.schema.table" to rows and checksum),
     * baselines JSON (performance check to milliseconds); exact when no WAL was written while it was taken.
     */
    public record Fingerprint(String runId, String source, Instant takenAt, String lsn, boolean exact, String tables,
                              String baselines) {
    }

    /** A token's record; the token itself is never stored. */
    /** A target's last copy: done (copied and checked) or failed, with what it sent. */
    public record CopyState(String target, String location, String status, Instant attemptedAt, Instant checkedAt,
            String error, Integer objectsSent, Long bytesSent) {
    }

    public record Token(String id, String name, Role role, Instant createdAt, Instant revokedAt) {
    }

    private final HikariDataSource pool;
    /** This node's name (Keys.node), recorded with each run. */
    private final String node;

    private Catalog(HikariDataSource pool) {
        this.pool = pool;
        this.node = Keys.node();
    }

    /** The catalog a configuration names; its password, if any, from the configured environment variable. */
    public static Catalog open(io.lifeboat.config.LifeboatConfig.Catalog c) {
        return open(c.url(), c.user(), c.passwordEnv() == null ? null : System.getenv(c.passwordEnv()));
    }

    public static Catalog open(String url, String user, String password) {
        HikariConfig c = new HikariConfig();
        c.setJdbcUrl(url);
        c.setUsername(user);
        c.setPassword(password);
        c.setMaximumPoolSize(8); // runs, API requests and, when shared, the scheduler's cluster check-ins
        c.setPoolName("catalog");
        HikariDataSource pool = new HikariDataSource(c);
        try {
            Flyway.configure().dataSource(pool)
                    .locations("classpath:db/migration", "classpath:io/lifeboat/catalog/migration").load().migrate();
        } catch (RuntimeException e) {
            pool.close();
            throw e;
        }
        Catalog catalog = new Catalog(pool);
        if (url.startsWith("jdbc:h2:")) {
            // the embedded catalog writes each commit at once: by default it keeps the last second's in
            // memory, and a killed service would then forget a backup it had recorded as done
            catalog.update("SET WRITE_DELAY 0");
        }
        return catalog;
    }

    public String startRun(String source, String type, String retention) {
        String id = UUID.randomUUID().toString();
        update("INSERT INTO backup_run (id, source, type, status, started_at, retention, node)"
                + " VALUES (?, ?, ?, 'in_progress', ?, ?, ?)", id, source, type, Timestamp.from(Instant.now()), retention,
                node);
        return id;
    }

    public void finishRun(String id, String status, Long size, Long stored, Long durationMs, String snapshotId,
                          String error) {
        update("UPDATE backup_run SET status = ?, finished_at = ?, size_bytes = ?, stored_bytes = ?, duration_ms = ?,"
                + " snapshot_id = ?, error = ? WHERE id = ?", status, Timestamp.from(Instant.now()), size, stored,
                durationMs, snapshotId, error == null ? null : error.substring(0, Math.min(2000, error.length())), id);
    }

    /** Adds a finished run found in the repository, unless its snapshot is already indexed. */
    public boolean addFinishedRun(Run r) {
        if (!query("SELECT id FROM backup_run WHERE snapshot_id = ?", rs -> rs.getString(1), r.snapshotId()).isEmpty()) {
            return false;
        }
        update("INSERT INTO backup_run (id, source, type, status, started_at, finished_at, size_bytes, stored_bytes,"
                + " duration_ms, snapshot_id, error, retention) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                r.id(), r.source(), r.type(), r.status(), Timestamp.from(r.startedAt()),
                r.finishedAt() == null ? null : Timestamp.from(r.finishedAt()), r.sizeBytes(), r.storedBytes(),
                r.durationMs(), r.snapshotId(), r.error(), r.retention());
        return true;
    }

    /** Runs, newest first, optionally of one type and since a time. */
    public List<Run> runs(String type, Instant since) {
        Timestamp from = Timestamp.from(since == null ? Instant.EPOCH : since);
        Object[] args = type == null ? new Object[] {from} : new Object[] {from, type};
        return query(RUN_COLUMNS + " WHERE started_at >= ?" + (type == null ? "" : " AND type = ?")
                + " ORDER BY started_at DESC", Catalog::run, args);
    }

    /** The run with this id, if there is one. */
    public Optional<Run> run(String id) {
        return query(RUN_COLUMNS + " WHERE id = ?", Catalog::run, id).stream().findFirst();
    }

    /** The run that made this snapshot, if the catalog knows it. */
    public Optional<Run> runOfSnapshot(String snapshotId) {
        return query(RUN_COLUMNS + " WHERE snapshot_id = ?", Catalog::run, snapshotId).stream().findFirst();
    }

    private static final String RUN_COLUMNS = "SELECT id, source, type, status, started_at, finished_at, size_bytes,"
            + " stored_bytes, duration_ms, snapshot_id, error, retention FROM backup_run";

    private static Run run(ResultSet rs) throws SQLException {
        return new Run(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getTimestamp(5).toInstant(),
                rs.getTimestamp(6) == null ? null : rs.getTimestamp(6).toInstant(), rs.getObject(7, Long.class),
                rs.getObject(8, Long.class), rs.getObject(9, Long.class), rs.getString(10), rs.getString(11),
                rs.getString(12));
    }

    /**
     * At start-up: this node's runs still in_progress were cut short by its stop; record them as
     * failed. Another node's runs, in a catalog several nodes share, are its own business.
     */
    public int failUnfinishedRuns(String reason) {
        return update("UPDATE backup_run SET status = 'failed', finished_at = ?, error = ? WHERE status = 'in_progress'"
                + " AND (node = ? OR node IS NULL)", Timestamp.from(Instant.now()), reason, node);
    }

    /**
     * Fails the unfinished runs of nodes that have left the shared scheduler: stopped, or dead and
     * their schedules taken over by another node (Quartz then removes their state). Nothing to do
     * with an embedded catalog, which serves one node.
     */
    public int failRunsOfGoneNodes() {
        if (sharedDataSource() == null) {
            return 0;
        }
        return update("UPDATE backup_run SET status = 'failed', finished_at = ?, error = 'interrupted: node ' || node"
                + " || ' stopped while it ran' WHERE status = 'in_progress' AND node IS NOT NULL AND node <> ?"
                + " AND node NOT IN (SELECT instance_name FROM qrtz_scheduler_state)", Timestamp.from(Instant.now()), node);
    }

    /** Removes every run, for a rebuild from the repository. */
    public void clearRuns() {
        update("DELETE FROM backup_run");
    }

    public void recordRestoreCheck(RestoreCheck c) {
        update("INSERT INTO restore_check (id, source, snapshot_id, target, data_dir, finished_at, duration_ms, status,"
                + " total_rows, row_counts, report) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", c.id(), c.source(),
                c.snapshotId(), c.target(), c.dataDir(), Timestamp.from(c.finishedAt()), c.durationMs(), c.status(),
                c.totalRows(), c.rowCounts(), c.report() == null ? null : c.report().substring(0,
                        Math.min(4000, c.report().length())));
    }

    /** Restore checks of a source, newest first. */
    public List<RestoreCheck> restoreChecks(String source) {
        return query("SELECT id, source, snapshot_id, target, data_dir, finished_at, duration_ms, status, total_rows,"
                + " row_counts, report FROM restore_check WHERE source = ? ORDER BY finished_at DESC",
                rs -> new RestoreCheck(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
                        rs.getString(5), rs.getTimestamp(6).toInstant(), rs.getLong(7), rs.getString(8),
                        rs.getObject(9, Long.class), rs.getString(10), rs.getString(11)), source);
    }

    /**
     * Records a recovery's state, durably at once: a service killed the next moment must find the
     * step it had just finished (embedded H2 otherwise writes commits out up to a second later).
     */
    public void saveRecovery(StoredRecovery r) {
        Timestamp finished = r.finishedAt() == null ? null : Timestamp.from(r.finishedAt());
        if (update("UPDATE recovery SET status = ?, finished_at = ?, state = ? WHERE id = ?", r.status(), finished,
                r.state(), r.id()) == 0) {
            update("INSERT INTO recovery (id, type, drill, status, created_at, finished_at, node, state)"
                    + " VALUES (?, ?, ?, ?, ?, ?, ?, ?)", r.id(), r.type(), r.drill(), r.status(),
                    Timestamp.from(r.createdAt()), finished, node, r.state());
        }
        if (sharedDataSource() == null) {
            update("CHECKPOINT SYNC");
        }
    }

    public Optional<StoredRecovery> recovery(String id) {
        return recoveries("id = ?", id).stream().findFirst();
    }

    /** Drills, or recoveries that are not drills, newest first. */
    public List<StoredRecovery> recoveries(boolean drills) {
        return recoveries("drill = ?", drills);
    }

    /** Recoveries and drills in progress, of every node. */
    public List<StoredRecovery> recoveriesInProgress() {
        return recoveries("status = ?", "in_progress");
    }

    /** This node's recoveries still in progress: a stop cut them short. */
    public List<StoredRecovery> unfinishedRecoveries() {
        return recoveries("status = 'in_progress' AND (node = ? OR node IS NULL)", node);
    }

    private List<StoredRecovery> recoveries(String where, Object arg) {
        return query("SELECT id, type, drill, status, created_at, finished_at, node, state FROM recovery WHERE " + where
                + " ORDER BY created_at DESC", rs -> new StoredRecovery(rs.getString(1), rs.getString(2),
                rs.getBoolean(3), rs.getString(4), rs.getTimestamp(5).toInstant(),
                rs.getTimestamp(6) == null ? null : rs.getTimestamp(6).toInstant(), rs.getString(7), rs.getString(8)),
                arg);
    }

    public void recordFingerprint(Fingerprint f) {
        update("INSERT INTO table_fingerprint (run_id, source, taken_at, lsn, exact, tables, baselines)"
                + " VALUES (?, ?, ?, ?, ?, ?, ?)", f.runId(), f.source(), Timestamp.from(f.takenAt()), f.lsn(), f.exact(),
                f.tables(), f.baselines());
    }

    /** Fingerprints of a database source, newest first. */
    public List<Fingerprint> fingerprints(String source) {
        return query("SELECT run_id, source, taken_at, lsn, exact, tables, baselines FROM table_fingerprint"
                + " WHERE source = ? ORDER BY taken_at DESC", rs -> new Fingerprint(rs.getString(1), rs.getString(2),
                rs.getTimestamp(3).toInstant(), rs.getString(4), rs.getBoolean(5), rs.getString(6), rs.getString(7)),
                source);
    }

    /** Creates a token and returns it; it cannot be shown again. */
    public String createToken(String name, Role role) {
        String token = ApiTokens.generate();
        update("INSERT INTO api_token (id, name, role, token_hash, created_at) VALUES (?, ?, ?, ?, ?)",
                UUID.randomUUID().toString(), name, role.name(), ApiTokens.hash(token), Timestamp.from(Instant.now()));
        return token;
    }

    /** The role of a live token, if the token is known and not revoked. */
    public Optional<Role> roleOf(String token) {
        return query("SELECT role FROM api_token WHERE token_hash = ? AND revoked_at IS NULL",
                rs -> Role.valueOf(rs.getString(1)), ApiTokens.hash(token)).stream().findFirst();
    }

    public List<Token> tokens() {
        return query("SELECT id, name, role, created_at, revoked_at FROM api_token ORDER BY created_at", rs -> new Token(
                rs.getString(1), rs.getString(2), Role.valueOf(rs.getString(3)), rs.getTimestamp(4).toInstant(),
                rs.getTimestamp(5) == null ? null : rs.getTimestamp(5).toInstant()));
    }

    /** Revokes the live tokens with this id or name; returns how many. */
    public int revokeToken(String idOrName) {
        return update("UPDATE api_token SET revoked_at = ? WHERE (id = ? OR name = ?) AND revoked_at IS NULL",
                Timestamp.from(Instant.now()), idOrName, idOrName);
    }

    /** A copy to the target was made and checked: it holds these snapshots now. */
    public void copyChecked(String target, String location, Set<String> snapshots, int objectsSent, long bytesSent) {
        Timestamp now = Timestamp.from(Instant.now());
        if (update("UPDATE copy_target SET location = ?, status = 'done', attempted_at = ?, checked_at = ?, error = NULL,"
                + " objects_sent = ?, bytes_sent = ? WHERE target = ?", location, now, now, objectsSent, bytesSent,
                target) == 0) {
            update("INSERT INTO copy_target (target, location, status, attempted_at, checked_at, objects_sent, bytes_sent)"
                    + " VALUES (?, ?, 'done', ?, ?, ?, ?)", target, location, now, now, objectsSent, bytesSent);
        }
        Set<String> known = Set.copyOf(query("SELECT snapshot_id FROM snapshot_copy WHERE target = ?",
                rs -> rs.getString(1), target));
        update("UPDATE snapshot_copy SET checked_at = ? WHERE target = ?", now, target);
        for (String id : snapshots) {
            if (!known.contains(id)) {
                update("INSERT INTO snapshot_copy (snapshot_id, target, checked_at) VALUES (?, ?, ?)", id, target, now);
            }
        }
        for (String id : known) {
            if (!snapshots.contains(id)) {
                update("DELETE FROM snapshot_copy WHERE snapshot_id = ? AND target = ?", id, target);
            }
        }
    }

    /**
     * A run wrote its backup to the target instead of the repository: the target holds backups the
     * repository lacks, since the first such run.
     */
    public void writtenToTarget(String target, String location, Instant backupTime) {
        Timestamp now = Timestamp.from(backupTime);
        if (update("UPDATE copy_target SET written_since = COALESCE(written_since, ?) WHERE target = ?", now, target)
                == 0) {
            update("INSERT INTO copy_target (target, location, status, attempted_at, written_since)"
                    + " VALUES (?, ?, 'failed', ?, ?)", target, location, now, now);
        }
    }

    /** The targets holding backups the repository lacks, each with since when. */
    public Map<String, Instant> writtenToTargets() {
        Map<String, Instant> out = new LinkedHashMap<>();
        query("SELECT target, written_since FROM copy_target WHERE written_since IS NOT NULL ORDER BY target", rs -> {
            out.put(rs.getString(1), rs.getTimestamp(2).toInstant());
            return null;
        });
        return out;
    }

    /** What the target held for the repository is back in it. */
    public void backInRepository(String target) {
        update("UPDATE copy_target SET written_since = NULL WHERE target = ?", target);
    }

    /** A copy to the target failed: shown as failed (its snapshots stay as last checked). */
    public void copyFailed(String target, String location, String error) {
        Timestamp now = Timestamp.from(Instant.now());
        String why = error.substring(0, Math.min(2000, error.length()));
        if (update("UPDATE copy_target SET location = ?, status = 'failed', attempted_at = ?, error = ? WHERE target = ?",
                location, now, why, target) == 0) {
            update("INSERT INTO copy_target (target, location, status, attempted_at, error) VALUES (?, ?, 'failed', ?, ?)",
                    target, location, now, why);
        }
    }

    /** One run of the scheduled integrity check: the subset n of t it read, and what it found. */
    public record VerifyRun(Instant startedAt, int subset, int subsets, int packsRead, int errors, String firstError) {
    }

    public void verifyRecorded(VerifyRun run) {
        update("INSERT INTO verify_run (started_at, subset, subsets, packs_read, errors, first_error) VALUES (?, ?, ?, ?,"
                + " ?, ?)", Timestamp.from(run.startedAt()), run.subset(), run.subsets(), run.packsRead(), run.errors(),
                run.firstError() == null ? null : run.firstError().substring(0, Math.min(2000, run.firstError().length())));
    }

    /** The integrity check's runs, newest first. */
    public List<VerifyRun> verifyRuns() {
        return query("SELECT started_at, subset, subsets, packs_read, errors, first_error FROM verify_run"
                + " ORDER BY started_at DESC", rs -> new VerifyRun(rs.getTimestamp(1).toInstant(), rs.getInt(2),
                rs.getInt(3), rs.getInt(4), rs.getInt(5), rs.getString(6)));
    }

    public List<CopyState> copyStates() {
        return query("SELECT target, location, status, attempted_at, checked_at, error, objects_sent, bytes_sent"
                + " FROM copy_target ORDER BY target", rs -> new CopyState(rs.getString(1), rs.getString(2),
                rs.getString(3), rs.getTimestamp(4).toInstant(),
                rs.getTimestamp(5) == null ? null : rs.getTimestamp(5).toInstant(), rs.getString(6),
                (Integer) rs.getObject(7), rs.getObject(8) == null ? null : rs.getLong(8)));
    }

    /** For each snapshot held by a target when last checked, those targets. */
    public Map<String, List<String>> copiesBySnapshot() {
        Map<String, List<String>> copies = new HashMap<>();
        query("SELECT snapshot_id, target FROM snapshot_copy ORDER BY target", rs -> copies.computeIfAbsent(
                rs.getString(1), id -> new ArrayList<>()).add(rs.getString(2)));
        return copies;
    }

    @FunctionalInterface
    private interface RowMapper<T> {
        T map(ResultSet rs) throws SQLException;
    }

    private int update(String sql, Object... args) {
        try (Connection c = pool.getConnection(); PreparedStatement ps = bind(c.prepareStatement(sql), args)) {
            return ps.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException("catalog update failed: " + e.getMessage(), e);
        }
    }

    private <T> List<T> query(String sql, RowMapper<T> mapper, Object... args) {
        try (Connection c = pool.getConnection(); PreparedStatement ps = bind(c.prepareStatement(sql), args);
             ResultSet rs = ps.executeQuery()) {
            List<T> out = new ArrayList<>();
            while (rs.next()) {
                out.add(mapper.map(rs));
            }
            return out;
        } catch (SQLException e) {
            throw new IllegalStateException("catalog query failed: " + e.getMessage(), e);
        }
    }

    private static PreparedStatement bind(PreparedStatement ps, Object... args) throws SQLException {
        for (int i = 0; i < args.length; i++) {
            if (args[i] == null) {
                // untyped, so each database takes the column's type (PostgreSQL refuses a varchar null for bigint)
                ps.setNull(i + 1, Types.NULL);
            } else {
                ps.setObject(i + 1, args[i]);
            }
        }
        return ps;
    }

    /**
     * The catalog's connections, for what keeps its state beside it (the shared schedules), or null
     * when the catalog is embedded and so serves this node alone.
     */
    public DataSource sharedDataSource() {
        return pool.getJdbcUrl().startsWith("jdbc:postgresql:") ? pool : null;
    }

    @Override
    public void close() {
        pool.close();
    }
}
