package io.lifeboat.source.files;

import io.lifeboat.repository.ChunkStream;
import io.lifeboat.repository.Repository;
import io.lifeboat.repository.Snapshot;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Compares a restored tree with the snapshot it came from, as a user would: every file is read
 * back from disk, cut and hashed the way a backup does, and its chunk ids must be the snapshot's;
 * every link must point where it pointed. What differs is named.
 */
public final class RestoredTreeCheck {
    /** Files and bytes compared, and what differs (at most 20 named, then a count). */
    public record Result(long files, long bytes, List<String> differing, long differingCount) {
        public boolean ok() {
            return differingCount == 0;
        }
    }

    private RestoredTreeCheck() {
    }

    /** The snapshot's entries under includes (all when empty), found below root as restore put them. */
    public static Result run(Repository repository, Snapshot snapshot, List<String> includes, Path root)
            throws IOException {
        Path base = root.toAbsolutePath().normalize();
        NodeStreamReader nodes = new NodeStreamReader(repository, snapshot.nodes());
        ChunkStream chunks = new ChunkStream(repository.chunker());
        long files = 0;
        long bytes = 0;
        List<String> differing = new ArrayList<>();
        long count = 0;
        while (nodes.hasNext()) {
            Node node = nodes.next();
            if (!Restorer.included(includes, node.path())) {
                continue;
            }
            Path at = Restorer.destination(base, node.path(), node.rawPath());
            String problem = null;
            if (Node.FILE.equals(node.type())) {
                problem = compareFile(repository, chunks, node, at);
                files++;
                bytes += node.size();
            } else if (Node.SYMLINK.equals(node.type())) {
                problem = !Files.isSymbolicLink(at) ? "missing link"
                        : node.rawTarget() == null && !Files.readSymbolicLink(at).toString().equals(node.target())
                        ? "link points elsewhere" : null;
            } else if (Node.DIR.equals(node.type()) && !Files.isDirectory(at, LinkOption.NOFOLLOW_LINKS)) {
                problem = "missing directory";
            }
            if (problem != null) {
                count++;
                if (differing.size() < 20) {
                    differing.add(node.path() + ": " + problem);
                }
            }
        }
        return new Result(files, bytes, differing, count);
    }

    private static String compareFile(Repository repository, ChunkStream chunks, Node node, Path at) throws IOException {
        if (!Files.isRegularFile(at, LinkOption.NOFOLLOW_LINKS)) {
            return "missing";
        }
        if (Files.size(at) != node.size()) {
            return "size " + Files.size(at) + ", backed up " + node.size();
        }
        List<String> expected = node.chunks() == null ? List.of() : node.chunks();
        int i = 0;
        try (InputStream in = Files.newInputStream(at)) {
            chunks.reset(in);
            byte[] chunk;
            while ((chunk = chunks.next()) != null) {
                if (i >= expected.size() || !repository.chunkId(chunk).hex().equals(expected.get(i))) {
                    return "content differs from the backup (chunk " + i + ")";
                }
                i++;
            }
        }
        return i == expected.size() ? null : "content differs from the backup (shorter)";
    }
}
