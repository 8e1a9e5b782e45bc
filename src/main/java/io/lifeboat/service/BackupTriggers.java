package io.lifeboat.service;

import java.util.List;

/**
 * Begins runs for the API: the run is in the catalog and its source claimed when the answer goes
 * out, and the route then sends it through its flow. IllegalStateException when the source's run
 * is going already.
 */
public final class BackupTriggers {
    private final Runs runs;
    private final FileBackupSteps files;
    private final DatabaseBackupSteps databases;

    BackupTriggers(Runs runs, FileBackupSteps files, DatabaseBackupSteps databases) {
        this.runs = runs;
        this.files = files;
        this.databases = databases;
    }

    public List<String> fileSources() {
        return files.sources();
    }

    public List<String> databaseSources() {
        return databases.sources();
    }

    public BackupRun startFile(String source) {
        return runs.start(BackupRun.FILE, source, null, null, files.source(source).retention());
    }

    public BackupRun startDatabase(String source, String scope) {
        return runs.start(BackupRun.DATABASE, source, scope, null, databases.retention(source, scope));
    }
}
