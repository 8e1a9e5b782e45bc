package io.lifeboat.repository;

import io.lifeboat.compress.Compression;
import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;

/**
 * Stores a byte stream that is not a file tree — a database tool's output, a log segment — through
 * the same chunking, deduplication, compression and encryption as files, without a temporary file.
 */
public final class StreamArchiver {
    /** The chunks a stream became and how many bytes it had. */
    public record Content(List<String> chunks, long size, long storedBytes) {
    }

    private StreamArchiver() {
    }

    /** Stores the stream's chunks; they are durable and indexed when this returns. */
    public static Content store(Repository repository, InputStream in, Compression.Setting compression)
            throws IOException, InterruptedException {
        try (RepositoryLock lock = RepositoryLock.shared(repository.store(), "backup");
             ChunkWriter chunks = new ChunkWriter(repository, compression)) {
            Content content = write(repository, chunks, in);
            chunks.flush();
            return new Content(content.chunks(), content.size(), chunks.storedBytes());
        }
    }

    /**
     * A last check before the snapshot is committed, such as the producing tool's exit status; it
     * may add tags with what the producer reported.
     */
    @FunctionalInterface
    public interface CommitCheck {
        List<String> verify() throws IOException, InterruptedException;
    }

    /**
     * Stores the stream as the one file storedPath of a new snapshot. The snapshot is committed only
     * after the check passes: a stream that ended because its producer died must not become a backup.
     */
    public static Snapshot snapshot(Repository repository, String storedPath, InputStream in, List<String> tags,
                                    Compression.Setting compression, CommitCheck check)
            throws IOException, InterruptedException {
        long started = System.nanoTime();
        try (RepositoryLock lock = RepositoryLock.shared(repository.store(), "backup");
             ChunkWriter chunks = new ChunkWriter(repository, compression)) {
            Content content = write(repository, chunks, in);
            long now = System.currentTimeMillis() * 1_000_000L;
            Node file = new Node(storedPath, Node.FILE, 0600, 0, 0, now, now, content.size(), 0, 0,
                    content.chunks(), null, false, null, null);
            NodeStreamWriter nodes = new NodeStreamWriter(chunks, repository.chunker());
            nodes.write(file);
            List<String> nodeChunks = nodes.finish();
            chunks.flush();
            List<String> allTags = new ArrayList<>(tags);
            allTags.addAll(check.verify());
            Snapshot.Summary summary = new Snapshot.Summary(1, 0, 0, content.size(), 0, 0, chunks.newChunks(),
                    chunks.storedBytes(), chunks.packs(), (System.nanoTime() - started) / 1_000_000);
            Snapshot snapshot = new Snapshot(null, 1, Instant.now().toString(), Keys.host(), Keys.user(),
                    List.of(storedPath), allTags, null, Snapshot.SUCCESS, nodeChunks, List.of(), summary);
            String name = repository.saveObject("snapshots", Repository.JSON.writeValueAsBytes(snapshot));
            return snapshot.withId(name.substring("snapshots/".length()));
        }
    }

    private static Content write(Repository repository, ChunkWriter chunks, InputStream in)
            throws IOException, InterruptedException {
        ChunkStream stream = new ChunkStream(repository.chunker()).reset(in);
        List<Future<ChunkId>> futures = new ArrayList<>();
        long size = 0;
        for (byte[] chunk = stream.next(); chunk != null; chunk = stream.next()) {
            size += chunk.length;
            futures.add(chunks.write(chunk));
        }
        List<String> ids = new ArrayList<>(futures.size());
        for (Future<ChunkId> f : futures) {
            try {
                ids.add(f.get().hex());
            } catch (ExecutionException e) {
                throw new IOException("storing the stream failed: " + e.getCause().getMessage(), e.getCause());
            }
        }
        return new Content(ids, size, 0);
    }
}
