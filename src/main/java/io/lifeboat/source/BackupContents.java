package io.lifeboat.source;

import io.lifeboat.repository.ChunkId;
import io.lifeboat.repository.ChunkIndex;
import io.lifeboat.repository.LogArchive;
import io.lifeboat.repository.Repository;
import io.lifeboat.repository.RepositoryCopy;
import io.lifeboat.repository.RepositoryException;
import io.lifeboat.repository.Snapshot;
import io.lifeboat.source.files.NodeStreamReader;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;

/**
 * Everything a restore of some backups reads: the chunks of their node streams and contents, and
 * for a database backup the log segments of its source, which a point-in-time restore replays.
 */
public record BackupContents(Set<ChunkId> chunks, List<String> logs) {

    public static BackupContents of(Repository repo, List<Snapshot> backups) throws IOException {
        Set<ChunkId> chunks = new HashSet<>();
        Set<String> sources = new TreeSet<>();
        for (Snapshot s : backups) {
            NodeStreamReader.forEachChunk(repo, s, (chunk, path) -> chunks.add(chunk));
            s.tags().stream().filter(t -> t.startsWith("db:")).forEach(t -> sources.add(t.substring(3)));
        }
        List<String> logs = new ArrayList<>();
        for (String source : sources) {
            for (String name : repo.store().list("logs/" + source + "/")) {
                LogArchive.Segment segment = name.endsWith(LogArchive.PARTIAL) ? null : LogArchive.currentOf(repo, name);
                if (segment != null) {
                    logs.add(name);
                    segment.chunks().forEach(c -> chunks.add(ChunkId.parse(c)));
                }
            }
        }
        return new BackupContents(chunks, logs);
    }

    /**
     * The backups the filter takes, as a part of the repository to copy: their snapshot objects,
     * the log segments of their databases, and the packs all of these need.
     */
    public static RepositoryCopy.Selection selection(Repository repo, Predicate<Snapshot> which) throws IOException {
        List<Snapshot> chosen = repo.snapshots().stream().filter(which).toList();
        BackupContents contents = of(repo, chosen);
        Set<String> roots = new HashSet<>(contents.logs());
        chosen.forEach(s -> roots.add("snapshots/" + s.id()));
        return new RepositoryCopy.Selection(roots, contents.packs(repo, "the copy"));
    }

    /** The backups of these sources (files, databases, configuration). */
    public static Predicate<Snapshot> ofSources(Collection<String> sources) {
        return s -> s.tags() != null && sources.stream().anyMatch(n -> s.tags().contains("source:" + n)
                || s.tags().contains("db:" + n));
    }

    /** The names of the packs holding the chunks; a chunk in none stops with what to run. */
    public Set<String> packs(Repository repo, String what) {
        Set<String> packs = new TreeSet<>();
        for (ChunkId id : chunks) {
            ChunkIndex.Location at = repo.locate(id);
            if (at == null) {
                throw new RepositoryException("chunk " + id + " is not in the index; " + what + " stops. Run verify.");
            }
            packs.add(at.pack());
        }
        return packs;
    }
}
