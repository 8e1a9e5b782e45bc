package io.lifeboat.service;

import io.lifeboat.catalog.Catalog;
import io.lifeboat.config.LifeboatConfig;
import io.lifeboat.repository.Repository;
import io.lifeboat.repository.Snapshot;
import io.lifeboat.source.config.ConfigBackups;
import java.io.IOException;
import java.time.Instant;
import java.util.List;

/**
 * Recreates the catalog's runs from the repository alone (DESIGN decision 1): one finished run per
 * snapshot, with the run id and source the service tagged it with ("run:ID", "source:NAME").
 * Runs that never committed a snapshot (failed ones) are not in the repository and so are gone
 * after a rebuild.
 */
public final class CatalogRebuild {
    private CatalogRebuild() {
    }

    /** Replaces every run with those the repository holds; returns how many. */
    public static int run(Repository repository, Catalog catalog, LifeboatConfig config) throws IOException {
        List<Snapshot> snapshots = repository.snapshots();
        catalog.clearRuns();
        for (Snapshot s : snapshots) {
            String source = source(s);
            boolean configuration = s.tags() != null && s.tags().contains(ConfigBackups.TAG);
            String retention = BackupRun.DROP_FOLDER.equals(source) ? Runs.DROP_FOLDER_RETENTION : configuration
                    ? config.configs().stream().filter(c -> c.name().equals(source))
                    .map(LifeboatConfig.ConfigSource::retention).findFirst().orElse(null)
                    : config.files().stream().filter(f -> f.name().equals(source))
                    .map(LifeboatConfig.FileSource::retention).findFirst().orElse(null);
            Instant finished = Instant.parse(s.time());
            String type = configuration ? BackupRun.CONFIG : tag(s, "db:", null) == null ? BackupRun.FILE
                    : BackupRun.DATABASE;
            catalog.addFinishedRun(new Catalog.Run(tag(s, "run:", s.id().substring(0, 32)), source, type, s.status(),
                    finished.minusMillis(s.summary().durationMs()), finished, s.summary().bytes(),
                    s.summary().storedBytes(), s.summary().durationMs(), s.id(),
                    s.problems().isEmpty() ? null : s.problems().size() + " entries not backed up", retention));
        }
        return snapshots.size();
    }

    private static String source(Snapshot s) {
        if (s.tags() != null && s.tags().contains(BackupRun.DROP_FOLDER)) {
            return BackupRun.DROP_FOLDER;
        }
        return tag(s, "source:", tag(s, "db:", String.join(",", s.paths())));
    }

    private static String tag(Snapshot s, String prefix, String otherwise) {
        if (s.tags() != null) {
            for (String tag : s.tags()) {
                if (tag.startsWith(prefix)) {
                    return tag.substring(prefix.length());
                }
            }
        }
        return otherwise;
    }
}
