package io.lifeboat.maintenance;

import io.lifeboat.crypto.CorruptDataException;
import io.lifeboat.repository.ChunkId;
import io.lifeboat.repository.IndexFile;
import io.lifeboat.repository.LogArchive;
import io.lifeboat.repository.PackEntry;
import io.lifeboat.repository.Packer;
import io.lifeboat.repository.Repository;
import io.lifeboat.repository.RepositoryException;
import io.lifeboat.repository.RepositoryLock;
import io.lifeboat.repository.Snapshot;
import io.lifeboat.source.files.NodeStreamReader;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Gives back the space of data no snapshot or log segment needs any more (after retention removed
 * snapshots or WAL). Under the exclusive lock: marks every chunk a snapshot or a log segment refers
 * to, then deletes packs none of whose chunks is used, and repacks those mostly unused (their used
 * chunks, checked and copied sealed as they are, go into new packs). New packs and their index are
 * durable before any old index object or pack is deleted, and index objects go before their packs,
 * so a crash at any point leaves every needed chunk reachable (at worst a pack no index names,
 * which the next prune removes). Refuses to run if any snapshot or log segment cannot be read: what
 * it needs could not be known. Under an object lock nothing is asked to go before its lock ends: a
 * locked pack stays as it is, and so does every pack a locked index object names (an index naming
 * a pack that is gone would let a backup skip a chunk it believes stored); they are reported, and
 * a prune after their lock ends removes them.
 */
public final class Pruner {
    /** A pack is repacked when at least this share of its bytes is unused. */
    private static final double REPACK_UNUSED_SHARE = 0.2;

    /** What prune did (or, in a dry run, would do). */
    public record Result(int packs, int deletedPacks, int repackedPacks, long freedBytes, long copiedBytes,
                         int unindexedPacks, boolean dryRun, int lockedObjects, Instant lockedUntil) {
    }

    private final Repository repository;
    private final Duration lockWait;

    public Pruner(Repository repository, Duration lockWait) {
        this.repository = repository;
        this.lockWait = lockWait;
    }

    public Result run(boolean dryRun) throws IOException, InterruptedException {
        try (RepositoryLock lock = RepositoryLock.exclusive(repository.store(), "prune", lockWait)) {
            Set<ChunkId> used = usedChunks();
            Map<String, List<IndexFile.Pack>> indexes = indexObjects();
            Map<String, IndexFile.Pack> packs = new LinkedHashMap<>();
            indexes.values().forEach(list -> list.forEach(p -> packs.put(p.name(), p)));
            List<String> unindexed = new ArrayList<>();
            for (String object : repository.store().list("data/")) {
                if (!packs.containsKey(object.substring(object.lastIndexOf('/') + 1))) {
                    unindexed.add(object);
                }
            }
            Set<String> wouldGo = new HashSet<>(unindexed);
            packs.values().stream().filter(p -> unusedShare(p, used) >= REPACK_UNUSED_SHARE)
                    .forEach(p -> wouldGo.add(Repository.packPath(p.name())));
            Set<String> candidates = new HashSet<>(wouldGo);
            candidates.addAll(indexes.keySet());
            Map<String, Instant> locked = repository.store().lockedUntil(candidates);
            Set<String> held = new HashSet<>();
            indexes.forEach((name, listed) -> {
                if (locked.containsKey(name)) {
                    listed.forEach(p -> held.add(p.name()));
                }
            });
            packs.keySet().stream().filter(p -> locked.containsKey(Repository.packPath(p))).forEach(held::add);
            unindexed.removeIf(locked::containsKey);
            // packs worth keeping as they are first, so that a chunk stored twice is copied from neither
            Set<ChunkId> kept = new HashSet<>();
            List<IndexFile.Pack> rewrite = new ArrayList<>();
            for (IndexFile.Pack p : packs.values()) {
                if (held.contains(p.name()) || unusedShare(p, used) < REPACK_UNUSED_SHARE) {
                    p.entries().forEach(e -> kept.add(e.id()));
                } else {
                    rewrite.add(p);
                }
            }
            List<String> delete = new ArrayList<>();
            Map<String, List<PackEntry>> repack = new LinkedHashMap<>();
            long freed = 0;
            long copied = 0;
            for (IndexFile.Pack p : rewrite) {
                List<PackEntry> stillNeeded = p.entries().stream().filter(e -> used.contains(e.id()) && kept.add(e.id()))
                        .toList();
                long bytes = stillNeeded.stream().mapToLong(PackEntry::length).sum();
                if (stillNeeded.isEmpty()) {
                    delete.add(p.name());
                } else {
                    repack.put(p.name(), stillNeeded);
                    copied += bytes;
                }
                freed += storedSize(p.name()) - bytes;
            }
            for (String object : unindexed) {
                freed += repository.store().size(object);
            }
            if (!dryRun) {
                copyLiveChunks(repack);
                Set<String> gone = new HashSet<>(delete);
                gone.addAll(repack.keySet());
                rewriteIndex(gone);
                for (String pack : gone) {
                    repository.store().delete(Repository.packPath(pack));
                }
                for (String object : unindexed) {
                    repository.store().delete(object);
                }
            }
            Set<String> waiting = new HashSet<>(locked.keySet());
            held.forEach(p -> waiting.add(Repository.packPath(p)));
            waiting.retainAll(wouldGo);
            return new Result(packs.size(), delete.size(), repack.size(), freed, copied, unindexed.size(), dryRun,
                    waiting.size(), waiting.isEmpty() ? null : locked.values().stream().max(Instant::compareTo).orElse(null));
        }
    }

    /** Every chunk a snapshot (its file list and files) or an archived log segment refers to. */
    private Set<ChunkId> usedChunks() throws IOException {
        Set<ChunkId> used = new HashSet<>();
        for (String name : repository.store().list("snapshots/")) {
            Snapshot s;
            try {
                s = Repository.JSON.readValue(repository.loadObject(name), Snapshot.class);
                NodeStreamReader.forEachChunk(repository, s, (chunk, path) -> used.add(chunk));
            } catch (CorruptDataException | com.fasterxml.jackson.core.JacksonException | java.io.UncheckedIOException e) {
                throw new RepositoryException(name + " cannot be read (" + e.getMessage() + "); prune stops rather "
                        + "than delete data it may need. Run verify, and remove that snapshot if it is lost.");
            }
        }
        for (String name : repository.store().list("logs/")) {
            try {
                // a partial completed since the listing is read as its complete segment, whose chunks must stay
                LogArchive.Segment s = LogArchive.currentOf(repository, name);
                if (s != null) {
                    s.chunks().forEach(c -> used.add(ChunkId.parse(c)));
                }
            } catch (CorruptDataException | com.fasterxml.jackson.core.JacksonException e) {
                throw new RepositoryException(name + " cannot be read (" + e.getMessage() + "); prune stops rather "
                        + "than delete data it may need.");
            }
        }
        return used;
    }

    /** Index object name to the packs it lists (read once, with the index itself); a damaged one stops prune. */
    private Map<String, List<IndexFile.Pack>> indexObjects() {
        Map<String, List<IndexFile.Pack>> out = new LinkedHashMap<>();
        List<String> damaged = new ArrayList<>();
        repository.reloadIndex((name, packs, damage) -> {
            if (damage != null) {
                damaged.add(name + " cannot be read (" + damage.getMessage() + ")");
            } else {
                out.put(name, packs);
            }
        });
        if (!damaged.isEmpty()) {
            throw new RepositoryException(damaged.get(0) + "; prune stops.");
        }
        return out;
    }

    /** Copies the chunks still needed from the packs to repack into new packs, each checked on the way. */
    private void copyLiveChunks(Map<String, List<PackEntry>> repack) throws IOException {
        if (repack.isEmpty()) {
            return;
        }
        Packer packer = new Packer(repository, repository.config().packSize());
        for (Map.Entry<String, List<PackEntry>> p : repack.entrySet()) {
            String path = Repository.packPath(p.getKey());
            for (PackEntry e : p.getValue()) {
                byte[] sealed = repository.store().getRange(path, e.offset(), e.length());
                repository.openChunk(e.id(), sealed, e.rawLength()); // never carry damage into a new pack
                packer.add(e.id(), sealed, e.rawLength());
            }
        }
        packer.flush();
    }

    /**
     * Writes the index again without the packs about to go, as few objects as it takes (backups
     * write one per pack, and opening a repository reads every one: one request each on S3). The
     * new objects are durable before the old ones are deleted, and those before their packs. A
     * locked index object (one written by this prune's repacking, say) stays, and what it lists is
     * not written again.
     */
    private void rewriteIndex(Set<String> gone) throws IOException {
        Map<String, List<IndexFile.Pack>> objects = indexObjects();
        Set<String> locked = repository.store().lockedUntil(objects.keySet()).keySet();
        Set<String> listedByLocked = new HashSet<>();
        objects.forEach((name, packs) -> {
            if (locked.contains(name)) {
                packs.forEach(p -> listedByLocked.add(p.name()));
            }
        });
        objects.keySet().removeAll(locked);
        long small = objects.values().stream().filter(packs -> packs.size() < IndexFile.PACKS_PER_OBJECT).count();
        boolean names = objects.values().stream().flatMap(List::stream).anyMatch(p -> gone.contains(p.name()));
        if (small <= 1 && !names) {
            return;
        }
        Map<String, IndexFile.Pack> kept = new LinkedHashMap<>();
        objects.values().forEach(packs -> packs.stream().filter(p -> !gone.contains(p.name())
                && !listedByLocked.contains(p.name())).forEach(p -> kept.putIfAbsent(p.name(), p)));
        List<IndexFile.Pack> all = List.copyOf(kept.values());
        for (int from = 0; from < all.size(); from += IndexFile.PACKS_PER_OBJECT) {
            repository.saveIndex(all.subList(from, Math.min(all.size(), from + IndexFile.PACKS_PER_OBJECT)));
        }
        for (String old : objects.keySet()) {
            repository.store().delete(old);
        }
    }

    private static double unusedShare(IndexFile.Pack p, Set<ChunkId> used) {
        long unused = p.entries().stream().filter(e -> !used.contains(e.id())).mapToLong(PackEntry::length).sum();
        return (double) unused / Math.max(1, packBytes(p));
    }

    private static long packBytes(IndexFile.Pack p) {
        return p.entries().stream().mapToLong(PackEntry::length).sum();
    }

    private long storedSize(String pack) throws IOException {
        String path = Repository.packPath(pack);
        return repository.store().exists(path) ? repository.store().size(path) : 0;
    }
}
