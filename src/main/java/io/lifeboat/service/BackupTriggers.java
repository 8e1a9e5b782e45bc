package io.lifeboat.service;

import java.util.List;

/**
 * Begins runs for the API: the run is in the catalog and its source claimed when the answer goes
 * out, and the route then sends it through its flow. IllegalStateException when the source's run
 * is going already.
 */
public final class BackupTriggers {
    private final Runs runs;
    private final LiveConfig config;

    BackupTriggers(Runs runs, LiveConfig config) {
        this.runs = runs;
        this.config = config;
    }

    public List<String> fileSources() {
        return config.fileSources();
    }

    public List<String> configSources() {
        return config.configSources();
    }

    public BackupRun startConfig(String source) {
        return runs.start(BackupRun.CONFIG, source, null, null);
    }

    public List<String> databaseSources() {
        return config.databases();
    }

    public BackupRun startFile(String source) {
        return runs.start(BackupRun.FILE, source, null, null);
    }

    public BackupRun startDatabase(String source, String scope) {
        return runs.start(BackupRun.DATABASE, source, scope, null);
    }

    /** Ends a run that was begun but could not be sent on through its flow, freeing its source. */
    public void abandon(BackupRun run, String reason) {
        run.fail(reason);
        runs.finish(run);
    }
}
