package io.lifeboat.source.config;

import io.lifeboat.crypto.CorruptDataException;
import io.lifeboat.crypto.MasterKey;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * Writes a configuration backup back: in place (each file, directory and link at its own path) or below a
 * target directory. Every piece is opened first, so a wrong key or a damaged piece writes nothing;
 * then only what differs (content, mode, owner) is written, each through a new owner-only file of
 * a random name beside it, given its owner, mode and time, then renamed over the old one. Below a
 * target, nothing is written outside it (no "..", no link leading out). In place, what programs
 * answered (kubectl objects, command output, environments) is not applied: it comes back only
 * below a target, for an operator to apply.
 */
public final class ConfigRestorer {
    /** What a restore did: pieces written, left as they were, and not applied. */
    public record Result(List<String> written, int unchanged, List<String> notApplied) {
    }

    /** A restore that stopped part way: what it had written by then. */
    public static final class PartlyWritten extends IOException {
        private final transient List<String> written;

        PartlyWritten(String message, List<String> written, IOException cause) {
            super(message, cause);
            this.written = List.copyOf(written);
        }

        public List<String> written() {
            return written;
        }
    }

    private ConfigRestorer() {
    }

    public static Result restore(ConfigSnapshots.Loaded backup, MasterKey key, Path target) throws IOException {
        Map<String, String> secrets;
        try {
            secrets = ConfigSnapshots.secrets(backup, key);
        } catch (CorruptDataException wrongKey) {
            throw new IOException("the configuration key does not open this backup's sealed secrets (a wrong key, "
                    + "or the backup was damaged); nothing was written");
        }
        Path root = target == null ? null : target.toAbsolutePath().normalize();
        Map<StoredItem, byte[]> opened = new LinkedHashMap<>();
        List<String> notApplied = new ArrayList<>();
        for (StoredItem item : backup.items()) {
            if (root == null && item.captured()) {
                notApplied.add(item.path());
                continue;
            }
            try {
                opened.put(item, item.hasContent() ? ConfigSnapshots.plaintext(item, secrets, key) : null);
            } catch (CorruptDataException | IllegalStateException cannotOpen) {
                throw new IOException("the configuration key does not open " + item.path() + " (a wrong key, or the "
                        + "backup was damaged); nothing was written");
            }
        }
        List<String> written = new ArrayList<>();
        List<StoredItem> directories = new ArrayList<>();
        int unchanged = 0;
        for (Map.Entry<StoredItem, byte[]> e : opened.entrySet()) {
            StoredItem item = e.getKey();
            try {
                Path dest = destination(root, item.path());
                if (same(dest, item, e.getValue())) {
                    unchanged++;
                } else if (item.dir()) {
                    if (Files.isSymbolicLink(dest)) {
                        Files.delete(dest); // the backup has a directory here; the link is in the before-restore backup
                    }
                    directories(root, dest);
                    directories.add(0, item); // their modes last, deepest first: a read-only one is then written in
                    written.add(item.path());
                } else {
                    write(root, dest, item, e.getValue());
                    written.add(item.path());
                }
            } catch (IOException failed) {
                throw new PartlyWritten("restoring " + item.path() + " failed (" + failed.getMessage() + ") after "
                        + written.size() + " pieces were written", written, failed);
            }
        }
        for (StoredItem dir : directories) {
            try {
                Path dest = destination(root, dir.path());
                owner(dest, dir);
                Files.setAttribute(dest, "unix:mode", dir.mode());
            } catch (IOException failed) {
                throw new PartlyWritten("setting the mode of " + dir.path() + " failed (" + failed.getMessage()
                        + ") after " + written.size() + " pieces were written", written, failed);
            }
        }
        return new Result(written, unchanged, notApplied);
    }

    /** The piece's own path, or its place below the target, which a stored path may not leave. */
    private static Path destination(Path root, String stored) throws IOException {
        Path own = Path.of(stored);
        if (!own.isAbsolute() || !own.normalize().equals(own)) {
            throw new IOException("the stored path is not absolute and plain");
        }
        if (root == null) {
            return own;
        }
        Path dest = root.resolve(stored.substring(1)).normalize();
        if (!dest.startsWith(root) || dest.equals(root)) {
            throw new IOException("the stored path leads out of the target");
        }
        return dest;
    }

    private static boolean same(Path dest, StoredItem item, byte[] content) throws IOException {
        if (item.link()) {
            return Files.isSymbolicLink(dest) && Files.readSymbolicLink(dest).toString().equals(item.target());
        }
        if (item.dir() ? !Files.isDirectory(dest, LinkOption.NOFOLLOW_LINKS)
                : !Files.isRegularFile(dest, LinkOption.NOFOLLOW_LINKS)) {
            return false;
        }
        Map<String, Object> a = Files.readAttributes(dest, "unix:mode,uid,gid", LinkOption.NOFOLLOW_LINKS);
        return ((Integer) a.get("mode") & 07777) == item.mode() && (Integer) a.get("uid") == item.uid()
                && (Integer) a.get("gid") == item.gid() && (item.dir() || Files.size(dest) == content.length
                && Arrays.equals(Files.readAllBytes(dest), content));
    }

    /** Its owner, when this process may give it (root); otherwise it keeps its restorer, as tar does. */
    private static void owner(Path path, StoredItem item) {
        try {
            Files.setAttribute(path, "unix:uid", item.uid(), LinkOption.NOFOLLOW_LINKS);
            Files.setAttribute(path, "unix:gid", item.gid(), LinkOption.NOFOLLOW_LINKS);
        } catch (IOException | SecurityException notPermitted) {
            // kept as it is
        }
    }

    /**
     * Makes the directory and those above it. Below a target, one at a time and never through a
     * link: a link there (restored, or found) could lead the writes out of the target.
     */
    private static void directories(Path root, Path dir) throws IOException {
        if (root == null) {
            Files.createDirectories(dir);
            return;
        }
        Files.createDirectories(root);
        Path at = root;
        for (Path part : root.relativize(dir)) {
            at = at.resolve(part);
            if (Files.isSymbolicLink(at)) {
                throw new IOException(at + " is a link: a restore below a target does not write through links");
            }
            if (!Files.exists(at, LinkOption.NOFOLLOW_LINKS)) {
                Files.createDirectory(at);
            } else if (!Files.isDirectory(at, LinkOption.NOFOLLOW_LINKS)) {
                throw new IOException(at + " is not a directory");
            }
        }
    }

    private static void write(Path root, Path dest, StoredItem item, byte[] content) throws IOException {
        Path dir = dest.getParent();
        directories(root, dir);
        String name = "." + dest.getFileName() + ".";
        Path temp;
        if (item.link()) {
            temp = dir.resolve(name + UUID.randomUUID() + ".lifeboat-restoring");
            Files.createSymbolicLink(temp, Path.of(item.target()));
        } else {
            // created new (never through a link someone put there) and owner-only until it has its mode
            temp = Files.createTempFile(dir, name, ".lifeboat-restoring", PosixFilePermissions.asFileAttribute(
                    PosixFilePermissions.fromString("rw-------")));
        }
        try {
            if (!item.link()) {
                Files.write(temp, content);
            }
            owner(temp, item);
            if (!item.link()) {
                // after the owner: chown clears setuid and setgid
                Files.setAttribute(temp, "unix:mode", item.mode());
                Files.setLastModifiedTime(temp, FileTime.from(item.mtime(), TimeUnit.NANOSECONDS));
            }
            Files.move(temp, dest, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(temp);
        }
    }
}
