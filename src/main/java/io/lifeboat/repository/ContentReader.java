package io.lifeboat.repository;

import java.io.IOException;
import java.io.InputStream;
import java.util.Iterator;
import java.util.List;

/** Reads stored content back as a stream, one checked chunk at a time. */
public final class ContentReader extends InputStream {
    private final Repository repository;
    private final Iterator<String> ids;
    private byte[] chunk = new byte[0];
    private int pos;

    public ContentReader(Repository repository, List<String> chunkIds) {
        this.repository = repository;
        this.ids = chunkIds == null ? List.<String>of().iterator() : chunkIds.iterator();
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        while (pos == chunk.length) {
            if (!ids.hasNext()) {
                return -1;
            }
            chunk = repository.readChunk(ChunkId.parse(ids.next()));
            pos = 0;
        }
        int n = Math.min(len, chunk.length - pos);
        System.arraycopy(chunk, pos, b, off, n);
        pos += n;
        return n;
    }

    /** The single file of a snapshot made by {@link StreamArchiver#snapshot}. */
    public static ContentReader ofSnapshot(Repository repository, Snapshot snapshot) {
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
