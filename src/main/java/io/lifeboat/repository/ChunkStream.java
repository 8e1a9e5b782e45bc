package io.lifeboat.repository;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * Splits input streams into content-defined chunks, holding at most two maximum chunks in memory.
 * One instance serves file after file, so its buffer is allocated once per backup, not per file.
 */
public final class ChunkStream {
    private final FastCdc cdc;
    private final byte[] buf;
    private InputStream in;
    private int start;
    private int end;
    private boolean eof;

    public ChunkStream(FastCdc cdc) {
        this.cdc = cdc;
        this.buf = new byte[cdc.max() * 2];
    }

    /** Starts on a new stream. */
    public ChunkStream reset(InputStream input) {
        this.in = input;
        start = 0;
        end = 0;
        eof = false;
        return this;
    }

    /** The next chunk, or null at the end of the stream. */
    public byte[] next() throws IOException {
        return next(true);
    }

    /**
     * The next chunk whose end does not depend on where the stream ends (a boundary, or the largest
     * size), or null: what is left then (rest) is where the stream's last chunk starts. For a stream
     * that will grow, these chunks are the grown stream's too.
     */
    public byte[] nextSettled() throws IOException {
        return next(false);
    }

    /** After nextSettled returned null: the bytes after the last settled chunk. */
    public byte[] rest() {
        return Arrays.copyOfRange(buf, start, end);
    }

    private byte[] next(boolean cutAtEnd) throws IOException {
        while (true) {
            int available = end - start;
            if (available > 0) {
                int n = cdc.cut(buf, start, available, eof && cutAtEnd);
                if (n > 0) {
                    byte[] chunk = Arrays.copyOfRange(buf, start, start + n);
                    start += n;
                    return chunk;
                }
            }
            if (eof) {
                return null;
            }
            fill();
        }
    }

    private void fill() throws IOException {
        if (start > 0) {
            System.arraycopy(buf, start, buf, 0, end - start);
            end -= start;
            start = 0;
        }
        while (end < buf.length) {
            // At most 1 MiB a call: the JDK reads through a per-thread direct buffer as large as the request.
            int n = in.read(buf, end, Math.min(buf.length - end, 1 << 20));
            if (n < 0) {
                eof = true;
                return;
            }
            end += n;
        }
    }
}
