package io.lifeboat.service;

import io.lifeboat.compress.Compression;
import io.lifeboat.config.LifeboatConfig;
import io.lifeboat.source.LogStreamer;
import io.lifeboat.source.mysql.BinlogStreamer;
import io.lifeboat.source.postgres.WalReceiver;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.camel.support.service.ServiceSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Streams the log of every enabled database that the service streams — PostgreSQL's WAL with
 * wal: receive, MySQL/MariaDB binlogs always — for as long as the service runs (a Camel service:
 * started and stopped with the context), and starts again on the new list when an edit of
 * lifeboat.yaml changes those databases. Each streamer retries a lost connection by itself; the
 * log schedule's check alerts when the log stops arriving, and each time a streamer stopped.
 */
final class WalReceivers extends ServiceSupport {
    private static final Logger LOG = LoggerFactory.getLogger(WalReceivers.class);
    private final LiveConfig config;
    private final RepositoryAccess repository;
    private final Map<String, LogStreamer> streamers = new LinkedHashMap<>();
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
            Compression.Setting compression = Compression.parse(config.get().repository().compression());
            LogStreamer receiver = d.mysql()
                    ? new BinlogStreamer(repository.open(), DatabaseBackupSteps.mysql(d),
                            Path.of(d.spool() != null ? d.spool() : "var/binlog-spool/" + d.name()), compression,
                            Duration.ofSeconds(1))
                    : new WalReceiver(repository.open(), DatabaseBackupSteps.source(d),
                            Path.of(d.spool() != null ? d.spool() : "var/wal-spool/" + d.name()), compression,
                            Duration.ofSeconds(1));
            Thread t = new Thread(() -> {
                try {
                    receiver.run();
                } catch (Exception e) {
                    LOG.error("streaming the log of {} stopped: {}", d.name(), e.getMessage(), e);
                }
            }, "log-stream-" + d.name());
            t.setDaemon(true);
            t.start();
            streamers.put(d.name(), receiver);
            threads.add(t);
        }
        receiving = wanted;
    }

    @Override
    protected synchronized void doStop() throws Exception {
        streamers.values().forEach(LogStreamer::close);
        for (Thread t : threads) {
            t.join(30_000);
            if (t.isAlive()) {
                LOG.warn("{} has not stopped after 30 s; it is left to end by itself", t.getName());
            }
        }
        streamers.clear();
        threads.clear();
    }

    /** Each time the source's streamer stopped since the last call (none when the service does not stream it). */
    synchronized List<String> takeFailures(String source) {
        LogStreamer s = streamers.get(source);
        return s == null ? List.of() : s.takeFailures();
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
