package io.lifeboat.service;

import io.lifeboat.compress.Compression;
import io.lifeboat.config.Retention;
import io.lifeboat.maintenance.KeepPolicy;
import io.lifeboat.repository.Progress;
import io.lifeboat.repository.Repository;
import io.lifeboat.repository.Snapshot;
import io.lifeboat.repository.SnapshotFilter;
import io.lifeboat.source.files.Archiver;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/** What the steps of the file-backup flow do for files: back up a source or a dropped path, apply retention. */
final class FileBackupSteps {
    private static final SnapshotFilter DROPPED = new SnapshotFilter(List.of(), List.of(), List.of(BackupRun.DROP_FOLDER));
    private final LiveConfig config;
    private final RepositoryAccess repository;

    FileBackupSteps(LiveConfig config, RepositoryAccess repository) {
        this.config = config;
        this.repository = repository;
    }

    /** The snapshot is tagged with the run id, so that the catalog can be rebuilt from the repository. */
    void backup(BackupRun run) throws Exception {
        boolean dropped = run.path() != null;
        Path path = dropped ? run.path() : Path.of(config.fileSource(run.getSource()).path());
        List<String> tags = List.of(dropped ? BackupRun.DROP_FOLDER : "source:" + run.getSource(), "run:" + run.getId());
        Repository repo = repository.openForBackup(run::writtenTo);
        run.snapshot(new Archiver(repo, new Archiver.Options(List.of(path), tags,
                Compression.parse(config.get().repository().compression())), new Progress()).run(), repo);
    }

    /** How long the run's backups are kept: the source's retention, or the drop folder's. */
    Duration kept(BackupRun run) {
        return Retention.parse(run.path() == null ? config.fileSource(run.getSource()).retention()
                : Runs.DROP_FOLDER_RETENTION);
    }

    /**
     * Retention: a source's as a keep policy over its own snapshots; what was dropped into the inbox
     * (each drop a path of its own) is kept for the drop-folder retention from when it was taken.
     * What it lets go is forgotten; returns how many.
     */
    int retention(BackupRun run, Repository repo) throws Exception {
        if (run.path() == null) {
            return new KeepPolicy(1, Retention.parse(config.fileSource(run.getSource()).retention()))
                    .forget(repo, new SnapshotFilter(List.of(), List.of(), List.of("source:" + run.getSource())));
        }
        Instant cutoff = Instant.now().minus(Retention.parse(Runs.DROP_FOLDER_RETENTION));
        List<Snapshot> expired = repo.snapshots().stream().filter(DROPPED::matches)
                .filter(s -> Instant.parse(s.time()).isBefore(cutoff)).toList();
        for (Snapshot s : expired) {
            repo.forget(s.id());
        }
        return expired.size();
    }
}
