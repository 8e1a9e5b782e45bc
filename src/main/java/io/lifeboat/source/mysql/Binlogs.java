package io.lifeboat.source.mysql;

import io.lifeboat.repository.LogArchive;
import io.lifeboat.repository.Snapshot;
import io.lifeboat.source.DatabaseBackups;
import io.lifeboat.source.DatabaseRetention;
import io.lifeboat.source.LogGap;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Binary log files and positions. The server names its binlogs BASENAME.NNNNNN, numbered one after
 * the other; a backup records the position (file and offset) and GTID its data reaches, and
 * replay starts there. A number missing between two archived files is a gap: replay cannot cross it.
 */
public final class Binlogs {
    /** binlog:FILE:OFFSET — where the backup's data ends in the binlogs, and replay begins. */
    public static final String TAG_POSITION = "binlog:";
    /** gtid:DOMAIN-SERVER-SEQ[,...] — the GTID position of the same point. */
    public static final String TAG_GTID = "gtid:";
    private static final Pattern FILE = Pattern.compile("([A-Za-z0-9_.-]*)\\.(\\d{6,})");

    /** A place in the binlogs. */
    public record Position(String file, long offset) {
        /** "binlog.000003:1176" */
        public static Position parse(String text) {
            int colon = text == null ? -1 : text.lastIndexOf(':');
            if (colon <= 0 || !isFile(text.substring(0, colon)) || !text.substring(colon + 1).matches("\\d{1,18}")) {
                throw new IllegalArgumentException("'" + text + "' is not a binlog position like binlog.000003:1176");
            }
            return new Position(text.substring(0, colon), Long.parseLong(text.substring(colon + 1)));
        }

        /** The position a backup's tags record, else null. */
        public static Position of(Snapshot backup) {
            String tag = DatabaseBackups.tag(backup, TAG_POSITION);
            return tag == null ? null : parse(tag);
        }

        @Override
        public String toString() {
            return file + ":" + offset;
        }
    }

    /** Binlogs as retention sees them: a backup needs the files from its position on. */
    public static final DatabaseRetention.Logs LOGS = new DatabaseRetention.Logs() {
        @Override
        public String firstNeeded(Snapshot backup) {
            Position p = Position.of(backup);
            return p == null ? null : p.file();
        }

        @Override
        public String basedOn(Snapshot backup) {
            return DatabaseBackups.tag(backup, MariaBackup.TAG_BASED_ON);
        }

        @Override
        public boolean isLog(String name) {
            return isFile(name);
        }

        @Override
        public int compare(String a, String b) {
            return Long.compare(number(a), number(b));
        }
    };

    private Binlogs() {
    }

    public static boolean isFile(String name) {
        return FILE.matcher(name).matches();
    }

    static long number(String name) {
        Matcher m = FILE.matcher(name);
        if (!m.matches()) {
            throw new IllegalArgumentException("'" + name + "' is not a binlog file name");
        }
        return Long.parseLong(m.group(2));
    }

    /** The file numbered n in the series `like` belongs to. */
    static String name(String like, long n) {
        Matcher m = FILE.matcher(like);
        if (!m.matches()) {
            throw new IllegalArgumentException("'" + like + "' is not a binlog file name");
        }
        return m.group(1) + "." + String.format(Locale.ROOT, "%0" + m.group(2).length() + "d", n);
    }

    /**
     * Archived binlog files by number: the complete ones, and a file of which only the partial is
     * there when it is the newest, or the last of a history a restore in place left (the rest of it
     * was never streamed and never will be). Any other partial lacks its end: replay cannot cross
     * it, so it counts as missing.
     */
    static TreeSet<Long> numbers(List<String> archived) {
        TreeSet<Long> have = new TreeSet<>();
        TreeSet<Long> partials = new TreeSet<>();
        TreeSet<Long> switches = new TreeSet<>();
        for (String name : archived) {
            String first = BinlogTimelines.firstOf(name);
            if (first != null) {
                switches.add(number(first));
            }
            String file = name.replace(LogArchive.PARTIAL, "");
            if (!isFile(file)) {
                continue;
            }
            (name.endsWith(LogArchive.PARTIAL) ? partials : have).add(number(file));
        }
        List<Long> ends = new ArrayList<>();
        for (long p : partials) {
            Long next = switches.higher(p);
            boolean lastOfHistory = next != null && have.subSet(p, false, next, false).isEmpty()
                    && partials.subSet(p, false, next, false).isEmpty();
            if (lastOfHistory || (have.isEmpty() || p > have.last()) && p == partials.last()) {
                ends.add(p);
            }
        }
        have.addAll(ends);
        return have;
    }

    /** The highest number of any binlog archived, complete or partial (0: none). */
    public static long highest(List<String> archived) {
        return archived.stream().map(n -> n.replace(LogArchive.PARTIAL, "")).filter(Binlogs::isFile)
                .mapToLong(Binlogs::number).max().orElse(0);
    }

    /** Runs of files missing from the archive from `from` (null: the oldest archived) to the newest archived. */
    public static List<LogGap> gaps(List<String> archived, String from) {
        TreeSet<Long> have = numbers(archived);
        List<LogGap> gaps = new ArrayList<>();
        if (have.isEmpty()) {
            return gaps;
        }
        String like = archived.stream().map(n -> n.replace(LogArchive.PARTIAL, "")).filter(Binlogs::isFile)
                .findFirst().orElseThrow();
        long first = from == null ? have.first() : Math.min(number(from), have.first());
        long runStart = -1;
        for (long n = first; n <= have.last() + 1; n++) {
            boolean missing = n <= have.last() && !have.contains(n);
            if (missing && runStart < 0) {
                runStart = n;
            } else if (!missing && runStart >= 0) {
                gaps.add(new LogGap(name(like, runStart), name(like, n - 1), n - runStart));
                runStart = -1;
            }
        }
        return gaps;
    }
}
