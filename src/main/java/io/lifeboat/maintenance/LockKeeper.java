package io.lifeboat.maintenance;

import io.lifeboat.repository.ChunkId;
import io.lifeboat.repository.ChunkIndex;
import io.lifeboat.repository.LogArchive;
import io.lifeboat.repository.Repository;
import io.lifeboat.repository.RepositoryLock;
import io.lifeboat.repository.Snapshot;
import io.lifeboat.source.files.NodeStreamReader;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Keeps the object lock of what kept backups need from ending before their retention does. A new
 * object is locked for the store's lock period from when it is written; a pack written long ago
 * and needed by a new backup (deduplication) needs longer. Each backup's snapshot object, the packs
 * holding its chunks and the index objects naming those packs are locked until the backup's time
 * plus its retention; a log segment, and its packs, until it was stored plus the retention of its
 * source; key files and config as long as anything. Only ever extended, and to a fixed time per
 * backup: a backup retention has let go is not kept locked by this.
 */
public final class LockKeeper {
    /** How many objects were looked at and how many had their lock extended. */
    public record Result(int objects, int extended) {
    }

    private final Repository repo;
    private final Map<String, Instant> until = new HashMap<>();

    private LockKeeper(Repository repo) {
        this.repo = repo;
    }

    /**
     * Extends the locks of what the backups need; keep says how long each backup is kept (its
     * source's retention). Nothing to do where the store locks nothing.
     */
    public static Result extend(Repository repo, List<Snapshot> backups, Function<Snapshot, Duration> keep)
            throws IOException {
        if (repo.store().lockPeriod() == null) {
            return new Result(0, 0);
        }
        // a prune (exclusive) must not delete what it judged unlocked while locks are being extended
        try (RepositoryLock lock = repo.sharedLock("extend object locks")) {
            return new LockKeeper(repo).run(backups, keep);
        }
    }

    private Result run(List<Snapshot> backups, Function<Snapshot, Duration> keep) throws IOException {
        Map<String, Duration> databases = new HashMap<>();
        for (Snapshot s : backups) {
            Duration kept = keep.apply(s);
            Instant end = Instant.parse(s.time()).plus(kept);
            need("snapshots/" + s.id(), end);
            NodeStreamReader.forEachChunk(repo, s, (chunk, path) -> needChunk(chunk, end));
            s.tags().stream().filter(t -> t.startsWith("db:")).forEach(t -> databases.merge(t.substring(3), kept,
                    (a, b) -> a.compareTo(b) >= 0 ? a : b));
        }
        for (Map.Entry<String, Duration> source : databases.entrySet()) {
            for (String name : repo.store().list("logs/" + source.getKey() + "/")) {
                LogArchive.Segment segment = name.endsWith(LogArchive.PARTIAL) ? null : LogArchive.currentOf(repo, name);
                if (segment != null) {
                    Instant end = Instant.parse(segment.stored()).plus(source.getValue());
                    need(name, end);
                    segment.chunks().forEach(c -> needChunk(ChunkId.parse(c), end));
                }
            }
        }
        repo.reloadIndex((name, packs, damage) -> {
            if (packs != null) {
                packs.stream().map(p -> until.get(Repository.packPath(p.name()))).filter(t -> t != null)
                        .forEach(t -> need(name, t));
            }
        });
        Instant last = until.values().stream().max(Instant::compareTo).orElse(null);
        if (last != null) {
            need("config", last);
            repo.store().list("keys/").forEach(k -> need(k, last));
        }
        return new Result(until.size(), repo.store().extendLocks(until));
    }

    private void needChunk(ChunkId chunk, Instant end) {
        ChunkIndex.Location at = repo.locate(chunk);
        if (at != null) {
            need(Repository.packPath(at.pack()), end);
        }
    }

    private void need(String name, Instant end) {
        until.merge(name, end, (a, b) -> a.isAfter(b) ? a : b);
    }
}
