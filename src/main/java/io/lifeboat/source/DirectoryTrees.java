package io.lifeboat.source;

import java.io.IOException;
import io.lifeboat.storage.LocalBlobStore;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Whole directory trees: a restore's scratch copy, a failed attempt, a drill's sandbox; and whether
 * a place a restore is asked to write to lies inside the roots it may write to.
 */
public final class DirectoryTrees {
    private DirectoryTrees() {
    }

    /** Removes the tree (links are removed, never followed); nothing when it is not there. */
    public static void delete(Path dir) throws IOException {
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    /**
     * Forces every file and directory of the tree to disk (links are not followed), so that a copy
     * about to replace a live place survives a power cut that comes after the rename.
     */
    public static void sync(Path tree) throws IOException {
        try (Stream<Path> walk = Files.walk(tree)) {
            for (Path p : walk.toList()) {
                if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                    try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ)) {
                        ch.force(true);
                    }
                } else if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                    LocalBlobStore.syncDirectory(p);
                }
            }
        }
    }

    /**
     * Whether the place is inside one of the roots once links are followed (as far as the place
     * exists), so that a link inside a root cannot lead a write out of it.
     */
    public static boolean inside(Path place, List<String> roots) {
        Path real = realPath(place.normalize());
        return roots.stream().anyMatch(root -> real.startsWith(realPath(Path.of(root).normalize())));
    }

    private static Path realPath(Path p) {
        Path existing = p;
        while (existing != null && !Files.exists(existing)) {
            existing = existing.getParent();
        }
        try {
            return existing == null ? p : existing.toRealPath().resolve(existing.relativize(p));
        } catch (IOException e) {
            return p;
        }
    }
}
