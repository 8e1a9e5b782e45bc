package io.lifeboat.config;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.util.List;
import java.util.Map;

/**
 * config/lifeboat.yaml: what is backed up, when, for how long, and where. Names and defaults are
 * the platform's (R1, R2, R4, R5 in docs/REQUIREMENTS.md). Database and S3 entries may be present; they take effect with the
 * issues that bring those sources and stores.
 */
public record LifeboatConfig(Repository repository, Catalog catalog, List<FileSource> files,
                             List<Database> databases, DropFolder dropFolder, Map<String, Object> storage) {

    /**
     * The repository every flow writes to, and where its passphrase comes from. With create, a
     * missing repository is made on first use (and a random passphrase file, if none is there).
     */
    public record Repository(String path, String passwordFile, String passwordEnv, String compression, Boolean create) {
        public boolean createIfMissing() {
            return Boolean.TRUE.equals(create);
        }
    }

    /** The catalog database: embedded H2 by default, PostgreSQL for several nodes. */
    public record Catalog(String url, String user, String passwordEnv) {
    }

    /** One file source of R2.1. */
    @JsonIgnoreProperties(value = {"type"})
    public record FileSource(String name, String path, String schedule, String retention, Boolean enabled) {
        public boolean active() {
            return enabled == null || enabled;
        }
    }

    /**
     * One database of R1 with its three schedules; the password comes from passwordEnv only.
     * dumps: databases also dumped logically with each full backup, for table-level restore.
     * wal/spool: with "receive", the service streams WAL itself (wal-receive) through spool.
     */
    public record Database(String name, String type, String host, Integer port, String user, String passwordEnv,
                           Boolean enabled, Schedule full, Schedule incremental, Schedule log, List<String> dumps,
                           String wal, String spool) {
        /** How WAL reaches the repository: "archive" (archive_command runs db wal-push) or "receive". */
        public boolean receivesWal() {
            return "receive".equals(wal);
        }

        public boolean active() {
            return enabled == null || enabled;
        }
    }

    /** When a kind of backup runs and how long it is kept. */
    public record Schedule(String schedule, String retention) {
    }

    /** A folder where a file or folder put by hand is backed up, then moved to done/ or failed/. */
    public record DropFolder(String inbox, Boolean enabled, Integer settleSeconds) {
        public boolean active() {
            return enabled == null || enabled;
        }
    }
}
