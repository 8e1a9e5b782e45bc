package io.lifeboat.source.mysql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.lifeboat.source.LogGap;
import java.util.List;
import org.junit.jupiter.api.Test;

class BinlogsTest {
    @Test
    void aMissingFileIsAGapAndSoIsAPartialBelowANewerFile() {
        assertEquals(List.of(), Binlogs.gaps(List.of("binlog.000001", "binlog.000002", "binlog.000003.partial"), null));
        assertEquals(List.of(new LogGap("binlog.000002", "binlog.000003", 2)),
                Binlogs.gaps(List.of("binlog.000001", "binlog.000004"), null));
        // the end of 000002 was never streamed: replay cannot cross it
        assertEquals(List.of(new LogGap("binlog.000002", "binlog.000002", 1)),
                Binlogs.gaps(List.of("binlog.000001", "binlog.000002.partial", "binlog.000003.partial"), null));
        // a kept backup needing an older file than the archive holds
        assertEquals(List.of(new LogGap("binlog.000001", "binlog.000002", 2)),
                Binlogs.gaps(List.of("binlog.000003"), "binlog.000001"));
    }

    @Test
    void theLastFileOfAHistoryARestoreInPlaceLeftIsNoGapThoughPartial() {
        // the old server's 000002 was streamed in part when it stopped; the restored server began at 000003
        assertEquals(List.of(), Binlogs.gaps(List.of("binlog.000001", "binlog.000002.partial", "binlog.000003",
                "binlog.000004.partial", "timeline-binlog.000003.json"), null));
        assertEquals(List.of(new LogGap("binlog.000002", "binlog.000002", 1)), Binlogs.gaps(List.of("binlog.000001",
                "binlog.000002.partial", "binlog.000003", "timeline-binlog.000004.json"), null), "only right below it");
    }

    @Test
    void aReplayPastARestoreInPlaceFollowsTheOldHistoryToItsPointThenTheNewOne() {
        List<BinlogTimelines.Switch> switches = List.of(new BinlogTimelines.Switch("binlog.000003",
                "2026-12-01T12:00:00Z", "time", "2026-12-01T11:00:00Z", "r1"));
        Binlogs.Position base = new Binlogs.Position("binlog.000001", 1423);
        MySqlRestore.Target after = new MySqlRestore.Target("time", "2026-12-01T12:30:00Z");
        assertEquals(List.of(new BinlogTimelines.Leg(base, new MySqlRestore.Target("time", "2026-12-01T11:00:00Z"), 2),
                new BinlogTimelines.Leg(new Binlogs.Position("binlog.000003", 4), after, Long.MAX_VALUE)),
                BinlogTimelines.legs(switches, base, after));
        MySqlRestore.Target before = new MySqlRestore.Target("time", "2026-12-01T11:30:00Z");
        assertEquals(List.of(new BinlogTimelines.Leg(base, before, Long.MAX_VALUE)),
                BinlogTimelines.legs(switches, base, before), "before the switch: the old history as it was");
        Binlogs.Position onNew = new Binlogs.Position("binlog.000003", 900);
        assertEquals(List.of(new BinlogTimelines.Leg(onNew, after, Long.MAX_VALUE)),
                BinlogTimelines.legs(switches, onNew, after), "a base on the new history needs no crossing");
        assertThrows(IllegalArgumentException.class, () -> BinlogTimelines.legs(switches, base,
                new MySqlRestore.Target("gtid", "0-1-9")));
    }

    @Test
    void streamingGoesOnFromTheNewestStoredFileOrFromTheServersOldest() {
        assertEquals("binlog.000003", BinlogStreamer.firstToStream(List.of("binlog.000002", "binlog.000003"),
                List.of("binlog.000002", "binlog.000003.partial")));
        assertEquals("binlog.000007", BinlogStreamer.firstToStream(List.of("binlog.000007", "binlog.000008"),
                List.of("binlog.000003.partial")), "purged meanwhile: the check reports the lost files");
        assertEquals("binlog.000001", BinlogStreamer.firstToStream(List.of("binlog.000001"), List.of()));
    }

    @Test
    void positionsAreParsedOrRefusedByName() {
        assertEquals(new Binlogs.Position("binlog.000042", 1176), Binlogs.Position.parse("binlog.000042:1176"));
        assertEquals("binlog.000100", Binlogs.name("binlog.000042", 100));
        assertThrows(IllegalArgumentException.class, () -> Binlogs.Position.parse("binlog:12"));
        assertThrows(IllegalArgumentException.class, () -> Binlogs.Position.parse("binlog.000001:"));
    }
}
