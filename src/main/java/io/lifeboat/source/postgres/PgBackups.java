package io.lifeboat.source.postgres;

import io.lifeboat.repository.Snapshot;

/** How a snapshot's tags say which PostgreSQL backup it is. */
public final class PgBackups {
    private PgBackups() {
    }

    /** "full", "incremental" or "dump" for a backup of that source, else null. */
    public static String kind(Snapshot s, String source) {
        if (s.tags() == null || !s.tags().contains("db:" + source)) {
            return null;
        }
        return s.tags().contains(PgBaseBackup.TAG_FULL) ? "full"
                : s.tags().contains(PgBaseBackup.TAG_INCREMENTAL) ? "incremental"
                : s.tags().contains(PgDump.TAG) ? "dump" : null;
    }

    /** The database a dump holds, else null. */
    public static String database(Snapshot s) {
        return s.tags() == null ? null : s.tags().stream().filter(t -> t.startsWith("database:"))
                .map(t -> t.substring("database:".length())).findFirst().orElse(null);
    }
}
