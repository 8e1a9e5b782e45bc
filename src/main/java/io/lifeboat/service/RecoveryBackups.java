package io.lifeboat.service;

import io.lifeboat.recovery.Protection;
import io.lifeboat.recovery.Recovery;
import java.time.Duration;
import java.util.Map;
import org.apache.camel.ProducerTemplate;

/**
 * The backup side of a recovery: its backups go through the sources' own flows (recorded,
 * verified, alerted like any other, marked as the recovery's so that they do not wait for it), and
 * a database's log streaming is held while its data is handed over.
 */
final class RecoveryBackups implements Protection {
    /** The header that marks a backup a recovery makes itself. */
    static final String RECOVERY = "recovery";
    private final ProducerTemplate producer;
    private final WalReceivers receivers;

    RecoveryBackups(ProducerTemplate producer, WalReceivers receivers) {
        this.producer = producer;
        this.receivers = receivers;
    }

    /** Waits while a backup of that source is already running, then makes one. */
    @Override
    public String backUp(String kind, String source, String recoveryId) throws Exception {
        String flow = switch (kind) {
            case Recovery.Item.DATABASE -> "direct:database-backup";
            case Recovery.Item.CONFIG -> "direct:config-backup";
            default -> "direct:file-backup";
        };
        long deadline = System.nanoTime() + Duration.ofHours(1).toNanos();
        while (true) {
            Object run = producer.requestBodyAndHeaders(flow, null, Map.of("source", source, "scope", "full",
                    RECOVERY, recoveryId));
            if (run instanceof BackupRun made) {
                if (made.isFailed() || made.getSnapshot() == null) {
                    throw new IllegalStateException("backup run " + made.getId() + " failed: " + made.getError());
                }
                return "backup " + made.getId() + " (snapshot " + made.getSnapshot().shortId() + ")";
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("a backup of " + source + " kept running for an hour");
            }
            Thread.sleep(2000); // a backup of the source is running: this one comes after it
        }
    }

    @Override
    public boolean holdStreaming(String database) throws Exception {
        return receivers.hold(database);
    }

    @Override
    public void resumeStreaming(String database) throws Exception {
        receivers.resume(database);
    }
}
