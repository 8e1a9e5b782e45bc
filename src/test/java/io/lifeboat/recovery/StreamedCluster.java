package io.lifeboat.recovery;

import io.lifeboat.ServedLifeboat;
import io.lifeboat.TestSupport;
import io.lifeboat.source.postgres.ThrowawayCluster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;

/** What the drill tests of a streamed PostgreSQL database share: its work directory, cluster and teardown. */
final class StreamedCluster {
    private StreamedCluster() {
    }

    /** A work directory the postgres user can read: it runs the database and its restored copies there. */
    static Path workDirectory(String prefix) throws Exception {
        return Files.createTempDirectory(prefix, PosixFilePermissions.asFileAttribute(
                PosixFilePermissions.fromString("rwxr-xr-x")));
    }

    /** A cluster started below work, holding a table of 20,000 camera counts. */
    static ThrowawayCluster withCounts(Path work) throws Exception {
        ThrowawayCluster cluster = ThrowawayCluster.startedIn(work);
        try (Connection db = cluster.connect()) {
            db.createStatement().execute("CREATE TABLE counts AS SELECT g AS n, md5(g::text) AS camera"
                    + " FROM generate_series(1, 20000) g");
        }
        return cluster;
    }

    /** Stops what was started (any may be null) and removes the work directory. */
    static void stop(ServedLifeboat lifeboat, ThrowawayCluster cluster, Path work) throws Exception {
        if (lifeboat != null) {
            lifeboat.close();
        }
        if (cluster != null) {
            cluster.close();
        }
        TestSupport.deleteTree(work);
    }
}
