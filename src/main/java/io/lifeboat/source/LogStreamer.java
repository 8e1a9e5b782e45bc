package io.lifeboat.source;

import io.lifeboat.compress.Compression;
import io.lifeboat.repository.LogArchive;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Continuous transaction log: a tool that stays connected to the server (pg_receivewal,
 * mariadb-binlog --stop-never) writes the log into a local spool as the server writes it, and every
 * interval what arrived goes into the repository (sweep). A tool that ends — killed, the
 * connection lost, the server gone — is started again with a growing pause, and each such end is
 * kept until the log schedule's check takes it, so that it is alerted even when the restart mended it.
 */
public abstract class LogStreamer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LogStreamer.class);
    private static final long MAX_PAUSE_MS = 30_000;
    private final String what;
    private final LogArchive archive;
    private final Compression.Setting compression;
    private final Duration interval;
    private final List<String> failures = new ArrayList<>();
    private volatile boolean stopping;
    private volatile Process process;
    private volatile String lastError;
    private FileTime partialPushed;
    private String partialName;

    /** what: "WAL of beCamera"; interval: how often arrivals are stored. */
    protected LogStreamer(String what, LogArchive archive, Compression.Setting compression, Duration interval) {
        this.what = what;
        this.archive = archive;
        this.compression = compression;
        this.interval = interval;
    }

    /** Gets the server ready if need be, and starts the tool writing into the spool. */
    protected abstract Process start() throws IOException, InterruptedException;

    /** The tool's name, for messages. */
    protected abstract String program();

    /** Stores what arrived in the spool into the repository. */
    public abstract void sweep() throws IOException, InterruptedException;

    /** Streams until close(). */
    public void run() throws IOException, InterruptedException {
        long pause = 1000;
        while (!stopping) {
            try {
                process = start();
                ProcessOutput errors = new ProcessOutput(process.getErrorStream(), program());
                LOG.info("streaming {} with {}", what, program());
                while (process.isAlive() && !stopping) {
                    sweepOrSayWhy();
                    pause = 1000;
                    process.waitFor(interval.toMillis(), TimeUnit.MILLISECONDS);
                }
                sweepOrSayWhy();
                if (!stopping) {
                    lastError = program() + " ended (" + ProcessOutput.exit(process.exitValue()) + "): " + errors.tail();
                }
            } catch (IOException | RuntimeException e) {
                lastError = e.getMessage();
            }
            if (!stopping) {
                synchronized (failures) {
                    failures.add(Instant.now() + " " + lastError);
                }
                LOG.warn("{} is not being streamed: {}; retrying in {} s", what, lastError, pause / 1000);
                synchronized (this) {
                    if (!stopping) {
                        wait(pause); // close() ends the pause at once
                    }
                }
                pause = Math.min(pause * 2, MAX_PAUSE_MS);
            }
        }
    }

    /** A failed store (repository busy or unreachable) is retried at the next interval; the spool keeps the log. */
    private void sweepOrSayWhy() throws InterruptedException {
        try {
            sweep();
        } catch (IOException | RuntimeException e) {
            lastError = "storing the streamed log failed: " + e.getMessage();
            LOG.warn("{}: {}; trying again", what, lastError);
        }
    }

    /** Stores a finished log file under its name and removes it from the spool (and its partial from the archive). */
    protected void storeComplete(Path file, String name) throws IOException, InterruptedException {
        try (InputStream in = Files.newInputStream(file)) {
            archive.putOnce(name, in, compression);
        }
        if (name.equals(partialName)) {
            archive.remove(name + LogArchive.PARTIAL);
            partialName = null;
        }
        Files.delete(file);
    }

    /**
     * Stores the file being written as NAME.partial when it changed since the last time, replacing
     * the one before; the partial of an older file goes once that file is stored complete.
     */
    protected void storePartial(Path file, String name) throws IOException, InterruptedException {
        FileTime modified = Files.getLastModifiedTime(file);
        if (name.equals(partialName) && modified.equals(partialPushed)) {
            return;
        }
        putPartial(file, name, compression);
        if (partialName != null && !partialName.equals(name) && archive.get(partialName) != null) {
            archive.remove(partialName + LogArchive.PARTIAL);
        }
        partialName = name;
        // a write in the same clock tick as this read would go unseen: look again next time
        boolean settled = modified.toInstant().isBefore(Instant.now().minusSeconds(1));
        partialPushed = settled ? modified : null;
    }

    /** Stores the file as NAME.partial, replacing the one before. */
    protected void putPartial(Path file, String name, Compression.Setting compression)
            throws IOException, InterruptedException {
        try (InputStream in = Files.newInputStream(file)) {
            archive.putPartial(name, in, compression);
        }
    }

    /** Why streaming last failed, or null. */
    public String lastError() {
        return lastError;
    }

    /** Each time streaming stopped since the last call, with its time and reason. */
    public List<String> takeFailures() {
        synchronized (failures) {
            List<String> taken = List.copyOf(failures);
            failures.clear();
            return taken;
        }
    }

    @Override
    public void close() {
        stopping = true;
        synchronized (this) {
            notifyAll();
        }
        Process p = process;
        if (p != null) {
            p.destroy();
        }
    }
}
