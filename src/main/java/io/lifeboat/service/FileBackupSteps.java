package io.lifeboat.service;

import io.lifeboat.compress.Compression;
import io.lifeboat.config.LifeboatConfig;
import io.lifeboat.config.Retention;
import io.lifeboat.maintenance.KeepPolicy;
import io.lifeboat.repository.Progress;
import io.lifeboat.repository.Repository;
import io.lifeboat.repository.Snapshot;
import io.lifeboat.repository.SnapshotFilter;
import io.lifeboat.source.files.Archiver;
import java.nio.file.Path;
import java.util.List;

/** What the steps of the file-backup flow do for files: back up a source or a dropped path, apply retention. */
final class FileBackupSteps {
    /** How long what is dropped into the inbox is kept (the shortest file retention). */
    static final String DROP_FOLDER_RETENTION = "30d";
    private final LiveConfig config;
    private final RepositoryAccess repository;

    FileBackupSteps(LiveConfig config, RepositoryAccess repository) {
        this.config = config;
        this.repository = repository;
    }

    /** The configured source, enabled; IllegalArgumentException naming what is configured otherwise. */
    LifeboatConfig.FileSource source(String name) {
        return config.get().files().stream().filter(f -> f.name().equals(name) && f.active()).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no enabled file source named '" + name + "'"));
    }

    List<String> sources() {
        return config.get().files().stream().filter(LifeboatConfig.FileSource::active)
                .map(LifeboatConfig.FileSource::name).toList();
    }

    /** The snapshot is tagged with the run id, so that the catalog can be rebuilt from the repository. */
    void backup(BackupRun run) throws Exception {
        boolean dropped = run.path() != null;
        Path path = dropped ? run.path() : Path.of(source(run.getSource()).path());
        List<String> tags = List.of(dropped ? BackupRun.DROP_FOLDER : "source:" + run.getSource(), "run:" + run.getId());
        Snapshot s = new Archiver(repository.open(), new Archiver.Options(List.of(path), tags,
                Compression.parse(config.get().repository().compression())), new Progress()).run();
        run.snapshot(s);
    }

    /**
     * The source's retention as a keep policy over its own snapshots; the snapshots it lets go, if
     * any, are forgotten and their space pruned. Returns how many were let go.
     */
    int retention(BackupRun run, Repository repo) throws Exception {
        if (run.path() != null) {
            return 0;
        }
        SnapshotFilter ofSource = new SnapshotFilter(List.of(), List.of(), List.of("source:" + run.getSource()));
        KeepPolicy keep = new KeepPolicy(1, Retention.parse(source(run.getSource()).retention()));
        List<Snapshot> expired = keep.expired(repo.snapshots().stream().filter(ofSource::matches).toList());
        for (Snapshot s : expired) {
            repo.forget(s.id());
        }
        return expired.size();
    }
}
