package io.lifeboat.source.postgres;

import io.lifeboat.repository.LogArchive;
import io.lifeboat.repository.Snapshot;
import io.lifeboat.source.DatabaseRetention;
import io.lifeboat.source.LogGap;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;

/**
 * WAL segment names and the continuity of an archived chain. A segment is named by timeline, log
 * and segment number (TTTTTTTTLLLLLLLLSSSSSSSS); with the default 16 MiB segments a log holds 256
 * of them. A gap — a segment missing between two archived ones of the same timeline — stops
 * recovery there, so it must be found and reported, never skipped.
 */
public final class WalChain {
    /** PostgreSQL's default; clusters with another --wal-segsize are not supported yet. */
    static final long SEGMENT_SIZE = 16L * 1024 * 1024;
    private static final long SEGMENTS_PER_LOG = 0x1_0000_0000L / SEGMENT_SIZE;

    /** WAL as retention sees it: a base backup needs the segments from its start on. */
    public static final DatabaseRetention.Logs LOGS = new DatabaseRetention.Logs() {
        @Override
        public String firstNeeded(Snapshot backup) {
            return PgBaseBackup.WalRange.of(backup).start();
        }

        @Override
        public boolean isLog(String name) {
            return isSegment(name);
        }

        @Override
        public int compare(String a, String b) {
            return a.compareTo(b);
        }
    };

    private WalChain() {
    }

    public static boolean isSegment(String name) {
        return name.matches("[0-9A-F]{24}");
    }

    /** The segment holding an LSN written as PostgreSQL prints it ("0/2000028"). */
    public static String segmentOf(int timeline, String lsn) {
        String[] parts = lsn.split("/");
        if (parts.length != 2) {
            throw new IllegalArgumentException("'" + lsn + "' is not an LSN");
        }
        long position = (Long.parseLong(parts[0], 16) << 32) | Long.parseLong(parts[1], 16);
        return name(timeline, position / SEGMENT_SIZE);
    }

    /**
     * Whether the archived WAL reaches the LSN: a complete segment holding it or after it, or the
     * partial of its segment grown past it. Timelines aside: a restore follows the newest one.
     */
    public static boolean reaches(LogArchive archive, List<String> archived, String lsn) throws IOException {
        long wanted = number(segmentOf(1, lsn));
        String[] parts = lsn.split("/");
        long offset = ((Long.parseLong(parts[0], 16) << 32) | Long.parseLong(parts[1], 16)) % SEGMENT_SIZE;
        for (String name : archived) {
            boolean partial = name.endsWith(LogArchive.PARTIAL);
            String segment = partial ? name.substring(0, name.length() - LogArchive.PARTIAL.length()) : name;
            if (!isSegment(segment) || number(segment) < wanted) {
                continue;
            }
            if (number(segment) > wanted || !partial) {
                return true;
            }
            LogArchive.Segment grown = archive.currentOf(name);
            if (grown != null && grown.size() >= offset) {
                return true;
            }
        }
        return false;
    }

    static String name(int timeline, long segmentNumber) {
        return String.format(Locale.ROOT, "%08X%08X%08X", timeline, segmentNumber / SEGMENTS_PER_LOG,
                segmentNumber % SEGMENTS_PER_LOG);
    }

    static int timeline(String segment) {
        return Integer.parseInt(segment.substring(0, 8), 16);
    }

    static long number(String segment) {
        return Long.parseLong(segment.substring(8, 16), 16) * SEGMENTS_PER_LOG + Long.parseLong(segment.substring(16), 16);
    }

    /**
     * Runs of segments missing from the archive between `from` (the oldest segment a kept backup
     * needs; null for the oldest archived) and the newest archived segment of each timeline, or up
     * to `through` when given. Partial segments count as present for their own name.
     */
    public static List<LogGap> gaps(List<String> archived, String from, String through) {
        TreeSet<String> have = new TreeSet<>();
        for (String name : archived) {
            String base = name.endsWith(".partial") ? name.substring(0, name.length() - ".partial".length()) : name;
            if (isSegment(base)) {
                have.add(base);
            }
        }
        List<LogGap> gaps = new ArrayList<>();
        for (int tli : have.stream().map(WalChain::timeline).distinct().toList()) {
            List<String> mine = have.stream().filter(s -> timeline(s) == tli).toList();
            long first = from != null && timeline(from) == tli ? Math.min(number(from), number(mine.get(0)))
                    : number(mine.get(0));
            long last = number(mine.get(mine.size() - 1));
            if (through != null && timeline(through) == tli) {
                last = Math.max(last, number(through));
            }
            addGaps(gaps, tli, first, last, have);
        }
        if (through != null && have.stream().noneMatch(s -> timeline(s) == timeline(through))) {
            addGaps(gaps, timeline(through), from != null ? number(from) : number(through), number(through), have);
        }
        return gaps;
    }

    private static void addGaps(List<LogGap> gaps, int tli, long first, long last, TreeSet<String> have) {
        long runStart = -1;
        for (long n = first; n <= last + 1; n++) {
            boolean missing = n <= last && !have.contains(name(tli, n));
            if (missing && runStart < 0) {
                runStart = n;
            } else if (!missing && runStart >= 0) {
                gaps.add(new LogGap(name(tli, runStart), name(tli, n - 1), n - runStart));
                runStart = -1;
            }
        }
    }
}
