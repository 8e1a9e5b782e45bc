package io.lifeboat.repository;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Reads stored content back as a stream, every chunk checked. Reading, decrypting and
 * decompressing a chunk is CPU work, so the next few chunks are read ahead on a thread per core
 * while the caller consumes the current one (a restored base backup streams at the speed of all
 * cores, not one).
 */
public final class ContentReader extends InputStream {
    /** Chunks read ahead: about that many MiB in memory at once, at most 8 MiB each. */
    private static final int AHEAD = 6;
    private static final ExecutorService READERS = Executors.newFixedThreadPool(
            Math.max(1, Runtime.getRuntime().availableProcessors()), r -> {
                Thread t = new Thread(r, "content-reader");
                t.setDaemon(true);
                return t;
            });
    private final Repository repository;
    private final Iterator<String> ids;
    private final ArrayDeque<Future<byte[]>> ahead = new ArrayDeque<>();
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
            while (ahead.size() < AHEAD && ids.hasNext()) {
                ChunkId id = ChunkId.parse(ids.next());
                ahead.add(READERS.submit(() -> repository.readChunk(id)));
            }
            if (ahead.isEmpty()) {
                return -1;
            }
            chunk = next();
            pos = 0;
        }
        int n = Math.min(len, chunk.length - pos);
        System.arraycopy(chunk, pos, b, off, n);
        pos += n;
        return n;
    }

    private byte[] next() throws IOException {
        try {
            return ahead.poll().get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("reading stored content was interrupted");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
        }
    }

    @Override
    public void close() {
        ahead.forEach(f -> f.cancel(true));
        ahead.clear();
    }
}
