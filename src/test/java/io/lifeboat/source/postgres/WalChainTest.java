package io.lifeboat.source.postgres;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lifeboat.compress.Compression;
import io.lifeboat.repository.LogArchive;
import io.lifeboat.repository.Repository;
import io.lifeboat.source.LogGap;
import io.lifeboat.storage.LocalBlobStore;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Segment names as PostgreSQL makes them, gaps found where recovery would stop, and how far an archive reaches. */
class WalChainTest {
    @TempDir
    Path tmp;

    /**
     * A drill stops at its backup's fingerprint only when the archive holds the WAL up to it: a
     * complete segment at or after the position, or the partial of its segment grown past it.
     */
    @Test
    void theArchiveReachesAPositionThroughACompleteSegmentOrAPartialGrownPastIt() throws Exception {
        Compression.Setting zstd = Compression.parse("zstd:3");
        Repository repo = Repository.init(new LocalBlobStore(tmp.resolve("repo")),
                "pw".getBytes(StandardCharsets.UTF_8), zstd);
        LogArchive archive = new LogArchive(repo, "beCamera");
        archive.putOnce("000000020000000000000005", new ByteArrayInputStream(new byte[64]), zstd);
        assertFalse(WalChain.reaches(archive, archive.list(), "0/6000028"), "segment 6 is not there yet");
        assertTrue(WalChain.reaches(archive, archive.list(), "0/5FFFFFF"));
        archive.putPartial("000000020000000000000006", new ByteArrayInputStream(new byte[0x20]), zstd);
        assertFalse(WalChain.reaches(archive, archive.list(), "0/6000028"), "its partial ends before the position");
        archive.putPartial("000000020000000000000006", new ByteArrayInputStream(new byte[0x100]), zstd);
        assertTrue(WalChain.reaches(archive, archive.list(), "0/6000028"), "its partial has grown past it");
        archive.putOnce("000000020000000000000007", new ByteArrayInputStream(new byte[64]), zstd);
        assertTrue(WalChain.reaches(archive, archive.list(), "0/6FFFFFF"), "a later complete segment");
    }

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
