package io.lifeboat.source.postgres;

import io.lifeboat.compress.Compression;
import io.lifeboat.repository.LogArchive;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * PostgreSQL runs archive_command and restore_command once per 16 MiB segment, and a JVM start
 * per segment would bound WAL throughput (about 2 s a segment). So one run does the work of many,
 * as pgBackRest's asynchronous archiving does: a push also stores the other segments the server
 * has marked ready and leaves a marker for each (pg_wal/lifeboat-pushed/NAME, written only once
 * the segment is durable in the repository); a fetch also fetches the next segments into a
 * prefetch directory. The launcher (bin/lifeboat) answers a call whose segment has a marker or
 * a prefetched file without starting Java.
 */
public final class WalBatches {
    /** Under the server's pg_wal: segments pushed ahead. pg_basebackup copies nothing of pg_wal's own. */
    public static final String PUSHED = "lifeboat-pushed";
    /** In the prefetch directory: where the archive ended (see writeArchiveEnd); sorts after every segment. */
    public static final String ARCHIVE_END = "archive-end";

    private WalBatches() {
    }

    /** After pushing walFile: pushes up to max other segments marked .ready, marking each. */
    public static int pushAhead(LogArchive archive, Path walFile, int max, Compression.Setting compression)
            throws IOException, InterruptedException {
        Path walDir = walFile.toAbsolutePath().getParent();
        Path status = walDir.resolve("archive_status");
        if (max <= 0 || !Files.isDirectory(status)) {
            return 0;
        }
        List<String> ready;
        try (Stream<Path> files = Files.list(status)) {
            ready = files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".ready"))
                    .map(n -> n.substring(0, n.length() - ".ready".length()))
                    .filter(n -> WalChain.isSegment(n) && !n.equals(walFile.getFileName().toString())).sorted()
                    .limit(max).toList();
        }
        Path markers = walDir.resolve(PUSHED);
        Files.createDirectories(markers);
        int pushed = 0;
        for (String name : ready) {
            Path segment = walDir.resolve(name);
            if (Files.exists(markers.resolve(name)) || !Files.exists(segment)) {
                continue;
            }
            try (InputStream in = Files.newInputStream(segment)) {
                archive.putOnce(name, in, compression);
            }
            Files.writeString(markers.resolve(name), "");
            pushed++;
        }
        return pushed;
    }

    /** The server asked for walFile itself: its push-ahead marker, if any, has served. */
    public static void forgetMarker(Path walFile) throws IOException {
        Files.deleteIfExists(walFile.toAbsolutePath().getParent().resolve(PUSHED).resolve(walFile.getFileName()));
    }

    /** Removes the segments fetched ahead that recovery did not use (after a restore ended). */
    public static void dropPrefetched(Path dir) throws IOException {
        if (Files.isDirectory(dir)) {
            try (Stream<Path> files = Files.list(dir)) {
                for (Path p : files.toList()) {
                    Files.deleteIfExists(p);
                }
            }
            Files.deleteIfExists(dir);
        }
    }

    /** How many segments follow `name` without a gap in the archive, counting up to limit + 1. */
    public static int archivedAfter(LogArchive archive, String name, int limit) throws IOException {
        if (!WalChain.isSegment(name)) {
            return 0;
        }
        int n = 0;
        while (n <= limit && archive.has(WalChain.name(WalChain.timeline(name), WalChain.number(name) + n + 1))) {
            n++;
        }
        return n;
    }

    /** A segment fetched ahead, moved into place; false when there is none. */
    public static boolean takePrefetched(Path dir, String name, Path dest) throws IOException {
        Path file = dir.resolve(name);
        if (!WalChain.isSegment(name) || !Files.exists(file)) {
            return false;
        }
        Files.move(file, dest, StandardCopyOption.REPLACE_EXISTING);
        dropPassed(dir, name);
        return true;
    }

    /**
     * Where the archive ended when it was read: the first segment it did not have, then the
     * timeline history files it had. At the end of a recovery PostgreSQL asks for that segment and
     * for history files of later timelines; the launcher answers "not archived" from this file
     * instead of starting Java for each ("latest" is the newest WAL archived when recovery got there).
     */
    private static void writeArchiveEnd(LogArchive archive, Path dir, String firstMissing) throws IOException {
        List<String> lines = new ArrayList<>(List.of(firstMissing));
        archive.list().stream().filter(n -> n.endsWith(".history")).forEach(lines::add);
        Path temp = dir.resolve(ARCHIVE_END + ".tmp");
        Files.write(temp, lines);
        Files.move(temp, dir.resolve(ARCHIVE_END), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** Recovery asks in order: what sorts before the segment it asked for will not be asked for. */
    private static void dropPassed(Path dir, String name) throws IOException {
        List<Path> passed = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            files.filter(p -> p.getFileName().toString().compareTo(name) <= 0).forEach(passed::add);
        }
        for (Path p : passed) {
            Files.deleteIfExists(p);
        }
    }

    /**
     * Fetches the complete segments after `name` (up to count, stopping at the first not archived)
     * into dir, each written whole under a temporary name first; drops what recovery has passed.
     */
    public static void prefetch(LogArchive archive, String name, Path dir, int count) throws IOException {
        if (count <= 0 || !WalChain.isSegment(name)) {
            return;
        }
        Files.createDirectories(dir);
        dropPassed(dir, name);
        Files.deleteIfExists(dir.resolve(ARCHIVE_END));
        int timeline = WalChain.timeline(name);
        long number = WalChain.number(name);
        for (int k = 1; k <= count; k++) {
            String next = WalChain.name(timeline, number + k);
            Path target = dir.resolve(next);
            if (Files.exists(target)) {
                continue;
            }
            LogArchive.Segment segment = archive.get(next);
            if (segment == null) {
                if (!archive.has(next + LogArchive.PARTIAL)) {
                    writeArchiveEnd(archive, dir, next);
                } // else wal-fetch serves it when asked, as it is then: only part of it is here yet
                return;
            }
            Path temp = dir.resolve(next + ".tmp");
            try (InputStream in = archive.open(segment)) {
                Files.copy(in, temp, StandardCopyOption.REPLACE_EXISTING);
            }
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
        }
    }
}
