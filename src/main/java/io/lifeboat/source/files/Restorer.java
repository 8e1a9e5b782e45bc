package io.lifeboat.source.files;

import io.lifeboat.crypto.CorruptDataException;
import io.lifeboat.repository.ChunkId;
import io.lifeboat.repository.ChunkIndex;
import io.lifeboat.repository.PackWindows;
import io.lifeboat.repository.ChunkWriter;
import io.lifeboat.repository.Progress;
import io.lifeboat.repository.Repository;
import io.lifeboat.repository.RepositoryLock;
import io.lifeboat.repository.Snapshot;
import io.lifeboat.repository.Workers;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Restores a snapshot, or the parts of it under some paths, below a target directory. Chunks are
 * fetched, decrypted and checked against their ids on the worker pool; one thread writes them in
 * order. Each file is written to a temporary name and renamed into place only when all of it
 * checked out, so a damaged chunk never leaves damaged content under the file's name. Runs of
 * zeros are left as holes, so sparse files stay sparse.
 */
public final class Restorer {
    /** Where to restore and which stored paths (all when empty). */
    public record Options(Path target, List<String> includes) {
    }

    /** What was restored and what could not be. */
    public record Result(long files, long dirs, long links, long specialFiles, long bytes,
                         List<Snapshot.Problem> problems) {
    }

    private record Piece(Node node, Path dest, int index, Future<byte[]> data) {
    }

    private static final Piece END = new Piece(null, null, -1, null);
    private static final byte[] ZEROS = new byte[64 * 1024];
    private static final boolean ROOT = "root".equals(System.getProperty("user.name"));

    private final Repository repository;
    private final PackWindows packWindows;
    private final Options options;
    private final Progress progress;
    private final List<Snapshot.Problem> problems = Collections.synchronizedList(new ArrayList<>());
    private final BlockingQueue<Piece> pieces = new ArrayBlockingQueue<>(8);
    private final List<Node> dirs = new ArrayList<>();
    private final List<Node> hardlinks = new ArrayList<>();
    private final Set<String> restoredFiles = new HashSet<>();
    private long files;
    private long links;
    private long specials;
    private long bytes;

    public Restorer(Repository repository, Options options, Progress progress) {
        this.repository = repository;
        this.packWindows = new PackWindows(repository);
        this.options = options;
        this.progress = progress;
    }

    public Result run(Snapshot snapshot) throws IOException, InterruptedException {
        try (RepositoryLock lock = repository.sharedLock("restore")) {
            return restore(snapshot);
        }
    }

    private Result restore(Snapshot snapshot) throws IOException, InterruptedException {
        io.lifeboat.crypto.MasterKey.warmUp();
        Path target = options.target().toAbsolutePath().normalize();
        Files.createDirectories(target);
        Thread writer = new Thread(this::writeAll, "restore-writer");
        writer.start();
        try (Workers workers = new Workers("restore", ChunkWriter.IN_FLIGHT)) {
            try {
                queueAll(snapshot, target, workers);
            } finally {
                pieces.put(END);
                writer.join();
            }
        }
        for (Node link : hardlinks) {
            restoreHardlink(target, link);
        }
        for (int i = dirs.size() - 1; i >= 0; i--) {
            Node dir = dirs.get(i);
            applyMetadata(destination(target, dir.path(), dir.rawPath()), dir);
        }
        return new Result(files, dirs.size(), links, specials, bytes, List.copyOf(problems));
    }

    private void queueAll(Snapshot snapshot, Path target, Workers workers) throws IOException, InterruptedException {
        NodeStreamReader nodes = new NodeStreamReader(repository, snapshot.nodes());
        while (nodes.hasNext()) {
            Node node = nodes.next();
            if (!included(options.includes(), node.path())) {
                continue;
            }
            Path dest = destination(target, node.path(), node.rawPath());
            switch (node.type()) {
                case Node.DIR -> {
                    Files.createDirectories(dest);
                    dirs.add(node);
                }
                case Node.SYMLINK -> restoreSymlink(node, dest);
                case Node.HARDLINK -> hardlinks.add(node);
                case Node.FILE -> queueFile(node, dest, workers);
                case Node.FIFO, Node.SOCKET, Node.CHAR_DEVICE, Node.BLOCK_DEVICE -> restoreSpecial(node, dest);
                default -> problem(node.path(), "unknown entry type '" + node.type() + "'");
            }
        }
    }

    /** Whether a stored path is one of the included paths, inside one, or a directory on the way to one. */
    static boolean included(List<String> includes, String path) {
        if (includes.isEmpty()) {
            return true;
        }
        for (String raw : includes) {
            String inc = raw.startsWith("/") ? raw : "/" + raw;
            if (inc.length() > 1 && inc.endsWith("/")) {
                inc = inc.substring(0, inc.length() - 1);
            }
            if (path.equals(inc) || path.startsWith(inc.equals("/") ? "/" : inc + "/") || inc.startsWith(path + "/")) {
                return true;
            }
        }
        return false;
    }

    /** Where a stored path goes below the target; exact bytes when the name is not UTF-8. */
    static Path destination(Path target, String stored, String rawBase64) {
        Path dest;
        if (rawBase64 != null) {
            byte[] prefix = target.toString().getBytes(StandardCharsets.UTF_8);
            byte[] raw = Base64.getDecoder().decode(rawBase64);
            byte[] all = Arrays.copyOf(prefix, prefix.length + raw.length);
            System.arraycopy(raw, 0, all, prefix.length, raw.length);
            dest = RawNames.path(all).normalize();
        } else {
            String relative = stored.replaceFirst("^/+", "");
            dest = relative.isEmpty() ? target : target.resolve(relative).normalize();
        }
        if (!dest.startsWith(target)) {
            throw new CorruptDataException("stored path " + stored + " would escape the target directory");
        }
        return dest;
    }

    private void queueFile(Node node, Path dest, Workers workers) throws InterruptedException {
        List<String> ids = node.chunks() == null ? List.of() : node.chunks();
        if (ids.isEmpty()) {
            pieces.put(new Piece(node, dest, 0, null));
            return;
        }
        for (int i = 0; i < ids.size(); i++) {
            ChunkId id = ChunkId.parse(ids.get(i));
            ChunkIndex.Location at = repository.index().get(id);
            long cost = at == null ? 0 : at.rawLength();
            pieces.put(new Piece(node, dest, i, workers.submit(cost, () -> packWindows.readChunk(id))));
        }
    }

    /** The writer thread: files arrive piece by piece, in order. */
    private void writeAll() {
        OpenFile open = null;
        try {
            for (Piece p = pieces.take(); p != END; p = pieces.take()) {
                if (p.index() == 0) {
                    open = start(p);
                }
                if (open == null || open.failed) {
                    continue;
                }
                try {
                    if (p.data() != null) {
                        open.write(p.data().get());
                    }
                    if (p.data() == null || p.index() == p.node().chunks().size() - 1) {
                        finish(open);
                        open = null;
                    }
                } catch (ExecutionException | IOException e) {
                    Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
                    problem(p.node().path(), "not restored: " + (cause instanceof NoSuchFileException missing
                            && missing.getReason() == null ? missing.getFile() + " is missing" : cause.getMessage()));
                    open.abandon();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private OpenFile start(Piece p) {
        try {
            Files.createDirectories(p.dest().getParent());
            return new OpenFile(p.node(), p.dest());
        } catch (IOException e) {
            problem(p.node().path(), "cannot create: " + e.getMessage());
            return null;
        }
    }

    private void finish(OpenFile f) throws IOException {
        f.close();
        if (Files.isDirectory(f.dest, LinkOption.NOFOLLOW_LINKS)) {
            f.abandon();
            throw new IOException(f.dest + " is a directory");
        }
        Files.move(f.temp, f.dest, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        applyMetadata(f.dest, f.node);
        synchronized (restoredFiles) {
            restoredFiles.add(f.node.path());
        }
        files++;
        bytes += f.node.size();
        progress.files.incrementAndGet();
    }

    private void restoreSymlink(Node node, Path dest) throws IOException {
        Files.createDirectories(dest.getParent());
        Files.deleteIfExists(dest);
        Files.createSymbolicLink(dest, node.rawTarget() != null
                ? RawNames.path(Base64.getDecoder().decode(node.rawTarget())) : Path.of(node.target()));
        applyMetadata(dest, node);
        links++;
    }

    private void restoreSpecial(Node node, Path dest) throws IOException, InterruptedException {
        Files.createDirectories(dest.getParent());
        try {
            SpecialFiles.create(node, dest);
        } catch (IOException e) {
            problem(node.path(), "not restored: " + e.getMessage());
            return;
        }
        applyMetadata(dest, node);
        specials++;
    }

    private void restoreHardlink(Path target, Node link) throws IOException {
        boolean present;
        synchronized (restoredFiles) {
            present = restoredFiles.contains(link.target());
        }
        if (!present) {
            problem(link.path(), "not restored: the file it links to (" + link.target() + ") was not restored");
            return;
        }
        Path dest = destination(target, link.path(), link.rawPath());
        Files.createDirectories(dest.getParent());
        Files.deleteIfExists(dest);
        Files.createLink(dest, destination(target, link.target(), link.rawTarget()));
        links++;
    }

    /** Owner first: chown clears setuid and setgid, which the mode then sets with the permissions. */
    private void applyMetadata(Path dest, Node node) {
        boolean symlink = Node.SYMLINK.equals(node.type());
        try {
            if (ROOT) {
                Files.setAttribute(dest, "unix:uid", node.uid(), LinkOption.NOFOLLOW_LINKS);
                Files.setAttribute(dest, "unix:gid", node.gid(), LinkOption.NOFOLLOW_LINKS);
            }
            if (!symlink) {
                Files.setAttribute(dest, "unix:mode", node.mode() & 07777);
            }
            if (node.special()) {
                SpecialFiles.setModificationTime(dest, node.mtime());
            } else {
                Files.getFileAttributeView(dest, BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                        .setTimes(time(node.mtime()), null, null);
            }
        } catch (IOException | UnsupportedOperationException e) {
            problem(node.path(), "restored, but its owner, mode or times could not be set: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            problem(node.path(), "restored, but interrupted before its time was set");
        }
    }

    private static FileTime time(long nanos) {
        return FileTime.from(nanos, TimeUnit.NANOSECONDS);
    }

    private void problem(String path, String message) {
        problems.add(new Snapshot.Problem(path, message));
        progress.problems.incrementAndGet();
    }

    /** A file being restored under a temporary name beside its destination. */
    private static final class OpenFile {
        final Node node;
        final Path dest;
        final Path temp;
        final FileChannel channel;
        long position;
        boolean failed;

        OpenFile(Node node, Path dest) throws IOException {
            this.node = node;
            this.dest = dest;
            this.temp = dest.resolveSibling("." + dest.getFileName() + ".lifeboat-" + UUID.randomUUID());
            this.channel = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        }

        void write(byte[] data) throws IOException {
            for (int off = 0; off < data.length; off += ZEROS.length) {
                int n = Math.min(ZEROS.length, data.length - off);
                if (Arrays.mismatch(data, off, off + n, ZEROS, 0, n) >= 0) {
                    ByteBuffer buf = ByteBuffer.wrap(data, off, n);
                    long pos = position + off;
                    while (buf.hasRemaining()) {
                        pos += channel.write(buf, pos);
                    }
                }
            }
            position += data.length;
        }

        /** Ends the file at its full length; a trailing hole needs one written byte to make the size. */
        void close() throws IOException {
            if (channel.size() < position) {
                channel.write(ByteBuffer.wrap(new byte[1]), position - 1);
            }
            channel.close();
        }

        void abandon() {
            failed = true;
            try {
                channel.close();
                Files.deleteIfExists(temp);
            } catch (IOException e) {
                // the temporary name is hidden and harmless; nothing else to do
            }
        }
    }
}
