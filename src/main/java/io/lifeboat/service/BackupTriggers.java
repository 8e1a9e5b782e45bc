package io.lifeboat.service;

import io.lifeboat.api.BackupTrigger;
import java.util.List;

/**
 * Begins runs for the API: the run is in the catalog and its source claimed when the answer goes
 * out, and the route then sends it through its flow. IllegalStateException when the source's run
 * is going already.
 */
public final class BackupTriggers implements BackupTrigger {
    private final Runs runs;
    private final LiveConfig config;

    BackupTriggers(Runs runs, LiveConfig config) {
        this.runs = runs;
        this.config = config;
    }

    @Override
    public List<String> sources(String type) {
        return switch (type) {
            case BackupRun.DATABASE -> config.databases();
            case BackupRun.FILE -> config.fileSources();
            default -> config.configSources();
        };
    }

    @Override
    public BackupRun begin(String type, String source, String scope) {
        return runs.start(type, source, BackupRun.DATABASE.equals(type) ? scope : null, null);
    }

    @Override
    public void abandon(Run run, String reason) {
        BackupRun begun = (BackupRun) run;
        begun.fail(reason);
        runs.finish(begun);
    }
}
