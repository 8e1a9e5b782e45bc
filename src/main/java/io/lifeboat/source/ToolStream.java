package io.lifeboat.source;

import io.lifeboat.compress.Compression;
import io.lifeboat.repository.Repository;
import io.lifeboat.repository.Snapshot;
import io.lifeboat.source.files.StreamSnapshot;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

/**
 * A database tool's standard output stored as the one file of a snapshot (pg_basebackup's tar,
 * pg_dump's archive, mariadb-backup's xbstream, mariadb-dump's SQL), never through a full-size
 * temporary file; committed only if the tool exited 0. The first and last 64 KiB of the stream are
 * kept for the caller's own last check: pg_basebackup's manifest ends its tar, mariadb-backup's
 * checkpoints end its stream, mariadb-dump writes its binlog position at the top.
 */
public final class ToolStream {
    private static final int TAIL = 64 * 1024;

    /** Judges the finished stream by its first and last bytes; returns tags to add, or throws to refuse it. */
    @FunctionalInterface
    public interface Finish {
        List<String> tags(String head, String tail) throws IOException, InterruptedException;
    }

    private ToolStream() {
    }

    public static Snapshot snapshot(Repository repository, ProcessBuilder tool, String what, String storedPath,
                             List<String> tags, Compression.Setting compression, Finish finish)
            throws IOException, InterruptedException {
        Process process = tool.start();
        String program = Path.of(tool.command().get(0)).getFileName().toString();
        ProcessOutput errors = new ProcessOutput(process.getErrorStream(), program);
        try (EndsKeepingStream out = new EndsKeepingStream(process.getInputStream(), TAIL)) {
            return StreamSnapshot.save(repository, storedPath, out, tags, compression, () -> {
                int exit = process.waitFor();
                if (exit != 0) {
                    throw new IOException(program + " of " + what + " failed (" + ProcessOutput.exit(exit) + "): "
                            + errors.tail());
                }
                return finish.tags(out.head(), out.tail());
            });
        } finally {
            process.destroyForcibly();
        }
    }

    /** Passes a stream through and keeps its first and last bytes (copied in blocks: this is every byte of a backup). */
    private static final class EndsKeepingStream extends FilterInputStream {
        private final byte[] ring;
        private final byte[] head;
        private long total;

        EndsKeepingStream(InputStream in, int keep) {
            super(in);
            ring = new byte[keep];
            head = new byte[keep];
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0) {
                if (total < head.length) {
                    System.arraycopy(b, off, head, (int) total, (int) Math.min(n, head.length - total));
                }
                int keep = Math.min(n, ring.length);
                int from = off + n - keep;
                int at = (int) ((total + n - keep) % ring.length);
                int first = Math.min(keep, ring.length - at);
                System.arraycopy(b, from, ring, at, first);
                System.arraycopy(b, from + first, ring, 0, keep - first);
                total += n;
            }
            return n;
        }

        String head() {
            return new String(head, 0, (int) Math.min(total, head.length), StandardCharsets.ISO_8859_1);
        }

        String tail() {
            int kept = (int) Math.min(total, ring.length);
            int start = (int) ((total - kept) % ring.length);
            byte[] out = new byte[kept];
            int first = Math.min(kept, ring.length - start);
            System.arraycopy(ring, start, out, 0, first);
            System.arraycopy(ring, 0, out, first, kept - first);
            return new String(out, StandardCharsets.ISO_8859_1);
        }
    }
}
