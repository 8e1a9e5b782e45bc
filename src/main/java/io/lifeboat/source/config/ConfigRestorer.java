package io.lifeboat.source.config;

import io.lifeboat.crypto.CorruptDataException;
import io.lifeboat.crypto.MasterKey;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Writes a configuration backup back: in place (each file and link at its own path) or below a
 * target directory. Every piece is opened first, so a wrong key or a damaged piece writes nothing;
 * then only what differs is written (through a temporary file renamed over it), what it replaces
 * first copied beside it as NAME.before-restore-STAMP (as a recovery keeps NAME.before-recovery-ID). In place, what programs answered (kubectl, commands,
 * environments) is not applied: it comes back with a target, for an operator to apply.
 */
public final class ConfigRestorer {
    /** What a restore did: pieces written, left as they were, not applied, and the copies of those it replaced. */
    public record Result(List<String> written, int unchanged, List<String> notApplied, List<String> kept) {
    }

    private ConfigRestorer() {
    }

    public static Result restore(ConfigSnapshots.Loaded backup, MasterKey key, Path target, String stamp)
            throws IOException {
        Map<String, String> secrets;
        try {
            secrets = ConfigSnapshots.secrets(backup, key);
        } catch (CorruptDataException wrongKey) {
            throw new IOException("the configuration key does not open this backup's sealed secrets (a wrong key, "
                    + "or the backup was damaged); nothing was written");
        }
        Map<StoredItem, byte[]> opened = new LinkedHashMap<>();
        List<String> notApplied = new ArrayList<>();
        for (StoredItem item : backup.items()) {
            if (target == null && item.captured()) {
                notApplied.add(item.path());
                continue;
            }
            try {
                opened.put(item, item.link() ? null : ConfigSnapshots.plaintext(item, secrets, key));
            } catch (CorruptDataException wrongKey) {
                throw new IOException("the configuration key does not open " + item.path() + " (a wrong key, or the "
                        + "backup was damaged); nothing was written");
            }
        }
        List<String> written = new ArrayList<>();
        List<String> kept = new ArrayList<>();
        int unchanged = 0;
        for (Map.Entry<StoredItem, byte[]> e : opened.entrySet()) {
            StoredItem item = e.getKey();
            Path dest = target == null ? Path.of(item.path()) : target.resolve(item.path().substring(1));
            if (same(dest, item, e.getValue())) {
                unchanged++;
                continue;
            }
            if (Files.exists(dest, LinkOption.NOFOLLOW_LINKS)) {
                Path copy = dest.resolveSibling(dest.getFileName() + ".before-restore-" + stamp);
                Files.copy(dest, copy, StandardCopyOption.COPY_ATTRIBUTES, StandardCopyOption.REPLACE_EXISTING,
                        LinkOption.NOFOLLOW_LINKS);
                kept.add(copy.toString());
            }
            write(dest, item, e.getValue());
            written.add(item.path());
        }
        return new Result(written, unchanged, notApplied, kept);
    }

    private static boolean same(Path dest, StoredItem item, byte[] content) throws IOException {
        if (item.link()) {
            return Files.isSymbolicLink(dest) && Files.readSymbolicLink(dest).toString().equals(item.target());
        }
        if (!Files.isRegularFile(dest, LinkOption.NOFOLLOW_LINKS)) {
            return false;
        }
        Map<String, Object> a = Files.readAttributes(dest, "unix:mode,uid,gid", LinkOption.NOFOLLOW_LINKS);
        return ((Integer) a.get("mode") & 07777) == item.mode() && (Integer) a.get("uid") == item.uid()
                && (Integer) a.get("gid") == item.gid() && Files.size(dest) == content.length
                && Arrays.equals(Files.readAllBytes(dest), content);
    }

    /** Through a temporary file beside it, owner and mode set before it takes the name. */
    private static void write(Path dest, StoredItem item, byte[] content) throws IOException {
        Files.createDirectories(dest.getParent());
        Path temp = dest.resolveSibling("." + dest.getFileName() + ".lifeboat-restoring");
        Files.deleteIfExists(temp);
        if (item.link()) {
            Files.createSymbolicLink(temp, Path.of(item.target()));
        } else {
            Files.write(temp, content);
            Files.setPosixFilePermissions(temp, permissions(item.mode()));
            Files.setLastModifiedTime(temp, FileTime.from(item.mtime(), TimeUnit.NANOSECONDS));
        }
        try {
            Files.setAttribute(temp, "unix:uid", item.uid(), LinkOption.NOFOLLOW_LINKS);
            Files.setAttribute(temp, "unix:gid", item.gid(), LinkOption.NOFOLLOW_LINKS);
        } catch (IOException | SecurityException notPermitted) {
            // not root: the file keeps its restorer as owner, as tar does
        }
        Files.move(temp, dest, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static Set<PosixFilePermission> permissions(int mode) {
        Set<PosixFilePermission> out = EnumSet.noneOf(PosixFilePermission.class);
        PosixFilePermission[] order = {PosixFilePermission.OTHERS_EXECUTE, PosixFilePermission.OTHERS_WRITE,
                PosixFilePermission.OTHERS_READ, PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.GROUP_WRITE,
                PosixFilePermission.GROUP_READ, PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.OWNER_WRITE,
                PosixFilePermission.OWNER_READ};
        for (int bit = 0; bit < order.length; bit++) {
            if ((mode & (1 << bit)) != 0) {
                out.add(order[bit]);
            }
        }
        return out;
    }
}
