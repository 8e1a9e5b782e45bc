package io.lifeboat.repository;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lifeboat.TestSupport;
import io.lifeboat.compress.Compression;
import io.lifeboat.crypto.CorruptDataException;
import io.lifeboat.source.files.Restorer;
import io.lifeboat.storage.LocalBlobStore;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A long reader and writers in other processes: the reader has loaded its index, then another
 * process commits a WAL segment, then a snapshot; the reader lists and reads both, byte for byte.
 * A partial it listed that became its complete segment, or grew, is read as it is now. A chunk that
 * no index object names, after the reader looked again, is still damage.
 */
class ConcurrentCommitTest {
    private static final Compression.Setting ZSTD = Compression.parse("zstd:3");
    private static final String SEGMENT = "000000010000000000000007";

    @TempDir
    Path tmp;

    @Test
    void aReaderReadsWhatAnotherProcessCommittedAfterItLoadedItsIndex() throws Exception {
        Path repo = tmp.resolve("repo");
        Path pw = TestSupport.passwordFile(tmp, "concurrent readers");
        assertEquals(0, TestSupport.cli("init", "--repo", repo.toString(), "--password-file", pw.toString()).exit());
        Path first = tmp.resolve("first");
        Files.createDirectories(first);
        TestSupport.writeRandom(first.resolve("a.bin"), 1, 3_000_000);
        TestSupport.Run backup = TestSupport.cli("backup", "--repo", repo.toString(), "--password-file", pw.toString(),
                first.toString());
        assertEquals(0, backup.exit(), backup.toString());

        // the reader opens the repository and loads its index: here it holds
        Repository reader = Repository.open(new LocalBlobStore(repo), "concurrent readers".getBytes(StandardCharsets.UTF_8));
        Snapshot before = reader.snapshot("latest");
        reader.readChunk(ChunkId.parse(before.nodes().get(0)));
        int indexedBefore = reader.index().size();

        // another process commits a WAL segment, then a snapshot
        Path wal = tmp.resolve("pg_wal/" + SEGMENT);
        Files.createDirectories(wal.getParent());
        TestSupport.writeRandom(wal, 2, 16 << 20);
        TestSupport.Run push = TestSupport.runProcess(TestSupport.process(List.of("-Xmx256m"), "db", "wal-push",
                "--repo", repo.toString(), "--password-file", pw.toString(), "--source", "beCamera", wal.toString()), 120);
        assertEquals(0, push.exit(), push.toString());
        Path second = tmp.resolve("second");
        Files.createDirectories(second);
        TestSupport.writeRandom(second.resolve("b.bin"), 3, 5_000_000);
        TestSupport.Run other = TestSupport.runProcess(TestSupport.process(List.of("-Xmx256m"), "backup", "--repo",
                repo.toString(), "--password-file", pw.toString(), second.toString()), 120);
        assertEquals(0, other.exit(), other.toString());
        assertEquals(indexedBefore, reader.index().size(), "the reader's index is as it loaded it");

        // the reader goes on: it lists what was committed meanwhile and reads it
        LogArchive archive = new LogArchive(reader, "beCamera");
        assertEquals(List.of(SEGMENT), archive.list());
        try (InputStream in = archive.open(archive.get(SEGMENT))) {
            assertArrayEquals(Files.readAllBytes(wal), in.readAllBytes(), "the WAL segment reads back whole");
        }
        Snapshot latest = reader.snapshot("latest");
        assertEquals(List.of(second.toAbsolutePath().toString()), latest.paths());
        Path restored = tmp.resolve("restored");
        new Restorer(reader, new Restorer.Options(restored, List.of()), new Progress()).run(latest);
        assertEquals(TestSupport.sha256(second.resolve("b.bin")),
                TestSupport.sha256(restored.resolve(second.toAbsolutePath().toString().substring(1)).resolve("b.bin")));
    }

    @Test
    void aListedPartialIsReadAsItIsWhenRead() throws Exception {
        Repository repo = Repository.init(new LocalBlobStore(tmp.resolve("repo")), "pw".getBytes(StandardCharsets.UTF_8),
                ZSTD);
        LogArchive writer = new LogArchive(repo, "beCamera");
        byte[] segment = TestSupport.random(4, 4 << 20);
        writer.putPartial(SEGMENT, new ByteArrayInputStream(segment, 0, 1 << 20), ZSTD);
        LogArchive reader = new LogArchive(repo, "beCamera");
        String listed = reader.list().get(0);
        assertEquals(SEGMENT + LogArchive.PARTIAL, listed);

        // it grew since the listing
        writer.putPartial(SEGMENT, new ByteArrayInputStream(segment, 0, 3 << 20), ZSTD);
        assertArrayEquals(Arrays.copyOf(segment, 3 << 20), read(reader, reader.currentOf(listed)));

        // it was completed, and the partial removed, since the listing
        writer.putOnce(SEGMENT, new ByteArrayInputStream(segment), ZSTD);
        writer.remove(SEGMENT + LogArchive.PARTIAL);
        assertArrayEquals(segment, read(reader, reader.currentOf(listed)));
        assertArrayEquals(segment, read(reader, reader.current(SEGMENT)));

        // a segment retention removed since the listing is gone, not an error
        writer.remove(SEGMENT);
        assertNull(reader.currentOf(listed));
    }

    @Test
    void aChunkNoIndexNamesIsStillDamageAfterLookingAgain() throws Exception {
        Repository repo = Repository.init(new LocalBlobStore(tmp.resolve("repo")), "pw".getBytes(StandardCharsets.UTF_8),
                ZSTD);
        ChunkId absent = repo.chunkId("never stored".getBytes(StandardCharsets.UTF_8));
        CorruptDataException e = assertThrows(CorruptDataException.class, () -> repo.readChunk(absent));
        assertTrue(e.getMessage().contains(absent.hex() + " is not in the index"), e.getMessage());
    }

    private static byte[] read(LogArchive archive, LogArchive.Segment s) throws Exception {
        try (InputStream in = archive.open(s)) {
            return in.readAllBytes();
        }
    }
}
