package io.lifeboat.source;

import io.lifeboat.repository.Repository;
import io.lifeboat.repository.RepositoryException;
import io.lifeboat.repository.Snapshot;
import java.io.IOException;
import java.util.Map;

/**
 * How a snapshot's tags say which database backup it is, for PostgreSQL and MySQL/MariaDB alike:
 * every backup of a database source is tagged db:SOURCE and one tag of its kind.
 */
public final class DatabaseBackups {
    public static final String POSTGRESQL_FULL = "postgresql-full";
    public static final String POSTGRESQL_INCREMENTAL = "postgresql-incremental";
    public static final String POSTGRESQL_DUMP = "postgresql-dump";
    /** mariadb-backup's physical copy of the whole server. */
    public static final String MYSQL_FULL = "mysql-full";
    /** mariadb-backup's pages changed since the previous physical backup. */
    public static final String MYSQL_INCREMENTAL = "mysql-incremental";
    /** mariadb-dump of every database: a full backup where Lifeboat does not run beside the server. */
    public static final String MYSQL_LOGICAL = "mysql-logical";
    /** mariadb-dump of one database, for table-level restore. */
    public static final String MYSQL_DUMP = "mysql-dump";
    private static final Map<String, String> KINDS = Map.of(POSTGRESQL_FULL, "full", POSTGRESQL_INCREMENTAL,
            "incremental", POSTGRESQL_DUMP, "dump", MYSQL_FULL, "full", MYSQL_LOGICAL, "full", MYSQL_INCREMENTAL,
            "incremental", MYSQL_DUMP, "dump");

    private DatabaseBackups() {
    }

    /** "full", "incremental" or "dump" for a backup of that source, else null. */
    public static String kind(Snapshot s, String source) {
        if (s.tags() == null || !s.tags().contains("db:" + source)) {
            return null;
        }
        return s.tags().stream().map(KINDS::get).filter(k -> k != null).findFirst().orElse(null);
    }

    /** Whether the snapshot carries that tag. */
    public static boolean is(Snapshot s, String tag) {
        return s.tags() != null && s.tags().contains(tag);
    }

    /**
     * The newest logical backup holding that database — a dump of it alone, or a MySQL logical
     * full — or the one with the given id (prefix).
     */
    public static Snapshot dumpOf(Repository repository, String source, String database, String id) throws IOException {
        Snapshot chosen = null;
        for (Snapshot s : repository.snapshots()) {
            boolean logical = "dump".equals(kind(s, source)) || kind(s, source) != null && is(s, MYSQL_LOGICAL);
            if (logical && s.tags().contains("database:" + database) && (id == null || s.id().startsWith(id))) {
                chosen = s;
            }
        }
        if (chosen == null) {
            throw new RepositoryException("no logical dump of " + source + "/" + database
                    + (id == null ? "" : " with id " + id) + " in the repository");
        }
        return chosen;
    }

    /** The database a dump holds, else null. */
    public static String database(Snapshot s) {
        return tag(s, "database:");
    }

    /** The value of the first tag with that prefix, else null. */
    public static String tag(Snapshot s, String prefix) {
        return s.tags() == null ? null : s.tags().stream().filter(t -> t.startsWith(prefix))
                .map(t -> t.substring(prefix.length())).findFirst().orElse(null);
    }
}
