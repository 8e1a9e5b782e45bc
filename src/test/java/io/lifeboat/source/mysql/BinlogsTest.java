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
