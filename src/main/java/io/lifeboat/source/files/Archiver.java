package io.lifeboat.source.files;

import io.lifeboat.compress.Compression;
import io.lifeboat.repository.ChunkId;
import io.lifeboat.repository.ChunkIndex;
import io.lifeboat.repository.ChunkStream;
import io.lifeboat.repository.ChunkWriter;
import io.lifeboat.repository.Keys;
import io.lifeboat.repository.Progress;
import io.lifeboat.repository.Repository;
import io.lifeboat.repository.RepositoryException;
import io.lifeboat.repository.RepositoryLock;
import io.lifeboat.repository.Snapshot;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryIteratorException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;

/**
 * Backs up a set of paths into a snapshot. One thread walks the tree in node-stream order and cuts
 * files into chunks; the worker pool hashes, compresses, seals and packs them; a second thread
 * collects each file's chunk ids in order and writes its node. A file whose size, mtime, ctime and
 * inode match the previous snapshot's node is not read again. Unreadable entries are recorded as
 * problems and the run goes on (status "partial"); the snapshot is written only after every chunk
 * and index it needs is durable.
 */
public final class Archiver {
    /** What to back up and how; host is the name recorded (null: this machine's). */
    public record Options(List<Path> paths, List<String> tags, Compression.Setting compression, String host) {
        public Options(List<Path> paths, List<String> tags, Compression.Setting compression) {
            this(paths, tags, compression, null);
        }

        String hostname() {
            return host != null ? host : Keys.host();
        }
    }

    private record Pending(Node node, List<Future<ChunkId>> chunks) {
    }

    private static final Pending END = new Pending(null, null);
    /** Named, not "unix:*": that would also look up owner and group names, a passwd lookup per file. */
    private static final String ATTRIBUTES = "unix:mode,ino,dev,rdev,nlink,uid,gid,size,lastModifiedTime,ctime,"
            + "isDirectory,isSymbolicLink,isRegularFile";

    private final Repository repository;
    private final Options options;
    private final Progress progress;
    private final List<Snapshot.Problem> problems = Collections.synchronizedList(new ArrayList<>());
    private final Map<String, Node> firstLinkByInode = new HashMap<>();
    private final BlockingQueue<Pending> pending = new ArrayBlockingQueue<>(1024);
    private volatile Throwable collectorFailure;
    private ChunkStream chunkStream;
    private Iterator<Node> previous = Collections.emptyIterator();
    private Node previousNode;
    private long files;
    private long dirs;
    private long links;
    private long specials;
    private long bytes;
    private long unchanged;
    private long changedWhileRead;

    public Archiver(Repository repository, Options options, Progress progress) {
        this.repository = repository;
        this.options = options;
        this.progress = progress;
    }

    public Snapshot run() throws IOException, InterruptedException {
        long started = System.nanoTime();
        List<String> roots = roots(options.paths());
        Snapshot parent = parentOf(roots, options.hostname());
        if (parent != null) {
            previous = new NodeStreamReader(repository, parent.nodes());
        }
        try (RepositoryLock lock = RepositoryLock.shared(repository.store(), "backup");
             ChunkWriter chunks = new ChunkWriter(repository, options.compression())) {
            NodeStreamWriter nodes = new NodeStreamWriter(chunks, repository.chunker());
            chunkStream = new ChunkStream(repository.chunker());
            Thread collector = new Thread(() -> collect(nodes), "node-collector");
            collector.setUncaughtExceptionHandler((t, e) -> collectorFailure = e);
            collector.start();
            try {
                for (String root : roots) {
                    visit(Path.of(root), chunks);
                }
            } finally {
                pending.put(END);
                collector.join();
            }
            if (collectorFailure != null) {
                throw new IOException(collectorFailure.getMessage(), collectorFailure);
            }
            List<String> nodeChunks = nodes.finish();
            chunks.flush();
            Snapshot.Summary summary = new Snapshot.Summary(files, dirs, links, specials, bytes, unchanged, changedWhileRead,
                    chunks.newChunks(), chunks.storedBytes(), chunks.packs(),
                    (System.nanoTime() - started) / 1_000_000);
            List<Snapshot.Problem> found = List.copyOf(problems);
            boolean unreadable = found.size() > changedWhileRead;
            Snapshot snapshot = new Snapshot(null, 1, Instant.now().toString(), options.hostname(), Keys.user(), roots,
                    options.tags(), parent == null ? null : parent.id(),
                    unreadable ? Snapshot.PARTIAL : Snapshot.SUCCESS, nodeChunks, found, summary);
            return repository.commit(snapshot);
        }
    }

    /** Absolute, normalized, sorted in stream order; a path inside another given path is dropped. */
    static List<String> roots(List<Path> paths) {
        if (paths.isEmpty()) {
            throw new RepositoryException("nothing to back up: give at least one path");
        }
        List<String> sorted = new ArrayList<>();
        for (Path p : paths) {
            Path abs = p.toAbsolutePath().normalize();
            if (!Files.exists(abs, LinkOption.NOFOLLOW_LINKS)) {
                throw new RepositoryException("cannot back up " + p + ": no such file or directory");
            }
            sorted.add(abs.toString());
        }
        sorted.sort(PathOrder.INSTANCE);
        List<String> roots = new ArrayList<>();
        for (String s : sorted) {
            boolean inside = roots.stream().anyMatch(r -> s.equals(r) || s.startsWith(r.endsWith("/") ? r : r + "/"));
            if (!inside) {
                roots.add(s);
            }
        }
        return roots;
    }

    private Snapshot parentOf(List<String> roots, String host) throws IOException {
        Snapshot parent = null;
        for (Snapshot s : repository.snapshots()) {
            if (roots.equals(s.paths()) && host.equals(s.hostname())) {
                parent = s;
            }
        }
        return parent;
    }

    private void visit(Path path, ChunkWriter chunks) throws InterruptedException {
        String name = path.toString();
        Map<String, Object> a;
        try {
            a = Files.readAttributes(path, ATTRIBUTES, LinkOption.NOFOLLOW_LINKS);
        } catch (IOException e) {
            problem(name, "cannot read attributes: " + reason(e));
            return;
        }
        String rawPath = base64(RawNames.nonUtf8Bytes(path));
        if (rawPath == null && name.indexOf('\uFFFD') >= 0 && !RawNames.available()) {
            problem(name, "the name may not be valid UTF-8 and was not backed up (run Java with "
                    + "--add-opens java.base/sun.nio.fs=ALL-UNNAMED, as bin/lifeboat does)");
            return;
        }
        int mode = (Integer) a.get("mode");
        Node base = new Node(name, null, mode & 07777, (Integer) a.get("uid"), (Integer) a.get("gid"),
                nanos(a.get("lastModifiedTime")), nanos(a.get("ctime")),
                (Long) a.get("size"), (Long) a.get("dev"), (Long) a.get("ino"), 0, null, null, false, rawPath, null);
        if (Boolean.TRUE.equals(a.get("isDirectory"))) {
            visitDirectory(path, base, chunks);
        } else if (Boolean.TRUE.equals(a.get("isSymbolicLink"))) {
            try {
                links++;
                Path target = Files.readSymbolicLink(path);
                if (target.toString().indexOf('\uFFFD') >= 0 && !RawNames.available()) {
                    problem(name, "the link target may not be valid UTF-8 and was not backed up (run Java with "
                            + "--add-opens java.base/sun.nio.fs=ALL-UNNAMED, as bin/lifeboat does)");
                    return;
                }
                emit(base.as(Node.SYMLINK, target.toString(), base64(RawNames.nonUtf8Bytes(target))), List.of());
            } catch (IOException e) {
                problem(name, "cannot read link: " + reason(e));
            }
        } else if (Boolean.TRUE.equals(a.get("isRegularFile"))) {
            visitFile(path, base, (Integer) a.get("nlink"), chunks);
        } else if (Node.specialType(mode) != null) {
            // never opened (a fifo would block the walk, a device could be a tape): its type and metadata are all
            specials++;
            Node special = new Node(name, Node.specialType(mode), base.mode(), base.uid(), base.gid(), base.mtime(),
                    base.ctime(), 0, base.dev(), base.inode(), (Long) a.get("rdev"), null, null, false, rawPath, null);
            emit(special, List.of());
        } else {
            problem(name, "unknown kind of file (mode " + Integer.toOctalString(mode) + ") is not backed up");
        }
    }

    private void visitDirectory(Path dir, Node base, ChunkWriter chunks) throws InterruptedException {
        List<Path> children = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir)) {
            stream.forEach(children::add);
        } catch (IOException | DirectoryIteratorException e) {
            problem(base.path(), "cannot list directory: " + reason(e));
        }
        dirs++;
        emit(base.as(Node.DIR, null, null), List.of());
        children.sort((x, y) -> x.getFileName().toString().compareTo(y.getFileName().toString()));
        for (Path child : children) {
            visit(child, chunks);
        }
    }

    private void visitFile(Path file, Node base, int nlink, ChunkWriter chunks) throws InterruptedException {
        String name = base.path();
        if (nlink > 1) {
            String key = base.dev() + ":" + base.inode();
            Node first = firstLinkByInode.get(key);
            if (first != null) {
                links++;
                emit(base.as(Node.HARDLINK, first.path(), first.rawPath()), List.of());
                return;
            }
        }
        files++;
        bytes += base.size();
        progress.files.incrementAndGet();
        Node cached = previousFor(name);
        if (cached != null && Node.FILE.equals(cached.type()) && !cached.changed() && cached.size() == base.size()
                && cached.mtime() == base.mtime() && cached.ctime() == base.ctime() && cached.inode() == base.inode()
                && cached.dev() == base.dev()
                && allStored(cached.chunks())) {
            unchanged++;
            rememberLink(base, nlink);
            progress.bytesSkipped.addAndGet(base.size());
            emit(base.as(Node.FILE, null, null).withContent(cached.chunks(), false), List.of());
            return;
        }
        List<Future<ChunkId>> futures = new ArrayList<>();
        try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
            ChunkStream stream = chunkStream.reset(in);
            for (byte[] chunk = stream.next(); chunk != null; chunk = stream.next()) {
                progress.bytes.addAndGet(chunk.length);
                futures.add(chunks.write(chunk));
            }
        } catch (IOException e) {
            problem(name, "cannot read file: " + reason(e));
            return;
        }
        rememberLink(base, nlink);
        boolean changed = changedSince(file, base);
        if (changed) {
            changedWhileRead++;
            problem(name, "changed while it was read; the stored content may mix old and new data");
        }
        emit(base.as(Node.FILE, null, null).withContent(null, changed), futures);
    }

    /** Later names of this inode become hard links to it; only once its content is safely read. */
    private void rememberLink(Node file, int nlink) {
        if (nlink > 1) {
            firstLinkByInode.putIfAbsent(file.dev() + ":" + file.inode(), file);
        }
    }

    private boolean changedSince(Path file, Node before) {
        try {
            Map<String, Object> a = Files.readAttributes(file, "unix:size,lastModifiedTime,ctime", LinkOption.NOFOLLOW_LINKS);
            return (Long) a.get("size") != before.size() || nanos(a.get("lastModifiedTime")) != before.mtime()
                    || nanos(a.get("ctime")) != before.ctime();
        } catch (IOException e) {
            return true;
        }
    }

    private boolean allStored(List<String> ids) {
        if (ids == null) {
            return true;
        }
        ChunkIndex index = repository.index();
        for (String id : ids) {
            if (!index.contains(ChunkId.parse(id))) {
                return false;
            }
        }
        return true;
    }

    /**
     * The previous snapshot's node for this path, advancing through that stream in step with the
     * walk. If that stream cannot be read (damage), files are simply read again.
     */
    private Node previousFor(String path) {
        while (true) {
            if (previousNode == null) {
                try {
                    if (!previous.hasNext()) {
                        return null;
                    }
                    previousNode = previous.next();
                } catch (RuntimeException unreadable) {
                    previous = Collections.emptyIterator();
                    return null;
                }
            }
            int c = PathOrder.INSTANCE.compare(previousNode.path(), path);
            if (c == 0) {
                return previousNode;
            }
            if (c > 0) {
                return null;
            }
            previousNode = null;
        }
    }

    private void emit(Node node, List<Future<ChunkId>> chunks) throws InterruptedException {
        if (collectorFailure != null) {
            throw new IllegalStateException(collectorFailure.getMessage(), collectorFailure);
        }
        pending.put(new Pending(node, chunks));
    }

    private void collect(NodeStreamWriter nodes) {
        try {
            for (Pending p = pending.take(); p != END; p = pending.take()) {
                Node node = p.node();
                if (!p.chunks().isEmpty()) {
                    List<String> ids = new ArrayList<>(p.chunks().size());
                    for (Future<ChunkId> f : p.chunks()) {
                        ids.add(f.get().hex());
                    }
                    node = node.withContent(ids, node.changed());
                }
                nodes.write(node);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException e) {
            drain();
            throw new IllegalStateException("storing data failed: " + e.getCause().getMessage(), e.getCause());
        } catch (IOException e) {
            drain();
            throw new UncheckedIOException(e);
        }
    }

    /** Keeps taking until the walker's end mark, so a failed collector never blocks the walker. */
    private void drain() {
        try {
            while (pending.take() != END) {
                // discard
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void problem(String path, String message) {
        problems.add(new Snapshot.Problem(path, message));
        progress.problems.incrementAndGet();
    }

    private static String base64(byte[] raw) {
        return raw == null ? null : Base64.getEncoder().encodeToString(raw);
    }

    private static long nanos(Object time) {
        Instant i = ((FileTime) time).toInstant();
        return i.getEpochSecond() * 1_000_000_000L + i.getNano();
    }

    private static String reason(Exception e) {
        String m = e.getMessage();
        return e.getClass().getSimpleName().replace("Exception", "") + (m == null ? "" : ": " + m);
    }
}
