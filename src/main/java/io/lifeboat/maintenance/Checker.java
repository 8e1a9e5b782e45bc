package io.lifeboat.maintenance;

import com.fasterxml.jackson.core.JacksonException;
import io.lifeboat.crypto.CorruptDataException;
import io.lifeboat.crypto.MasterKey;
import io.lifeboat.repository.ChunkId;
import io.lifeboat.repository.ChunkIndex;
import io.lifeboat.repository.IndexFile;
import io.lifeboat.repository.LogArchive;
import io.lifeboat.repository.PackEntry;
import io.lifeboat.repository.Progress;
import io.lifeboat.repository.Repository;
import io.lifeboat.repository.RepositoryLock;
import io.lifeboat.repository.Snapshot;
import io.lifeboat.source.files.NodeStreamReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.NoSuchFileException;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Checks a repository. Always: every index, snapshot and log segment opens and authenticates, every
 * pack the index names exists with the right size, every chunk a snapshot or segment needs is indexed. With readData:
 * every pack is read whole, its hash compared with its name, and every chunk decrypted and
 * re-hashed; or only a subset of the packs, so that a scheduled check reads the whole repository
 * over several runs. Each damaged chunk is traced to the snapshots and files that need it.
 */
public final class Checker {
    /** One finding; snapshot and path are set when the damage reaches a backed-up file. */
    public record Finding(String object, String message, String snapshot, String path) {
    }

    /**
     * Which packs are read: group n of t, a pack's group fixed by its name, so that the groups 1..t
     * read every pack exactly once between them (restic's --read-data-subset n/t).
     */
    public record Subset(int n, int t) {
        public static final Subset ALL = new Subset(1, 1);

        /** "n/t" with 1 <= n <= t; IllegalArgumentException saying what is wrong. */
        public static Subset parse(String text) {
            String[] parts = text.split("/");
            try {
                if (parts.length == 2) {
                    Subset s = new Subset(Integer.parseInt(parts[0].strip()), Integer.parseInt(parts[1].strip()));
                    if (s.n() >= 1 && s.n() <= s.t()) {
                        return s;
                    }
                }
            } catch (NumberFormatException e) {
                // said below
            }
            throw new IllegalArgumentException("'" + text + "' is not a subset n/t with 1 <= n <= t, e.g. 3/7");
        }

        public boolean has(String pack) {
            return Long.parseLong(pack.substring(0, 8), 16) % t == n - 1;
        }
    }

    /** The outcome: errors (damage) and notes (harmless leftovers, such as packs of an interrupted backup). */
    public record Report(int snapshots, int packs, int packsRead, long chunks, long bytesRead, List<Finding> errors,
                         List<String> notes) {
        public boolean ok() {
            return errors.isEmpty();
        }
    }

    private final Repository repository;
    /** The packs read whole; null: none. */
    private final Subset read;
    private final AtomicLong packsRead = new AtomicLong();
    private final Progress progress;
    private final List<Finding> errors = Collections.synchronizedList(new ArrayList<>());
    private final List<String> notes = new ArrayList<>();
    private final Map<ChunkId, String> badChunks = new ConcurrentHashMap<>();
    private final AtomicLong bytesRead = new AtomicLong();
    /** Whether the index has been caught up since the objects being checked were listed. */
    private boolean caughtUp;

    public Checker(Repository repository, boolean readData, Progress progress) {
        this(repository, readData ? Subset.ALL : null, progress);
    }

    /** A check that reads the packs of the subset (null: none). */
    public Checker(Repository repository, Subset read, Progress progress) {
        this.repository = repository;
        this.read = read;
        this.progress = progress;
    }

    public Report run() throws IOException {
        try (RepositoryLock lock = repository.sharedLock("verify")) {
            return check();
        }
    }

    /**
     * The structural check of one snapshot just written, without reading data: its object reads
     * back and authenticates, its file list reads, and every chunk it needs is in the index and
     * inside a pack that is there and long enough.
     */
    public Report checkSnapshot(String id) throws IOException {
        try (RepositoryLock lock = repository.sharedLock("verify")) {
            repository.refreshIndex();
            ChunkIndex index = repository.index();
            String name = "snapshots/" + id;
            Map<String, Long> packSizes = new HashMap<>();
            long[] chunks = {0};
            try {
                Snapshot s = Repository.JSON.readValue(repository.loadObject(name), Snapshot.class);
                NodeStreamReader.forEachChunk(repository, s, (chunk, path) -> {
                    chunks[0]++;
                    ChunkIndex.Location at = index.get(chunk);
                    if (at == null) {
                        errors.add(new Finding("chunk " + chunk, "chunk " + chunk.hex() + " is not in the index", id, path));
                    } else if (packSize(packSizes, at.pack()) < at.offset() + at.length()) {
                        errors.add(new Finding(Repository.packPath(at.pack()), "pack is missing or too short", id, path));
                    }
                });
            } catch (CorruptDataException | JacksonException | UncheckedIOException e) {
                errors.add(new Finding(name, "snapshot cannot be read: " + e.getMessage(), id, null));
            }
            return new Report(1, packSizes.size(), 0, chunks[0], 0, List.copyOf(errors), List.copyOf(notes));
        }
    }

    /** A pack's stored size, -1 when it is missing; each pack is asked once. */
    private long packSize(Map<String, Long> sizes, String pack) {
        return sizes.computeIfAbsent(pack, p -> {
            try {
                String path = Repository.packPath(p);
                return repository.store().exists(path) ? repository.store().size(path) : -1L;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    private Report check() throws IOException {
        if (read != null) {
            MasterKey.warmUp();
        }
        Map<String, List<PackEntry>> packs = loadIndexes();
        checkPacks(packs);
        int snapshots = checkSnapshots();
        checkLogs();
        long chunks = packs.values().stream().mapToLong(List::size).sum();
        return new Report(snapshots, packs.size(), (int) packsRead.get(), chunks, bytesRead.get(), List.copyOf(errors),
                List.copyOf(notes));
    }

    private Map<String, List<PackEntry>> loadIndexes() {
        Map<String, List<PackEntry>> packs = new LinkedHashMap<>();
        repository.reloadIndex((name, decoded, damage) -> {
            if (damage != null) {
                errors.add(new Finding(name, damage.getMessage(), null, null));
                return;
            }
            for (IndexFile.Pack p : decoded) {
                packs.computeIfAbsent(p.name(), k -> new ArrayList<>()).addAll(p.entries());
            }
        });
        return packs;
    }

    private void checkPacks(Map<String, List<PackEntry>> packs) throws IOException {
        Set<String> stored = new HashSet<>();
        for (String name : repository.store().list("data/")) {
            stored.add(name.substring(name.lastIndexOf('/') + 1));
        }
        List<Callable<Void>> reads = new ArrayList<>();
        for (Map.Entry<String, List<PackEntry>> e : packs.entrySet()) {
            String pack = e.getKey();
            String path = Repository.packPath(pack);
            if (!stored.contains(pack)) {
                errors.add(new Finding(path, "pack is missing", null, null));
                e.getValue().forEach(c -> badChunks.put(c.id(), "its pack " + shortName(pack) + " is missing"));
                continue;
            }
            long end = e.getValue().stream().mapToLong(c -> c.offset() + c.length()).max().orElse(0);
            long size = repository.store().size(path);
            if (size < end + 4) {
                errors.add(new Finding(path, "pack is truncated: " + size + " bytes, index needs " + (end + 4), null, null));
                e.getValue().forEach(c -> badChunks.put(c.id(), "its pack " + shortName(pack) + " is truncated"));
                continue;
            }
            if (read != null && read.has(pack)) {
                reads.add(() -> {
                    readPack(pack, path, e.getValue());
                    packsRead.incrementAndGet();
                    return null;
                });
            }
        }
        readAll(reads);
        for (String pack : stored) {
            if (!packs.containsKey(pack)) {
                notes.add("pack " + shortName(pack) + " is not in any index (left by an interrupted backup; prune removes it)");
            }
        }
    }

    /** Reads packs on every core: opening chunks is CPU work, like sealing them was. */
    private static void readAll(List<Callable<Void>> reads) throws IOException {
        ExecutorService pool = Executors.newFixedThreadPool(
                Math.max(1, Runtime.getRuntime().availableProcessors()));
        try {
            for (Future<Void> f : pool.invokeAll(reads)) {
                f.get();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause().getMessage(), e.getCause());
        } finally {
            pool.shutdownNow();
        }
    }

    /** Streams the pack once: hashes the whole, and opens every chunk the index places in it. */
    private void readPack(String pack, String path, List<PackEntry> entries) throws IOException {
        List<PackEntry> ordered = new ArrayList<>(entries);
        ordered.sort(Comparator.comparingLong(PackEntry::offset));
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        int damaged = 0;
        try (InputStream raw = repository.store().open(path); DigestInputStream in = new DigestInputStream(raw, sha)) {
            long pos = 0;
            for (PackEntry c : ordered) {
                in.skipNBytes(c.offset() - pos);
                byte[] sealed = in.readNBytes(c.length());
                pos = c.offset() + sealed.length;
                bytesRead.addAndGet(sealed.length);
                progress.bytes.addAndGet(sealed.length);
                try {
                    repository.openChunk(c.id(), sealed, c.rawLength());
                } catch (CorruptDataException ex) {
                    damaged++;
                    badChunks.put(c.id(), ex.getMessage());
                }
            }
            in.transferTo(OutputStream.nullOutputStream());
        }
        String actual = HexFormat.of().formatHex(sha.digest());
        if (!actual.equals(pack)) {
            errors.add(new Finding(path, "pack content does not match its name (hash " + shortName(actual) + "); "
                    + damaged + " of its " + entries.size() + " chunks are damaged", null, null));
        } else if (damaged > 0) {
            errors.add(new Finding(path, damaged + " chunks are damaged", null, null));
        }
        progress.files.incrementAndGet();
    }

    private int checkSnapshots() throws IOException {
        ChunkIndex index = repository.index();
        List<String> names = repository.store().list("snapshots/");
        caughtUp = false;
        for (String name : names) {
            String id = name.substring("snapshots/".length());
            Snapshot s;
            try {
                s = Repository.JSON.readValue(repository.loadObject(name), Snapshot.class);
            } catch (NoSuchFileException e) {
                continue; // forgotten since it was listed
            } catch (CorruptDataException | JacksonException e) {
                errors.add(new Finding(name, "snapshot cannot be read: " + e.getMessage(), id, null));
                continue;
            }
            if (s.nodes() == null) {
                errors.add(new Finding(name, "snapshot has no file list", id, null));
                continue;
            }
            try {
                NodeStreamReader.forEachChunk(repository, s, (chunk, path) -> checkChunk(index, chunk, id, path));
            } catch (CorruptDataException | UncheckedIOException | IllegalArgumentException e) {
                errors.add(new Finding(name, "file list cannot be read: " + e, id, null));
            }
        }
        return names.size();
    }

    /** Every archived log segment (WAL) opens under its own name and has all its chunks. */
    private void checkLogs() throws IOException {
        ChunkIndex index = repository.index();
        List<String> logs = repository.store().list("logs/");
        caughtUp = false;
        for (String name : logs) {
            try {
                // a partial completed since the listing is checked as its complete segment
                LogArchive.Segment s = LogArchive.currentOf(repository, name);
                for (String c : s == null ? List.<String>of() : s.chunks()) {
                    checkChunk(index, ChunkId.parse(c), null, name);
                }
            } catch (CorruptDataException | JacksonException e) {
                errors.add(new Finding(name, "log segment cannot be read: " + e.getMessage(), null, null));
            }
        }
    }

    private void checkChunk(ChunkIndex index, ChunkId id, String snapshot, String path) {
        String damage = badChunks.get(id);
        // objects listed after the index was loaded name chunks indexed since: one catch-up after the listing covers them
        if (damage == null && !index.contains(id)) {
            boolean indexedSince = !caughtUp && repository.locate(id) != null;
            caughtUp = true;
            if (!indexedSince) {
                damage = "chunk " + id.hex() + " is not in the index";
            }
        }
        if (damage != null) {
            errors.add(new Finding("chunk " + id, damage, snapshot, path));
        }
    }

    private static String shortName(String name) {
        return name.substring(0, Math.min(12, name.length()));
    }
}
