package io.lifeboat.source.mysql;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import io.lifeboat.compress.Compression;
import io.lifeboat.repository.LogArchive;
import io.lifeboat.repository.Repository;
import io.lifeboat.repository.Snapshot;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Binlog histories. A restore in place to an earlier point starts the server on a new history: the
 * old server's events after that point are abandoned, and the restored server writes its binlogs
 * under later numbers. Each switch is kept in the archive as timeline-FIRST.json (the role
 * PostgreSQL's NNNNNNNN.history files play): the first file of the new history, when it began, and
 * where the data it began from ends in the older files. A replay to a target past a switch follows
 * the older files to that end and goes on in the newer ones; a target before the switch reads the
 * older history as the server had it then. Backups the older history took after that end are no
 * base for a target past the switch.
 */
public final class BinlogTimelines {
    private static final Pattern NAME = Pattern.compile("timeline-(.+)\\.json");

    /** One switch: files from `first` on belong to the history that began at `at`, from the data at restoredTo. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Switch(String first, String at, String restoredKind, String restoredValue, String recovery) {
        MySqlRestore.Target restoredTo() {
            return new MySqlRestore.Target(restoredKind, restoredValue);
        }

        /** Whether the target lies in the history that began here (else in the older one). */
        boolean passedBy(MySqlRestore.Target target) {
            return switch (target.kind()) {
                case "time" -> !MySqlRestore.parseTime(target.value()).isBefore(Instant.parse(at));
                case "position" -> Binlogs.number(Binlogs.Position.parse(target.value()).file()) >= Binlogs.number(first);
                case "latest" -> true;
                case "gtid" -> throw new IllegalArgumentException("a GTID does not say which binlog history it belongs"
                        + " to, and the server was restored in place at " + at + " (its binlogs from " + first + " on are"
                        + " a new history): use --to-time or --to-position");
                default -> false;
            };
        }
    }

    /** A stretch of replay: from a position to a target, reading no file numbered above lastFile. */
    record Leg(Binlogs.Position from, MySqlRestore.Target to, long lastFile) {
    }

    private BinlogTimelines() {
    }

    /** Keeps a switch in the archive; recording the same switch again changes nothing. */
    public static void record(Repository repository, String source, Switch s, Compression.Setting compression)
            throws IOException, InterruptedException {
        byte[] json = Repository.JSON.writeValueAsBytes(s);
        new LogArchive(repository, source).putOnce(name(s.first()), new ByteArrayInputStream(json), compression);
    }

    /** The switches of a source's binlogs, oldest first. */
    public static List<Switch> read(LogArchive archive) throws IOException {
        List<Switch> switches = new ArrayList<>();
        for (String name : archive.list()) {
            if (NAME.matcher(name).matches()) {
                try (InputStream in = archive.open(archive.get(name))) {
                    switches.add(Repository.JSON.readValue(in, Switch.class));
                }
            }
        }
        switches.sort(Comparator.comparingLong(s -> Binlogs.number(s.first())));
        return switches;
    }

    /** The first file of a new history, when the archived name is a switch's record; else null. */
    static String firstOf(String archivedName) {
        Matcher m = NAME.matcher(archivedName);
        return m.matches() && Binlogs.isFile(m.group(1)) ? m.group(1) : null;
    }

    private static String name(String first) {
        return "timeline-" + first + ".json";
    }

    /**
     * The stretches a replay from a backup's position to the target reads: one when no switch lies
     * between; else the older history up to where the newest switch it passes began from, then
     * the new history from its first file.
     */
    static List<Leg> legs(List<Switch> switches, Binlogs.Position from, MySqlRestore.Target target) {
        return legs(switches, from, target, Long.MAX_VALUE);
    }

    private static List<Leg> legs(List<Switch> switches, Binlogs.Position from, MySqlRestore.Target target, long lastFile) {
        Switch crossed = null;
        for (Switch s : switches) {
            long first = Binlogs.number(s.first());
            if (first > Binlogs.number(from.file()) && first <= lastFile && s.passedBy(target)) {
                crossed = s;
            }
        }
        if (crossed == null) {
            return List.of(new Leg(from, target, lastFile));
        }
        List<Leg> legs = new ArrayList<>(legs(switches, from, crossed.restoredTo(), Binlogs.number(crossed.first()) - 1));
        legs.add(new Leg(new Binlogs.Position(crossed.first(), 4), target, lastFile));
        return legs;
    }

    /**
     * Whether a backup lies on the way to the target: not taken by an older history after the point
     * a switch the target passes began from (its data holds events that history abandoned).
     */
    static boolean onPath(Snapshot backup, List<Switch> switches, MySqlRestore.Target target) {
        Binlogs.Position at = Binlogs.Position.of(backup);
        if (at == null) {
            return true;
        }
        for (Switch s : switches) {
            if (Binlogs.number(s.first()) > Binlogs.number(at.file()) && s.passedBy(target)
                    && !MySqlRestore.before(backup, s.restoredTo())) {
                return false;
            }
        }
        return true;
    }
}
