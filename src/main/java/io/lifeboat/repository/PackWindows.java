package io.lifeboat.repository;

import io.lifeboat.crypto.CorruptDataException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * Reads chunks for a restore, small ones through windows of their pack: a backup stores the chunks
 * of files in the order it reads them and a restore asks for them in that order, so one request
 * brings the next hundreds of small chunks instead of one each (on S3 a request costs more than a
 * small chunk's bytes). Large chunks are read alone. A few windows are kept, the oldest dropped
 * first; threads reading at once share them. Every chunk is still checked against its id.
 */
public final class PackWindows {
    static final int WINDOW = 4 << 20;
    static final int SMALL = 512 << 10;
    private static final int KEPT = 8;
    private final Repository repository;
    private final Map<String, CompletableFuture<byte[]>> windows = new LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, CompletableFuture<byte[]>> eldest) {
            return size() > KEPT;
        }
    };

    public PackWindows(Repository repository) {
        this.repository = repository;
    }

    /** A chunk's plaintext, checked against its id, as {@link Repository#readChunk} gives it. */
    public byte[] readChunk(ChunkId id) throws IOException {
        ChunkIndex.Location at = repository.index().get(id);
        if (at == null || at.length() > SMALL) {
            return repository.readChunk(id);
        }
        long start = at.offset() / WINDOW * WINDOW;
        if (at.offset() + at.length() > start + WINDOW) {
            return repository.readChunk(id);
        }
        String pack = Repository.packPath(at.pack());
        byte[] window = window(pack, start);
        int from = (int) (at.offset() - start);
        if (from + at.length() > window.length) {
            throw new CorruptDataException(pack + " is shorter than expected: it ends before chunk " + id.hex());
        }
        return repository.openChunk(id, Arrays.copyOfRange(window, from, from + at.length()), at.rawLength());
    }

    private byte[] window(String pack, long start) throws IOException {
        String key = pack + "@" + start;
        CompletableFuture<byte[]> mine = new CompletableFuture<>();
        CompletableFuture<byte[]> window;
        synchronized (windows) {
            window = windows.putIfAbsent(key, mine);
        }
        if (window == null) {
            window = mine;
            try {
                mine.complete(repository.store().getRangeUpTo(pack, start, WINDOW));
            } catch (Throwable e) { // whatever it is, the threads waiting for this window must hear of it
                mine.completeExceptionally(e);
                synchronized (windows) {
                    windows.remove(key, mine); // the next reader tries again
                }
            }
        }
        try {
            return window.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while reading " + pack);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof IOException io) {
                throw io;
            }
            if (cause instanceof RuntimeException r) {
                throw r;
            }
            throw (Error) cause;
        }
    }
}
