package io.lifeboat.repository;

import io.lifeboat.crypto.CorruptDataException;
import io.lifeboat.storage.BlobStore;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Makes another store a copy of a repository, or brings a copy up to date: the same config and key
 * files, so that the copy alone restores everything it holds with the same passphrase. Only what
 * the copy lacks goes over. The order is the one a reader relies on (docs/FORMAT.md §9): first the
 * snapshots and log objects are read as they are now (a segment still growing as its partial);
 * only then are packs and index listed — every chunk those objects name was indexed before they
 * were written, so the listing covers them even while backups and log streams go on — and packs go
 * over, then the index objects, then the snapshots and log objects read at the start. An object is
 * checked as it is read (a content-named one against its name, a log object by opening its seal,
 * each one that does not grow against its listed size), so damage at the source is reported, not
 * copied; after each stage the copy is listed and every object sent must be there with its size.
 * A stage that fails stops the copy there: what is in the copy stays readable, and the next copy
 * sends the rest. Nothing but a partial the copy holds complete now is deleted from a copy: its own
 * retention and locks decide that.
 *
 * <p>A copy of a selection (some sources' backups, or the backups to send back to the repository)
 * takes the snapshot and log objects named, the packs they need, and an index object of its own
 * for those packs no index object in the copy names yet: the copy's index never names a pack it
 * lacks.
 */
public final class RepositoryCopy {
    private static final int PARALLEL = 4;
    private static final List<String> ROOTS = List.of("snapshots/", "logs/");

    /**
     * Part of a repository: snapshot and log objects by name ("snapshots/ID", "logs/SOURCE/SEGMENT")
     * and the names of the packs they need (BackupContents works them out).
     */
    public record Selection(Set<String> roots, Set<String> packs) {
    }

    /** What a copy sent, and what the copy holds now. */
    public record Result(String target, int objectsSent, long bytesSent, int objectsThere, Set<String> snapshots,
            int logSegments) {
    }

    private final Repository from;
    private final BlobStore to;
    /** What goes; null: everything. */
    private final Selection selection;
    private final AtomicLong bytesSent = new AtomicLong();
    /** The size of each object as fetched (a partial's may differ from its listing). */
    private final Map<String, Long> sizes = new ConcurrentHashMap<>();
    /** Packs holding node streams: they go to the copy in a class that reads at once, never an archive one. */
    private final Set<String> planning = new HashSet<>();

    private RepositoryCopy(Repository from, BlobStore to, Selection selection) {
        this.from = from;
        this.to = to;
        this.selection = selection;
    }

    /** Copies what the target lacks; a RepositoryException when the target holds another repository. */
    public static Result run(Repository from, BlobStore to) throws IOException, InterruptedException {
        return new RepositoryCopy(from, to, null).run();
    }

    /** As run, for the selection alone. */
    public static Result run(Repository from, BlobStore to, Selection selection)
            throws IOException, InterruptedException {
        return new RepositoryCopy(from, to, selection).run();
    }

    private Result run() throws IOException, InterruptedException {
        BlobStore source = from.store();
        int sent = 0;
        Map<String, Path> roots = new ConcurrentHashMap<>();
        try (RepositoryLock readLock = RepositoryLock.shared(source, "copy to " + to.location())) {
            sent += startCopy(source);
            try (RepositoryLock writeLock = RepositoryLock.shared(to, "copy from " + source.location())) {
                Map<String, Long> wanted = missing(ROOTS);
                // a partial is sent each time: it grows under the same name
                if (selection == null) {
                    wanted.putAll(partials());
                } else {
                    wanted.keySet().retainAll(selection.roots());
                }
                run(wanted, name -> {
                    Path file = fetch(name, wanted.get(name));
                    if (file != null) {
                        roots.put(name, file);
                    }
                });
                if (to.mayArchive()) { // only a store with an archive class needs them told apart
                    planning.addAll(nodeStreamPacks());
                }
                if (selection == null) {
                    for (String prefix : List.of("data/", "index/")) {
                        Map<String, Long> objects = missing(List.of(prefix));
                        copyEach(objects);
                        check(objects, List.of(prefix));
                        sent += objects.size();
                    }
                } else {
                    sent += copySelectedPacks();
                }
                run(roots, name -> put(name, roots.get(name)));
                Map<String, Long> sentRoots = new HashMap<>();
                for (Map.Entry<String, Path> r : roots.entrySet()) {
                    sentRoots.put(r.getKey(), sizes.get(r.getKey()));
                }
                check(sentRoots, ROOTS);
                sent += roots.size();
                dropCompletedPartials();
            }
        } finally {
            for (Path file : roots.values()) {
                Files.deleteIfExists(file);
            }
        }
        // what the copy holds now, from one listing
        Set<String> snapshots = new HashSet<>();
        int logs = 0;
        int objects = 0;
        for (String name : to.list("")) {
            if (name.startsWith("snapshots/")) {
                snapshots.add(name.substring("snapshots/".length()));
            } else if (name.startsWith("logs/") && !name.endsWith(LogArchive.PARTIAL)) {
                logs++;
            }
            if (List.of("keys/", "data/", "index/", "snapshots/", "logs/").stream().anyMatch(name::startsWith)) {
                objects++;
            }
        }
        return new Result(to.location(), sent, bytesSent.get(), objects + 1, snapshots, logs);
    }

    /**
     * The packs holding the node streams of the repository's snapshots: what a restore from the copy
     * is planned from (which files, which packs to bring back from an archive class) before
     * anything has been brought back.
     */
    private Set<String> nodeStreamPacks() throws IOException {
        Set<String> packs = new HashSet<>();
        for (Snapshot s : from.snapshots()) {
            for (String chunk : s.nodes()) {
                ChunkIndex.Location at = from.locate(ChunkId.parse(chunk));
                if (at != null) {
                    packs.add(Repository.packPath(at.pack()));
                }
            }
        }
        return packs;
    }

    /** The selection's packs the copy lacks, then an index object for those the copy's index does not name. */
    private int copySelectedPacks() throws IOException, InterruptedException {
        Set<String> present = new HashSet<>();
        from.store().list("data/").forEach(name -> present.add(name.substring(name.lastIndexOf('/') + 1)));
        if (!present.containsAll(selection.packs())) {
            // a prune repacked them after the selection was made: its snapshots would go without their data
            throw new RepositoryException(from.store().location() + " changed while the copy was prepared (a prune?);"
                    + " nothing of the selection was copied, the next copy takes it");
        }
        Map<String, Long> packs = missing(List.of("data/"));
        packs.keySet().removeIf(name -> !selection.packs().contains(name.substring(name.lastIndexOf('/') + 1)));
        copyEach(packs);
        check(packs, List.of("data/"));
        Set<String> indexed = new HashSet<>();
        from.in(to).reloadIndex((name, listed, damage) -> {
            if (listed != null) {
                listed.forEach(p -> indexed.add(p.name()));
            }
        });
        Map<String, IndexFile.Pack> unindexed = new TreeMap<>();
        from.reloadIndex((name, listed, damage) -> {
            if (listed != null) {
                listed.stream().filter(p -> selection.packs().contains(p.name()) && !indexed.contains(p.name()))
                        .forEach(p -> unindexed.putIfAbsent(p.name(), p));
            }
        });
        if (unindexed.isEmpty()) {
            return packs.size();
        }
        Repository.Sealed index = from.seal("index", IndexFile.encode(List.copyOf(unindexed.values())));
        to.put(index.name(), index.bytes());
        bytesSent.addAndGet(index.bytes().length);
        check(Map.of(index.name(), (long) index.bytes().length), List.of("index/"));
        return packs.size() + 1;
    }

    /** Objects under the prefixes that the copy lacks, or holds with another size, but for partials. */
    private Map<String, Long> missing(List<String> prefixes) throws IOException {
        Map<String, Long> wanted = new TreeMap<>();
        Map<String, Long> there = new HashMap<>();
        for (String prefix : prefixes) {
            wanted.putAll(from.store().listSizes(prefix));
            there.putAll(to.listSizes(prefix));
        }
        wanted.keySet().removeIf(name -> name.endsWith(LogArchive.PARTIAL) || wanted.get(name).equals(there.get(name)));
        return wanted;
    }

    private Map<String, Long> partials() throws IOException {
        Map<String, Long> partials = new TreeMap<>(from.store().listSizes("logs/"));
        partials.keySet().removeIf(name -> !name.endsWith(LogArchive.PARTIAL));
        return partials;
    }

    /** A partial the copy now holds complete is of no more use there (readers take the complete one first). */
    private void dropCompletedPartials() throws IOException {
        Set<String> there = new HashSet<>(to.list("logs/"));
        for (String name : there) {
            if (name.endsWith(LogArchive.PARTIAL)
                    && there.contains(name.substring(0, name.length() - LogArchive.PARTIAL.length()))) {
                to.delete(name);
            }
        }
    }

    /**
     * A new copy gets the key files, then config (init's order: a copy without config does not exist
     * yet); an existing one must hold the same repository, and gets the key files added since.
     */
    private int startCopy(BlobStore source) throws IOException, InterruptedException {
        byte[] config = source.get("config");
        boolean fresh = false;
        try {
            if (!Arrays.equals(config, to.get("config"))) {
                throw new RepositoryException(to.location() + " holds another repository than "
                        + source.location() + "; a copy goes into an empty place or a copy of the same repository");
            }
        } catch (NoSuchFileException none) {
            fresh = true;
            to.create();
        }
        Map<String, Long> keys = source.listSizes("keys/");
        keys.keySet().removeAll(to.listSizes("keys/").keySet());
        copyEach(keys);
        check(keys, List.of("keys/"));
        if (fresh) {
            Path file = scratchFile();
            Files.write(file, config);
            put("config", file);
        }
        return keys.size() + (fresh ? 1 : 0);
    }

    /** Fetches and sends each object. */
    private void copyEach(Map<String, Long> objects) throws IOException, InterruptedException {
        run(objects, name -> {
            Path file = fetch(name, objects.get(name));
            if (file != null) {
                put(name, file);
            }
        });
    }

    /** One action per object, PARALLEL at a time; the first failure is thrown once all have ended. */
    private void run(Map<String, ?> objects, ObjectAction action) throws IOException, InterruptedException {
        ExecutorService pool = Executors.newFixedThreadPool(PARALLEL, r -> {
            Thread t = new Thread(r, "copy");
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<Void>> done = new ArrayList<>();
            for (String name : objects.keySet()) {
                done.add(pool.submit(() -> {
                    action.on(name);
                    return null;
                }));
            }
            for (Future<Void> f : done) {
                try {
                    f.get();
                } catch (ExecutionException e) {
                    if (e.getCause() instanceof IOException io) {
                        throw io;
                    }
                    if (e.getCause() instanceof RuntimeException re) {
                        throw re;
                    }
                    throw new IOException(e.getCause());
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @FunctionalInterface
    private interface ObjectAction {
        void on(String name) throws IOException;
    }

    /**
     * Reads one object into a file in the target's scratch space, checked; null when it is gone since
     * it was listed (a snapshot forgotten, a partial completed: the next copy takes what replaced it).
     */
    private Path fetch(String name, long listedSize) throws IOException {
        Path file = scratchFile();
        boolean kept = false;
        try {
            MessageDigest sha = sha256();
            long read;
            try (InputStream in = new DigestInputStream(from.store().open(name), sha);
                    OutputStream out = Files.newOutputStream(file)) {
                read = in.transferTo(out);
            } catch (NoSuchFileException gone) {
                if (name.startsWith("data/") || name.startsWith("index/")) {
                    throw gone;
                }
                return null;
            }
            boolean grows = name.endsWith(LogArchive.PARTIAL);
            String hash = HexFormat.of().formatHex(sha.digest());
            String base = name.substring(name.lastIndexOf('/') + 1);
            String damage = read != listedSize && !grows ? read + " bytes where " + listedSize + " were listed"
                    : name.startsWith("logs/") ? unsealed(name, file) : hash.equals(base) ? null
                    : "its bytes do not hash to its name";
            if (damage != null) {
                throw new RepositoryException(from.store().location() + "/" + name + " is damaged (" + damage
                        + "): it was not copied; run verify --read-data on " + from.store().location());
            }
            sizes.put(name, read);
            kept = true;
            return file;
        } finally {
            if (!kept) {
                Files.deleteIfExists(file);
            }
        }
    }

    /** Sends a fetched file under its name (the store takes the file). */
    private void put(String name, Path file) throws IOException {
        long size = Files.size(file);
        if (planning.contains(name)) {
            to.putFileReadable(name, file);
        } else {
            to.putFile(name, file);
        }
        bytesSent.addAndGet(size);
    }

    /** A log object is named for its segment, not its bytes: it is checked by opening its seal; null when it opens. */
    private String unsealed(String name, Path file) throws IOException {
        try {
            from.key().open(Files.readAllBytes(file), name.getBytes(StandardCharsets.UTF_8));
            return null;
        } catch (CorruptDataException e) {
            return "its seal does not open: " + e.getMessage();
        }
    }

    /** The copy, listed, holds every object sent with the size it had. */
    private void check(Map<String, Long> sent, List<String> prefixes) throws IOException {
        if (sent.isEmpty()) {
            return;
        }
        Map<String, Long> there = new HashMap<>();
        for (String prefix : prefixes) {
            there.putAll(to.listSizes(prefix));
        }
        for (Map.Entry<String, Long> o : sent.entrySet()) {
            if (!o.getValue().equals(there.get(o.getKey()))) {
                throw new RepositoryException(to.location() + "/" + o.getKey() + " was written but the copy "
                        + (there.containsKey(o.getKey()) ? "lists it with " + there.get(o.getKey()) + " bytes, not "
                        + o.getValue() : "does not list it"));
            }
        }
    }

    private Path scratchFile() throws IOException {
        return Files.createTempFile(to.scratchDirectory(), "copy-", ".tmp");
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
