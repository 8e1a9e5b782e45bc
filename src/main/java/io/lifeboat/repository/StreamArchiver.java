package io.lifeboat.repository;

import io.lifeboat.compress.Compression;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;

/**
 * Stores a byte stream — a database tool's output, a log segment, a file's content — through the
 * chunking, deduplication, compression and encryption every stored byte goes through, without a
 * temporary file.
 */
public final class StreamArchiver {
    /** The chunks a stream became and how many bytes it had. */
    public record Content(List<String> chunks, long size) {
    }

    private StreamArchiver() {
    }

    /** What names the stored chunks: called while the lock that keeps prune from taking them is still held. */
    public interface Commit {
        void write(Content content) throws IOException;
    }

    /**
     * Stores the stream's chunks, durable and indexed, then hands them to commit under the same
     * shared lock: new chunks no object names yet must not be taken by a prune in between.
     */
    public static void store(Repository repository, InputStream in, Compression.Setting compression, Commit commit)
            throws IOException, InterruptedException {
        try (RepositoryLock lock = RepositoryLock.shared(repository.store(), "backup")) {
            Content content;
            try (ChunkWriter chunks = new ChunkWriter(repository, compression)) {
                content = write(repository, chunks, in);
                chunks.flush();
            }
            commit.write(content);
        }
    }

    /** Cuts the stream into chunks and writes them through an open writer; durable once it is flushed. */
    public static Content write(Repository repository, ChunkWriter chunks, InputStream in)
            throws IOException, InterruptedException {
        return write(chunks, new ChunkStream(repository.chunker()), in);
    }

    /**
     * As above, through a chunk stream the caller reuses for many small streams: each holds a
     * buffer of twice the largest chunk (16 MiB by default), too much to allocate per file.
     */
    public static Content write(ChunkWriter chunks, ChunkStream reused, InputStream in)
            throws IOException, InterruptedException {
        ChunkStream stream = reused.reset(in);
        List<Future<ChunkId>> futures = new ArrayList<>();
        long size = 0;
        for (byte[] chunk = stream.next(); chunk != null; chunk = stream.next()) {
            size += chunk.length;
            futures.add(chunks.write(chunk));
        }
        return new Content(ids(futures), size);
    }

    /** The chunk ids, in order, once each chunk is written. */
    static List<String> ids(List<Future<ChunkId>> futures) throws IOException, InterruptedException {
        List<String> ids = new ArrayList<>(futures.size());
        for (Future<ChunkId> f : futures) {
            try {
                ids.add(f.get().hex());
            } catch (ExecutionException e) {
                throw new IOException("storing the stream failed: " + e.getCause().getMessage(), e.getCause());
            }
        }
        return ids;
    }
}
