package io.lifeboat.service;

import io.lifeboat.compress.Compression;
import io.lifeboat.config.LifeboatConfig;
import io.lifeboat.source.postgres.WalReceiver;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.camel.support.service.ServiceSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Streams the WAL of every enabled database configured with wal: receive, for as long as the
 * service runs (a Camel service: started and stopped with the context), and starts again on the
 * new list when an edit of lifeboat.yaml changes those databases. Each receiver retries a lost
 * connection by itself; the log schedule's WAL check alerts when WAL stops arriving.
 */
final class WalReceivers extends ServiceSupport {
    private static final Logger LOG = LoggerFactory.getLogger(WalReceivers.class);
    private final LiveConfig config;
    private final RepositoryAccess repository;
    private final List<WalReceiver> receivers = new ArrayList<>();
    private final List<Thread> threads = new ArrayList<>();
    private List<LifeboatConfig.Database> receiving = List.of();

    WalReceivers(LiveConfig config, RepositoryAccess repository) {
        this.config = config;
        this.repository = repository;
    }

    @Override
    protected synchronized void doStart() throws Exception {
        List<LifeboatConfig.Database> wanted = receiving(config.get());
        for (LifeboatConfig.Database d : wanted) {
            WalReceiver receiver = new WalReceiver(repository.open(), DatabaseBackupSteps.source(d),
                    Path.of(d.spool() != null ? d.spool() : "var/wal-spool/" + d.name()),
                    Compression.parse(config.get().repository().compression()), Duration.ofSeconds(1));
            Thread t = new Thread(() -> {
                try {
                    receiver.run();
                } catch (Exception e) {
                    LOG.error("receiving WAL of {} stopped: {}", d.name(), e.getMessage(), e);
                }
            }, "wal-receive-" + d.name());
            t.setDaemon(true);
            t.start();
            receivers.add(receiver);
            threads.add(t);
        }
        receiving = wanted;
    }

    @Override
    protected synchronized void doStop() throws Exception {
        receivers.forEach(WalReceiver::close);
        for (Thread t : threads) {
            t.join(30_000);
            if (t.isAlive()) {
                LOG.warn("{} has not stopped after 30 s; it is left to end by itself", t.getName());
            }
        }
        receivers.clear();
        threads.clear();
    }

    /** After a reload: the receivers start again when the databases they serve changed. */
    synchronized void apply(LifeboatConfig changed) throws Exception {
        if (isStarted() && !receiving(changed).equals(receiving)) {
            doStop();
            doStart();
        }
    }

    private static List<LifeboatConfig.Database> receiving(LifeboatConfig c) {
        return c.databases().stream().filter(d -> d.active() && d.receivesWal()).toList();
    }
}
