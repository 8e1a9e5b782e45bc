package io.lifeboat.api;

import java.util.List;

/**
 * What POST /api/v1/backup/trigger needs of the service: the enabled sources of each type, and a
 * run begun for one of them (in the catalog, its source claimed, before the answer goes out; the
 * route then sends it through its flow). IllegalStateException when the source's run is going.
 */
public interface BackupTrigger {
    /** A begun run, as the API sees it. */
    interface Run {
        String getId();
    }

    /** Enabled sources of a type: database, file or config. */
    List<String> sources(String type);

    /** Begins a run of the source (scope: full or incremental, databases only). */
    Run begin(String type, String source, String scope);

    /** Ends a run that was begun but could not be sent on through its flow, freeing its source. */
    void abandon(Run run, String reason);
}
