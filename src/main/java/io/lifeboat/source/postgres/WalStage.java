package io.lifeboat.source.postgres;

import io.lifeboat.repository.LogArchive;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * The WAL a recovering server asks for, copied out of the repository as it asks: the server runs
 * as another user and reads plain files, never the repository. Its restore_command leaves the
 * name it wants in requests/ and waits; this process answers with the file, or NAME.none when the
 * archive does not have it (the end of the WAL, a later timeline's history), and meanwhile copies
 * the next segments of the timeline being replayed ahead (as many as it has asked for, up to
 * AHEAD), as pgBackRest's asynchronous archive-get does. So a recovery to a point copies the WAL
 * up to that point and a few segments more, not everything archived since its base backup; and
 * each segment is read as it is when asked for, even while the source still streams (a partial
 * that has become complete since the recovery began is served complete).
 */
final class WalStage implements AutoCloseable {
    static final String REQUESTS = "requests";
    /** Written when staging failed, so that a waiting restore_command gives up at once. */
    static final String FAILED = "failed";
    private static final String NONE = ".none";
    private static final long POLL_MILLIS = 20;
    /** At most this many segments copied ahead: replay seldom waits, and little is copied past a target. */
    private static final int AHEAD = 8;

    private final LogArchive archive;
    private final Path dir;
    private final AtomicLong bytes = new AtomicLong();
    private final Set<String> answered = new HashSet<>();
    private final Thread thread;
    private volatile boolean stopping;
    private volatile IOException failure;
    /** The timeline and segment number last asked for: what the copying ahead follows. */
    private String lastAsked;
    private int segmentsAsked;
    /** The archive's names when last listed, and whether a request came since (then a new listing may help). */
    private Set<String> listed = Set.of();
    private boolean askedSinceListing = true;

    /** Prepares dir (inside the data directory, handed to the server's user with it) for requests. */
    WalStage(LogArchive archive, Path dir) throws IOException {
        this.archive = archive;
        this.dir = dir;
        Files.createDirectories(dir.resolve(REQUESTS));
        this.thread = new Thread(this::serve, "wal-stage " + dir);
        thread.setDaemon(true);
    }

    /**
     * The restore_command that asks this stage: leave the request, wait for the file, its
     * NAME.none or the failed marker, then copy the file; a non-zero exit tells the server there is none.
     */
    static String restoreCommand(Path dir) {
        String d = PgRestore.shell(dir.toAbsolutePath().toString()).replace("%", "%%");
        String requests = d + "/" + REQUESTS;
        String file = d + "/%f";
        // it also stops waiting once the stage is gone (a recovery started again clears its place): a server
        // left behind by a process that died must not wait forever
        return "touch " + requests + "/%f && while [ -d " + requests + " ] && [ ! -e " + file + " ] && [ ! -e " + file + NONE
                + " ] && [ ! -e " + d + "/" + FAILED + " ]; do sleep 0.05; done && [ -e " + file + " ] && cp " + file + " %p";
    }

    void start() {
        thread.start();
    }

    /** The WAL bytes copied so far. */
    long bytes() {
        return bytes.get();
    }

    private void serve() {
        try {
            while (!stopping) {
                if (!answerRequests() && !copyAhead()) {
                    Thread.sleep(POLL_MILLIS);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException | RuntimeException e) {
            failure = new IOException("copying WAL for the recovery failed: " + e.getMessage(), e);
            try {
                Files.writeString(dir.resolve(FAILED), String.valueOf(e.getMessage()));
            } catch (IOException ignored) {
                // close() writes it again; the stage's place being gone also ends a waiting request
            }
        }
    }

    private boolean answerRequests() throws IOException {
        List<String> wanted;
        try (Stream<Path> files = Files.list(dir.resolve(REQUESTS))) {
            wanted = files.map(p -> p.getFileName().toString()).sorted().toList();
        }
        for (String name : wanted) {
            if (WalChain.isSegment(name) && (lastAsked == null || name.compareTo(lastAsked) > 0)) {
                lastAsked = name;
                segmentsAsked++;
                dropPassed(name, wanted);
            }
        }
        for (String name : wanted) {
            if (!Files.exists(dir.resolve(name)) && !Files.exists(dir.resolve(name + NONE))) {
                if (!validName(name) || !stage(name)) {
                    Files.writeString(dir.resolve(name + NONE), "");
                }
            }
            askedSinceListing = true;
            Files.deleteIfExists(dir.resolve(REQUESTS).resolve(name));
        }
        return !wanted.isEmpty();
    }

    /** Copies one archived segment of the next few after the last one asked for; false when none is left to copy. */
    private boolean copyAhead() throws IOException {
        if (lastAsked == null) {
            return false;
        }
        int timeline = WalChain.timeline(lastAsked);
        long number = WalChain.number(lastAsked);
        // as many ahead as asked for so far, up to `ahead`: a recovery that stops soon copies little past its point
        for (int k = 1; k <= Math.min(AHEAD, segmentsAsked); k++) {
            String next = WalChain.name(timeline, number + k);
            if (answered.contains(next)) {
                continue;
            }
            try {
                if (!listed.contains(next) && askedSinceListing) {
                    listed = new HashSet<>(archive.list());
                    askedSinceListing = false;
                }
                // a partial is copied only when asked for: by then it may have grown or been completed
                return listed.contains(next) && stage(next);
            } catch (IOException | RuntimeException e) {
                return false; // what recovery may never ask for fails it only when asked for
            }
        }
        return false;
    }

    /** Copies the segment as it is now, under a temporary name first; false when the archive does not have it. */
    private boolean stage(String name) throws IOException {
        answered.add(name);
        LogArchive.Segment segment = archive.current(name);
        if (segment == null) {
            return false;
        }
        Path temp = dir.resolve("." + name + ".tmp");
        try (InputStream in = archive.open(segment)) {
            Files.copy(in, temp, StandardCopyOption.REPLACE_EXISTING);
        }
        // the server runs as another user, and this process's umask may keep others out
        Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("rw-r--r--"));
        Files.move(temp, dir.resolve(name), StandardCopyOption.ATOMIC_MOVE);
        bytes.addAndGet(segment.size());
        return true;
    }

    /**
     * Recovery reads forward: segments two or more before the newest one asked for are done with
     * (at its end it reads the last one again), unless asked for now. One dropped and asked for
     * later is simply copied again.
     */
    private void dropPassed(String newest, List<String> wanted) throws IOException {
        long number = WalChain.number(newest);
        List<Path> passed = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            files.filter(p -> {
                String name = p.getFileName().toString();
                return WalChain.isSegment(name) && WalChain.number(name) < number - 1 && !wanted.contains(name);
            }).forEach(passed::add);
        }
        for (Path p : passed) {
            Files.deleteIfExists(p);
            answered.remove(p.getFileName().toString());
        }
    }

    /** What restore_command may ask for: a segment or a timeline history file. */
    private static boolean validName(String name) {
        return WalChain.isSegment(name) || name.matches("[0-9A-F]{8}\\.history");
    }

    /**
     * Stops answering once a copy under way has ended; throws the reason when staging failed, so
     * that the recovery reports it rather than the server's view of it.
     */
    @Override
    public void close() throws IOException {
        stopping = true;
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            Files.writeString(dir.resolve(FAILED), "closed"); // nothing answers from now on: a request left waiting ends
        } catch (IOException gone) {
            // the stage's place is gone already: no request can wait in it
        }
        if (failure != null) {
            throw failure;
        }
    }

    /** Why staging failed, null while it has not: the reason a recovery gives when its server then stopped. */
    IOException failure() {
        return failure;
    }
}
