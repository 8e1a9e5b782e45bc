package io.lifeboat.source.files;

import io.lifeboat.repository.ChunkId;
import io.lifeboat.repository.ChunkWriter;
import io.lifeboat.repository.FastCdc;
import io.lifeboat.repository.Repository;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;

/**
 * Writes a snapshot's nodes as JSON lines, cut into content-defined chunks like file data: an
 * unchanged part of the tree yields the same chunks as last time and costs nothing to store.
 */
public final class NodeStreamWriter {
    private final ChunkWriter chunks;
    private final FastCdc cdc;
    private byte[] buf;
    private int end;
    private final List<Future<ChunkId>> written = new ArrayList<>();

    public NodeStreamWriter(ChunkWriter chunks, FastCdc cdc) {
        this.chunks = chunks;
        this.cdc = cdc;
        this.buf = new byte[64 * 1024];
    }

    public void write(Node node) throws IOException, InterruptedException {
        byte[] line = Repository.JSON.writeValueAsBytes(node);
        if (end + line.length + 1 > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, end + line.length + 1));
        }
        System.arraycopy(line, 0, buf, end, line.length);
        end += line.length;
        buf[end++] = '\n';
        emit(false);
    }

    /** Stores the rest and returns the ids of every chunk of the stream, in order. */
    public List<String> finish() throws IOException, InterruptedException {
        emit(true);
        List<String> ids = new ArrayList<>(written.size());
        for (Future<ChunkId> f : written) {
            try {
                ids.add(f.get().hex());
            } catch (ExecutionException e) {
                throw new IOException("storing the file list failed: " + e.getCause().getMessage(), e.getCause());
            }
        }
        return ids;
    }

    private void emit(boolean atEnd) throws InterruptedException {
        int start = 0;
        while (end - start >= cdc.max() || atEnd && end > start) {
            int n = cdc.cut(buf, start, end - start, atEnd);
            written.add(chunks.write(Arrays.copyOfRange(buf, start, start + n)));
            start += n;
        }
        System.arraycopy(buf, start, buf, 0, end - start);
        end -= start;
    }
}
