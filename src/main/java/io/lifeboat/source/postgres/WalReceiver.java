package io.lifeboat.source.postgres;

import io.lifeboat.compress.Compression;
import io.lifeboat.repository.LogArchive;
import io.lifeboat.repository.Repository;
import io.lifeboat.source.ProcessOutput;
import io.lifeboat.source.Tool;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Continuous WAL: pg_receivewal streams WAL over a replication slot into a local spool as the
 * server writes it (--synchronous: flushed at once), and every interval what arrived goes into the
 * repository — finished segments under their name, the segment being written as SEGMENT.partial,
 * replaced as it grows. The repository is thus seconds behind the server, not a segment or an
 * archive_timeout behind, and a restore can end at the last transaction received. The slot makes
 * the server keep WAL the receiver has not yet taken, so nothing is lost while it is down
 * (bound it with max_slot_wal_keep_size).
 */
public final class WalReceiver implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(WalReceiver.class);
    private final LogArchive archive;
    private final PgSource source;
    private final Path spool;
    private final Compression.Setting compression;
    private final Duration interval;
    private volatile boolean stopping;
    private volatile Process receiver;
    private volatile String lastError;
    private FileTime partialPushed;
    private String partialName;

    public WalReceiver(Repository repository, PgSource source, Path spool, Compression.Setting compression,
                       Duration interval) {
        this.archive = new LogArchive(repository, source.name());
        this.source = source;
        this.spool = spool;
        this.compression = compression;
        this.interval = interval;
    }

    /** The replication slot's name: lifeboat_ and the source name in PostgreSQL's slot alphabet. */
    public static String slotName(String source) {
        return "lifeboat_" + source.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_]", "_");
    }

    /** Streams until close(); a lost connection is retried with a growing pause, and said in the log. */
    public void run() throws IOException, InterruptedException {
        Files.createDirectories(spool);
        long pause = 1000;
        while (!stopping) {
            try {
                createSlot();
                receiver = start();
                ProcessOutput errors = new ProcessOutput(receiver.getErrorStream(), "pg_receivewal");
                LOG.info("receiving WAL of {} through slot {} into {}", source.name(), slotName(source.name()), spool);
                while (receiver.isAlive() && !stopping) {
                    sweepOrSayWhy();
                    pause = 1000;
                    receiver.waitFor(interval.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
                }
                sweepOrSayWhy();
                if (!stopping) {
                    lastError = "pg_receivewal ended (exit " + receiver.exitValue() + "): " + errors.tail();
                }
            } catch (IOException e) {
                lastError = e.getMessage();
            }
            if (!stopping) {
                LOG.warn("WAL of {} is not being received: {}; retrying in {} s", source.name(), lastError, pause / 1000);
                Thread.sleep(pause);
                pause = Math.min(pause * 2, 60_000);
            }
        }
    }

    /** A failed store (repository busy or unreachable) is retried at the next interval; the spool keeps the WAL. */
    private void sweepOrSayWhy() throws InterruptedException {
        try {
            sweep();
        } catch (IOException | RuntimeException e) {
            lastError = "storing received WAL failed: " + e.getMessage();
            LOG.warn("WAL of {}: {}; trying again", source.name(), lastError);
        }
    }

    /** Why receiving last failed, or null. */
    public String lastError() {
        return lastError;
    }

    private void createSlot() throws IOException, InterruptedException {
        Tool.Result created = Tool.run("pg_receivewal", source.tool("pg_receivewal", List.of("--create-slot",
                "--if-not-exists", "-S", slotName(source.name()))), java.time.Duration.ofMinutes(2));
        if (!created.ok()) {
            throw new IOException("creating replication slot " + slotName(source.name()) + ": " + created.failure());
        }
    }

    private Process start() throws IOException {
        return source.tool("pg_receivewal", List.of("-D", spool.toAbsolutePath().toString(), "-S", slotName(source.name()),
                "--synchronous", "-n")).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    }

    /**
     * Moves what arrived into the repository: finished segments and timeline history files (then
     * removed from the spool), and the growing partial segment when it changed.
     */
    public void sweep() throws IOException, InterruptedException {
        List<Path> files;
        try (Stream<Path> list = Files.list(spool)) {
            files = list.sorted().toList();
        }
        for (Path f : files) {
            String name = f.getFileName().toString();
            if (WalChain.isSegment(name) || name.matches("[0-9A-F]{8}\\.history")) {
                try (InputStream in = Files.newInputStream(f)) {
                    archive.putOnce(name, in, compression);
                }
                if (name.equals(partialName)) {
                    archive.remove(name + LogArchive.PARTIAL);
                    partialName = null;
                }
                Files.delete(f);
            }
        }
        for (Path f : files) {
            String name = f.getFileName().toString();
            if (name.endsWith(LogArchive.PARTIAL) && Files.exists(f)) {
                String segment = name.substring(0, name.length() - LogArchive.PARTIAL.length());
                FileTime modified = Files.getLastModifiedTime(f);
                if (!segment.equals(partialName) || !modified.equals(partialPushed)) {
                    try (InputStream in = Files.newInputStream(f)) {
                        archive.putPartial(segment, in, compression);
                    }
                    if (partialName != null && !partialName.equals(segment)
                            && archive.get(partialName) != null) {
                        archive.remove(partialName + LogArchive.PARTIAL);
                    }
                    partialName = segment;
                    // a write in the same clock tick as this read would go unseen: look again next time
                    boolean settled = modified.toInstant().isBefore(java.time.Instant.now().minusSeconds(1));
                    partialPushed = settled ? modified : null;
                }
            }
        }
    }

    @Override
    public void close() {
        stopping = true;
        Process p = receiver;
        if (p != null) {
            p.destroy();
        }
    }
}
