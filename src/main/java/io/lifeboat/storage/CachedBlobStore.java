package io.lifeboat.storage;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Collection;
import java.util.HexFormat;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * A remote store with a local copy of its index and snapshot objects. Those are named by the hash
 * of their bytes and never change, so a copy is as good as the original once its bytes hash to its
 * name again; opening a repository then reads only what was added since this host last looked
 * (one request per object on S3 otherwise). The list of objects always comes from the store, so
 * an object removed there is never served from here, and listing drops the copies of removed ones.
 * A cache that cannot be written is simply not used.
 */
final class CachedBlobStore implements BlobStore {
    private static final List<String> CACHED = List.of("index/", "snapshots/");
    /** Where ranges kept by key (the chunks of snapshots' file lists) are, and how long unread ones stay. */
    private static final String KEPT = "chunks";
    private static final Duration KEPT_FOR = Duration.ofDays(30);
    private final BlobStore remote;
    private final Path dir;

    CachedBlobStore(BlobStore remote, Path dir) {
        this.remote = remote;
        this.dir = dir;
    }

    @Override
    public byte[] get(String name) throws IOException {
        if (!cached(name)) {
            return remote.get(name);
        }
        Path copy = dir.resolve(name);
        if (Files.isRegularFile(copy)) {
            byte[] bytes = Files.readAllBytes(copy);
            if (hashMatchesName(name, bytes)) {
                return bytes;
            }
            Files.deleteIfExists(copy); // damaged here, not in the store: fetch it again
        }
        byte[] bytes = remote.get(name);
        keep(copy, bytes);
        return bytes;
    }

    @Override
    public Map<String, Long> listSizes(String prefix) throws IOException {
        return remote.listSizes(prefix);
    }

    @Override
    public Map<String, Long> bytesByClass() throws IOException {
        return remote.bytesByClass();
    }

    @Override
    public List<String> list(String prefix) throws IOException {
        List<String> names = remote.list(prefix);
        if (CACHED.contains(prefix)) {
            forgetCopiesNotIn(prefix, names);
        }
        if ("snapshots/".equals(prefix)) {
            forgetKeptUnusedFor(KEPT_FOR);
        }
        return names;
    }

    @Override
    public void put(String name, byte[] data) throws IOException {
        remote.put(name, data);
        if (cached(name)) {
            keep(dir.resolve(name), data);
        }
    }

    @Override
    public void delete(String name) throws IOException {
        remote.delete(name);
        if (cached(name)) {
            Files.deleteIfExists(dir.resolve(name));
        }
    }

    @Override
    public void putFile(String name, Path file) throws IOException {
        remote.putFile(name, file);
    }

    @Override
    public void putFileReadable(String name, Path file) throws IOException {
        remote.putFileReadable(name, file);
    }

    @Override
    public Map<String, Instant> lockedUntil(Collection<String> names) throws IOException {
        return remote.lockedUntil(names);
    }

    @Override
    public int extendLocks(Map<String, Instant> until) throws IOException {
        return remote.extendLocks(until);
    }

    @Override
    public Duration lockPeriod() {
        return remote.lockPeriod();
    }

    @Override
    public boolean mayArchive() {
        return remote.mayArchive();
    }

    @Override
    public Thaw thaw(Collection<String> names) throws IOException {
        return remote.thaw(names);
    }

    @Override
    public byte[] getRangeKept(String name, long offset, int length, String key) throws IOException {
        Path copy = dir.resolve(KEPT).resolve(key);
        if (Files.isRegularFile(copy)) {
            try {
                Files.setLastModifiedTime(copy, FileTime.from(Instant.now())); // in use: not old
                return Files.readAllBytes(copy);
            } catch (IOException e) {
                // gone meanwhile: from the store then
            }
        }
        byte[] bytes = remote.getRange(name, offset, length);
        keep(copy, bytes);
        return bytes;
    }

    @Override
    public void forgetKept(String key) throws IOException {
        Files.deleteIfExists(dir.resolve(KEPT).resolve(key));
    }

    @Override
    public byte[] getRangeUpTo(String name, long offset, int length) throws IOException {
        return remote.getRangeUpTo(name, offset, length);
    }

    @Override
    public InputStream open(String name) throws IOException {
        return remote.open(name);
    }

    @Override
    public boolean exists(String name) throws IOException {
        return remote.exists(name);
    }

    @Override
    public long size(String name) throws IOException {
        return remote.size(name);
    }

    @Override
    public Path scratchDirectory() throws IOException {
        return remote.scratchDirectory();
    }

    @Override
    public void create() throws IOException {
        remote.create();
    }

    @Override
    public String location() {
        return remote.location();
    }

    @Override
    public String address() {
        return remote.address();
    }

    @Override
    public void close() throws IOException {
        remote.close();
    }

    private static boolean cached(String name) {
        return CACHED.stream().anyMatch(name::startsWith) && name.indexOf('/') == name.lastIndexOf('/');
    }

    /** Objects are named kind/sha256-of-their-bytes. */
    private static boolean hashMatchesName(String name, byte[] bytes) {
        try {
            return name.substring(name.indexOf('/') + 1)
                    .equals(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private void keep(Path copy, byte[] bytes) {
        try {
            Files.createDirectories(copy.getParent());
            Path temp = copy.resolveSibling(copy.getFileName() + "." + UUID.randomUUID() + ".tmp");
            Files.write(temp, bytes);
            Files.move(temp, copy, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            // no room or no right to write here: the store still answers
        }
    }

    /** Ranges kept for their key are dropped once unread that long: the file lists of backups since gone. */
    private void forgetKeptUnusedFor(Duration age) {
        Path kept = dir.resolve(KEPT);
        if (!Files.isDirectory(kept)) {
            return;
        }
        Instant before = Instant.now().minus(age);
        try (Stream<Path> copies = Files.list(kept)) {
            for (Path copy : copies.toList()) {
                if (Files.getLastModifiedTime(copy).toInstant().isBefore(before)) {
                    Files.deleteIfExists(copy);
                }
            }
        } catch (IOException e) {
            // only room is lost
        }
    }

    private void forgetCopiesNotIn(String prefix, List<String> names) {
        Path kind = dir.resolve(prefix);
        if (!Files.isDirectory(kind)) {
            return;
        }
        Set<String> present = new HashSet<>(names);
        try (Stream<Path> copies = Files.list(kind)) {
            for (Path copy : copies.toList()) {
                if (!present.contains(prefix + copy.getFileName())) {
                    Files.deleteIfExists(copy);
                }
            }
        } catch (IOException e) {
            // an old copy is never served (the list comes from the store); it only takes room
        }
    }
}
