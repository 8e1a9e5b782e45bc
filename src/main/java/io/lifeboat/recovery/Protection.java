package io.lifeboat.recovery;

/**
 * What a recovery asks of the service's backup side: backups through the sources' own flows, and
 * a database's log streaming held while its data is handed over, then started again.
 */
public interface Protection {
    /** A backup of the source now, through its flow (a full one for a database), made for this recovery; what it made. */
    String backUp(String kind, String source, String recoveryId) throws Exception;

    /** Stops streaming the database's log, if the service streams it; whether it did. */
    boolean holdStreaming(String database) throws Exception;

    /**
     * Streams the database's log again from a fresh spool (a restored server may be on a new
     * timeline, which the old spool's position would contradict).
     */
    void resumeStreaming(String database) throws Exception;
}
