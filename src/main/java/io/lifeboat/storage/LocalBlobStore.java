package io.lifeboat.storage;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

/**
 * A repository in a local directory or on an NFS mount. Writes go to a temporary file in the
 * target's own directory, are fsynced, renamed into place and the directory is fsynced, so the
 * object appears whole or not at all, and survives a power cut once put returns.
 */
public final class LocalBlobStore implements BlobStore {
    private static final String TEMP_MARK = ".tmp-";
    private final Path root;
    /** Set by create (init, a new copy): writes before the repository's config exists are its own. */
    private volatile boolean creating;

    public LocalBlobStore(Path root) {
        this.root = root.toAbsolutePath().normalize();
    }

    public Path root() {
        return root;
    }

    /** Makes the directory (init, a new copy); every other write needs a repository there. */
    @Override
    public void create() throws IOException {
        Files.createDirectories(root);
        creating = true;
    }

    /**
     * A repository that vanished (a dropped mount leaves an empty mount point, or none) is not made
     * again by a write: the writer fails, instead of filling the disk under the mount point.
     */
    private void requireRoot() throws NoSuchFileException {
        if (!creating && !Files.isRegularFile(root.resolve("config"))) {
            throw new NoSuchFileException(root.toString(), null, "holds no repository (a dropped mount?); nothing is"
                    + " written in its place");
        }
    }

    @Override
    public void put(String name, byte[] data) throws IOException {
        requireRoot();
        Path target = resolve(name);
        Files.createDirectories(target.getParent());
        Path temp = target.resolveSibling(target.getFileName() + TEMP_MARK + UUID.randomUUID());
        try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            ByteBuffer buf = ByteBuffer.wrap(data);
            while (buf.hasRemaining()) {
                ch.write(buf);
            }
            ch.force(true);
        } catch (IOException e) {
            Files.deleteIfExists(temp);
            throw e;
        }
        moveIntoPlace(temp, target);
    }

    @Override
    public void putFile(String name, Path file) throws IOException {
        requireRoot();
        Path target = resolve(name);
        Files.createDirectories(target.getParent());
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.force(true);
        }
        moveIntoPlace(file, target);
    }

    private void moveIntoPlace(Path temp, Path target) throws IOException {
        try {
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.deleteIfExists(temp);
            throw new IOException("cannot rename atomically into " + target.getParent() + ": " + e.getMessage(), e);
        }
        syncDirectory(target.getParent());
    }

    /** Forces a directory's entries (a rename in it) to disk; a filesystem that refuses is let be. */
    public static void syncDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException e) {
            // Some file systems (and NFS clients) refuse fsync on a directory; the rename is still atomic.
        }
    }

    @Override
    public byte[] get(String name) throws IOException {
        return Files.readAllBytes(resolve(name));
    }

    @Override
    public byte[] getRangeUpTo(String name, long offset, int length) throws IOException {
        try (FileChannel ch = FileChannel.open(resolve(name), StandardOpenOption.READ)) {
            ByteBuffer buf = ByteBuffer.allocate((int) Math.max(0, Math.min(length, ch.size() - offset)));
            while (buf.hasRemaining() && ch.read(buf, offset + buf.position()) >= 0) {
                // until the buffer, sized to what the file holds there, is full
            }
            return buf.array();
        }
    }

    @Override
    public InputStream open(String name) throws IOException {
        return Files.newInputStream(resolve(name));
    }

    @Override
    public boolean exists(String name) {
        return Files.isRegularFile(resolve(name));
    }

    @Override
    public long size(String name) throws IOException {
        return Files.size(resolve(name));
    }

    /** Objects another process removes while they are listed (a lock, a pruned pack) are left out. */
    @Override
    public Map<String, Long> listSizes(String prefix) throws IOException {
        Path start = resolve(prefix);
        Path dir = Files.isDirectory(start) ? start : start.getParent();
        Map<String, Long> names = new HashMap<>();
        if (dir == null || !Files.isDirectory(dir)) {
            return names;
        }
        Files.walkFileTree(dir, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path p, BasicFileAttributes attributes) {
                String name = root.relativize(p).toString();
                if (attributes.isRegularFile() && name.startsWith(prefix) && !name.contains(TEMP_MARK)) {
                    names.put(name, attributes.size());
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path p, IOException e) throws IOException {
                if (e instanceof NoSuchFileException) {
                    return FileVisitResult.CONTINUE;
                }
                throw e;
            }
        });
        return names;
    }

    @Override
    public void delete(String name) throws IOException {
        try {
            Files.delete(resolve(name));
        } catch (NoSuchFileException e) {
            // already gone: deletion is idempotent
        }
    }

    @Override
    public Path scratchDirectory() throws IOException {
        requireRoot();
        Path tmp = root.resolve("tmp");
        Files.createDirectories(tmp);
        return tmp;
    }

    @Override
    public String location() {
        return root.toString();
    }

    @Override
    public String address() {
        return root.toString();
    }

    private Path resolve(String name) {
        Path p = root.resolve(name).normalize();
        if (!p.startsWith(root)) {
            throw new IllegalArgumentException("object name escapes the repository: " + name);
        }
        return p;
    }
}
