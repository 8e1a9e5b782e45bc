package io.lifeboat.source.postgres;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.lifeboat.source.LogGap;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Segment names as PostgreSQL makes them, and gaps found where recovery would stop. */
class WalChainTest {
    @Test
    void segmentNamesFollowPostgresAcrossALogBoundary() {
        assertEquals("000000010000000000000002", WalChain.segmentOf(1, "0/2000028"));
        assertEquals("0000000300000001000000FF", WalChain.segmentOf(3, "1/FF000000"));
        assertEquals("000000030000000200000000", WalChain.segmentOf(3, "2/0"));
    }

    @Test
    void aChainAcrossALogBoundaryIsWholeAndAMissingSegmentIsAGap() {
        List<String> whole = List.of("0000000100000001000000FE", "0000000100000001000000FF",
                "000000010000000200000000", "000000010000000200000001.partial", "00000002.history");
        assertEquals(List.of(), WalChain.gaps(whole, null, null));
        List<String> holed = List.of("0000000100000001000000FE", "000000010000000200000001");
        assertEquals(List.of(new LogGap("0000000100000001000000FF", "000000010000000200000000", 2)),
                WalChain.gaps(holed, null, null));
        assertEquals(List.of(new LogGap("0000000100000001000000FC", "0000000100000001000000FD", 2),
                new LogGap("0000000100000001000000FF", "000000010000000200000000", 2)),
                WalChain.gaps(holed, "0000000100000001000000FC", null), "WAL a kept backup needs is missing too");
    }

    @Test
    void aNewTimelineIsItsOwnChain() {
        List<String> archived = List.of("000000010000000000000004", "000000010000000000000005",
                "000000020000000000000005", "000000020000000000000006");
        assertEquals(List.of(), WalChain.gaps(archived, "000000010000000000000004", null));
    }
}
