package io.lifeboat.source.postgres;

import io.lifeboat.compress.Compression;
import io.lifeboat.repository.LogArchive;
import io.lifeboat.repository.Repository;
import io.lifeboat.repository.Snapshot;
import io.lifeboat.source.DatabaseBackups;
import io.lifeboat.source.LogGap;
import io.lifeboat.source.ToolStream;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A physical backup: pg_basebackup writes one tar of the cluster to its stdout, and that stream
 * goes straight into the repository — never to a full-size temporary file. The snapshot is
 * committed only if pg_basebackup succeeded, and is tagged with the first and last WAL segment
 * the backup needs (wal-start:, wal-end:), which chain checks and retention use.
 *
 * Full: the tar carries the WAL that makes it consistent (-X fetch), so it restores on its own.
 * Incremental: the tar carries no WAL (-X none; recovery takes it from the WAL archive, as
 * pgBackRest does), and deduplication against earlier backups stores only the chunks of the data
 * files that changed. Without WAL in the tar, an unchanged 8 KiB page costs nothing; the WAL
 * segments that -X fetch adds (recycled 16 MiB files) were most of what a second full stored.
 * An incremental is committed only once its WAL is in the archive: without it, it restores nothing.
 */
public final class PgBaseBackup {
    public static final String TAG_WAL_START = "wal-start:";
    public static final String TAG_WAL_END = "wal-end:";
    /** One entry of the backup manifest's WAL-Ranges, which pg_basebackup puts at the end of the tar. */
    private static final Pattern WAL_RANGE = Pattern.compile(
            "\\{\\s*\"Timeline\":\\s*(\\d+),\\s*\"Start-LSN\":\\s*\"([0-9A-F]+/[0-9A-F]+)\","
                    + "\\s*\"End-LSN\":\\s*\"([0-9A-F]+/[0-9A-F]+)\"");

    private PgBaseBackup() {
    }

    /** The WAL range a backup needs, as its tags record it; null fields when it predates them. */
    public record WalRange(String start, String end) {
        public static WalRange of(Snapshot s) {
            return new WalRange(DatabaseBackups.tag(s, TAG_WAL_START), DatabaseBackups.tag(s, TAG_WAL_END));
        }
    }

    public static Snapshot run(Repository repository, PgSource source, Compression.Setting compression,
                               boolean incremental, Duration walWait) throws IOException, InterruptedException {
        ProcessBuilder tool = source.tool("pg_basebackup", List.of("-D", "-", "-F", "tar", "-X",
                incremental ? "none" : "fetch", "-c", "fast", "--label", "lifeboat " + source.name()));
        return ToolStream.snapshot(repository, tool, source.name(), "/postgresql/" + source.name() + "/base.tar",
                List.of("db:" + source.name(), incremental ? DatabaseBackups.POSTGRESQL_INCREMENTAL : DatabaseBackups.POSTGRESQL_FULL), compression, (head, tail) -> {
                    WalRange range = walRange(tail);
                    if (incremental) {
                        awaitArchived(new LogArchive(repository, source.name()), range, walWait);
                    }
                    return List.of(TAG_WAL_START + range.start(), TAG_WAL_END + range.end());
                });
    }

    /** The first and last WAL segment the backup needs, from the manifest at the end of its tar. */
    static WalRange walRange(String tarTail) throws IOException {
        Matcher m = WAL_RANGE.matcher(tarTail);
        String start = null;
        String end = null;
        while (m.find()) {
            int timeline = Integer.parseInt(m.group(1));
            if (start == null) {
                start = WalChain.segmentOf(timeline, m.group(2));
            }
            end = WalChain.segmentOf(timeline, m.group(3));
        }
        if (start == null) {
            throw new IOException("the base backup has no manifest with its WAL range (PostgreSQL 13 or later makes one)");
        }
        return new WalRange(start, end);
    }

    /** Waits until every segment of the range is archived; the archiver may still be at work. */
    private static void awaitArchived(LogArchive archive, WalRange range, Duration wait)
            throws IOException, InterruptedException {
        long started = System.nanoTime();
        long deadline = started + wait.toNanos();
        while (true) {
            List<String> archived = archive.list();
            if (archived.isEmpty() && System.nanoTime() - started > Math.min(wait.toNanos(), 10_000_000_000L)) {
                // nothing archives to this repository at all: say so without waiting out the full time
                deadline = 0;
            }
            List<LogGap> gaps = WalChain.gaps(archived, range.start(), range.end()).stream()
                    .filter(g -> WalChain.timeline(g.first()) == WalChain.timeline(range.end())
                            && g.first().compareTo(range.end()) <= 0).toList();
            if (gaps.isEmpty()) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new IOException("an incremental backup needs its WAL archived to this repository, and after "
                        + (System.nanoTime() - started) / 1_000_000_000L + " s " + gaps.get(0) + " is missing (is "
                        + "archive_command or wal-receive running?)");
            }
            Thread.sleep(250);
        }
    }
}
