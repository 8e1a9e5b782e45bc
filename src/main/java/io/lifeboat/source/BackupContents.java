package io.lifeboat.source;

import io.lifeboat.repository.ChunkId;
import io.lifeboat.repository.ChunkIndex;
import io.lifeboat.repository.LogArchive;
import io.lifeboat.repository.Repository;
import io.lifeboat.repository.RepositoryException;
import io.lifeboat.repository.Snapshot;
import io.lifeboat.source.files.NodeStreamReader;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

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
