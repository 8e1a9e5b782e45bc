package io.lifeboat.service;

import io.lifeboat.compress.Compression;
import io.lifeboat.config.LifeboatConfig;
import io.lifeboat.source.DirectoryTrees;
import io.lifeboat.source.LogStreamer;
import io.lifeboat.source.mysql.BinlogStreamer;
import io.lifeboat.source.mysql.MySqlSource;
import io.lifeboat.source.postgres.WalReceiver;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
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
    private final Map<String, Thread> threads = new LinkedHashMap<>();
    /** Databases a recovery is restoring in place: not streamed until it ends. */
    private final Predicate<String> held;
    private List<LifeboatConfig.Database> receiving = List.of();

    WalReceivers(LiveConfig config, RepositoryAccess repository, Predicate<String> held) {
        this.config = config;
        this.held = held;
        this.repository = repository;
    }

    @Override
    protected synchronized void doStart() throws Exception {
        List<LifeboatConfig.Database> wanted = receiving(config.get());
        for (LifeboatConfig.Database d : wanted) {
            if (!held.test(d.name())) {
                start(d);
            }
        }
        receiving = wanted;
    }

    private void start(LifeboatConfig.Database d) throws Exception {
        Compression.Setting compression = Compression.parse(config.get().repository().compression());
        LogStreamer receiver = d.mysql()
                ? new BinlogStreamer(repository.open(), MySqlSource.of(d), spool(d), compression,
                        Duration.ofSeconds(1))
                : new WalReceiver(repository.open(), DatabaseBackupSteps.source(d), spool(d), compression,
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
        threads.put(d.name(), t);
    }

    private static Path spool(LifeboatConfig.Database d) {
        return Path.of(d.spool() != null ? d.spool() : (d.mysql() ? "var/binlog-spool/" : "var/wal-spool/") + d.name());
    }

    @Override
    protected synchronized void doStop() throws Exception {
        for (String name : List.copyOf(streamers.keySet())) {
            stop(name);
        }
    }

    /** Stops the database's streamer, and waits for it to store what it had. */
    private void stop(String name) throws InterruptedException {
        LogStreamer s = streamers.remove(name);
        Thread t = threads.remove(name);
        if (s == null) {
            return;
        }
        s.close();
        t.join(30_000);
        if (t.isAlive()) {
            LOG.warn("{} has not stopped after 30 s; it is left to end by itself", t.getName());
        }
    }

    /** A recovery hands the database's data over: its log is not streamed until resume. Whether it was streamed. */
    synchronized boolean hold(String database) throws InterruptedException {
        if (!streamers.containsKey(database)) {
            return false;
        }
        stop(database);
        LOG.info("streaming the log of {} is held while a recovery restores it in place", database);
        return true;
    }

    /**
     * Streams the database's log again, from an empty spool: what the old one held was stored, and
     * its position may lie on a timeline the restored server has left.
     */
    synchronized void resume(String database) throws Exception {
        stop(database);
        LifeboatConfig.Database d = receiving.stream().filter(x -> x.name().equals(database)).findFirst().orElse(null);
        if (d == null || !isStarted()) {
            return;
        }
        DirectoryTrees.delete(spool(d));
        start(d);
        LOG.info("streaming the log of {} again, after its recovery", database);
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
