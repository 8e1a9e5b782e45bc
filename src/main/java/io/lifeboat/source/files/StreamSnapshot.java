package io.lifeboat.source.files;

import io.lifeboat.compress.Compression;
import io.lifeboat.crypto.MasterKey;
import io.lifeboat.repository.ChunkWriter;
import io.lifeboat.repository.ContentReader;
import io.lifeboat.repository.Keys;
import io.lifeboat.repository.Repository;
import io.lifeboat.repository.RepositoryException;
import io.lifeboat.repository.RepositoryLock;
import io.lifeboat.repository.Snapshot;
import io.lifeboat.repository.StreamArchiver;
import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * A byte stream kept as the one file of a snapshot (a database tool's output: pg_basebackup's tar,
 * pg_dump's archive), so that it is listed, retained, verified and pruned like any backup.
 */
public final class StreamSnapshot {
    /**
     * A last check before the snapshot is committed, such as the producing tool's exit status; it
     * may add tags with what the producer reported.
     */
    @FunctionalInterface
    public interface CommitCheck {
        List<String> verify() throws IOException, InterruptedException;
    }

    private StreamSnapshot() {
    }

    /**
     * Stores the stream as the one file storedPath of a new snapshot. The snapshot is committed only
     * after the check passes: a stream that ended because its producer died must not become a backup.
     */
    public static Snapshot save(Repository repository, String storedPath, InputStream in, List<String> tags,
                                Compression.Setting compression, CommitCheck check)
            throws IOException, InterruptedException {
        long started = System.nanoTime();
        try (RepositoryLock lock = repository.sharedLock("backup");
             ChunkWriter chunks = new ChunkWriter(repository, compression)) {
            StreamArchiver.Content content = StreamArchiver.write(repository, chunks, in);
            long now = System.currentTimeMillis() * 1_000_000L;
            Node file = new Node(storedPath, Node.FILE, 0600, 0, 0, now, now, content.size(), 0, 0, 0,
                    content.chunks(), null, false, null, null);
            NodeStreamWriter nodes = new NodeStreamWriter(chunks, repository.chunker());
            nodes.write(file);
            List<String> nodeChunks = nodes.finish();
            chunks.flush();
            List<String> allTags = new ArrayList<>(tags);
            allTags.addAll(check.verify());
            Snapshot.Summary summary = new Snapshot.Summary(1, 0, 0, 0, content.size(), 0, 0, chunks.newChunks(),
                    chunks.storedBytes(), chunks.packs(), (System.nanoTime() - started) / 1_000_000);
            Snapshot snapshot = new Snapshot(null, 1, Instant.now().toString(), Keys.host(), Keys.user(),
                    List.of(storedPath), allTags, null, Snapshot.SUCCESS, nodeChunks, List.of(), summary);
            return repository.commit(snapshot);
        }
    }

    /** The stored stream of a snapshot made by {@link #save}, every chunk checked as it is read. */
    public static ContentReader open(Repository repository, Snapshot snapshot) {
        MasterKey.warmUp(); // a whole backup streams through decryption
        NodeStreamReader nodes = new NodeStreamReader(repository, snapshot.nodes());
        while (nodes.hasNext()) {
            Node n = nodes.next();
            if (Node.FILE.equals(n.type())) {
                return new ContentReader(repository, n.chunks());
            }
        }
        throw new RepositoryException("snapshot " + snapshot.shortId() + " holds no stored stream");
    }
}
