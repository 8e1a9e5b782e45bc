package io.lifeboat.source.files;

import io.lifeboat.repository.ChunkId;
import io.lifeboat.repository.Repository;
import io.lifeboat.repository.Snapshot;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

/** Reads a snapshot's nodes back, one chunk at a time, so memory does not grow with the tree. */
public final class NodeStreamReader implements Iterator<Node> {
    private final Repository repository;
    private final Iterator<String> chunkIds;
    private byte[] chunk = new byte[0];
    private int pos;
    private final ByteArrayOutputStream partial = new ByteArrayOutputStream();
    private Node next;

    public NodeStreamReader(Repository repository, List<String> chunkIds) {
        this.repository = repository;
        this.chunkIds = chunkIds.iterator();
    }

    /** Sees one chunk a snapshot needs, with the path that needs it. */
    @FunctionalInterface
    public interface ChunkVisitor {
        void visit(ChunkId id, String path);
    }

    /** Every chunk a snapshot needs: those of its file list ("(its file list)"), then each file's. */
    public static void forEachChunk(Repository repository, Snapshot snapshot, ChunkVisitor visitor) {
        for (String c : snapshot.nodes()) {
            visitor.visit(ChunkId.parse(c), "(its file list)");
        }
        NodeStreamReader nodes = new NodeStreamReader(repository, snapshot.nodes());
        while (nodes.hasNext()) {
            Node n = nodes.next();
            if (n.chunks() != null) {
                for (String c : n.chunks()) {
                    visitor.visit(ChunkId.parse(c), n.path());
                }
            }
        }
    }

    @Override
    public boolean hasNext() {
        if (next == null) {
            try {
                next = readLine();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return next != null;
    }

    @Override
    public Node next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        Node n = next;
        next = null;
        return n;
    }

    private Node readLine() throws IOException {
        while (true) {
            for (int i = pos; i < chunk.length; i++) {
                if (chunk[i] == '\n') {
                    partial.write(chunk, pos, i - pos);
                    pos = i + 1;
                    byte[] line = partial.toByteArray();
                    partial.reset();
                    return Repository.JSON.readValue(line, Node.class);
                }
            }
            partial.write(chunk, pos, chunk.length - pos);
            if (!chunkIds.hasNext()) {
                if (partial.size() > 0) {
                    throw new io.lifeboat.crypto.CorruptDataException("the file list ends in the middle of an entry");
                }
                return null;
            }
            chunk = repository.readFileListChunk(ChunkId.parse(chunkIds.next()));
            pos = 0;
        }
    }
}
