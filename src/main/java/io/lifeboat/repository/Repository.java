package io.lifeboat.repository;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.lifeboat.compress.Compression;
import io.lifeboat.crypto.CorruptDataException;
import io.lifeboat.crypto.KeyFile;
import io.lifeboat.crypto.MasterKey;
import io.lifeboat.storage.BlobStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;

/**
 * An opened repository: its store, master key and parameters, and the operations on sealed
 * objects and chunks that backup, restore and verify are built from.
 */
public final class Repository {
    public static final ObjectMapper JSON = new ObjectMapper()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS);
    private static final HexFormat HEX = HexFormat.of();
    private static final byte[] CONFIG_AAD = "config".getBytes(StandardCharsets.US_ASCII);

    private final BlobStore store;
    private final MasterKey key;
    private final RepositoryConfig config;
    private final String keyName;
    private final FastCdc chunker;
    private volatile ChunkIndex index;
    /** The index objects the loaded index holds, so that a catch-up reads only those written since. */
    private final Set<String> indexed = new HashSet<>();
    /** Counts the catch-ups that have started, so that readers missing a chunk at once share one. */
    private volatile long catchUpsStarted;
    private volatile List<String> damagedSnapshots = List.of();

    private Repository(BlobStore store, MasterKey key, String keyName, RepositoryConfig config) {
        this.store = store;
        this.key = key;
        this.keyName = keyName;
        this.config = config;
        this.chunker = new FastCdc(key.id("fastcdc gear".getBytes(StandardCharsets.US_ASCII), 0, 12),
                config.chunkMin(), config.chunkAvg(), config.chunkMax());
    }

    /** Creates a repository in an empty location, opened by the passphrase. */
    public static Repository init(BlobStore store, byte[] passphrase, Compression.Setting compression) throws IOException {
        return init(store, passphrase, compression, RepositoryConfig.DEFAULT_PACK_SIZE);
    }

    /** As {@link #init(BlobStore, byte[], Compression.Setting)}, with packs of about packSize bytes. */
    public static Repository init(BlobStore store, byte[] passphrase, Compression.Setting compression, long packSize)
            throws IOException {
        if (packSize < 1 << 20 || packSize > 1L << 30) {
            throw new RepositoryException("pack size " + packSize + " is out of range (1 MiB to 1 GiB)");
        }
        if (store.exists("config")) {
            throw new RepositoryException("a repository already exists at " + store.location());
        }
        if (passphrase.length == 0) {
            throw new RepositoryException("the passphrase is empty");
        }
        store.create();
        MasterKey key = MasterKey.generate();
        byte[] id = new byte[16];
        new java.security.SecureRandom().nextBytes(id);
        RepositoryConfig config = new RepositoryConfig(RepositoryConfig.VERSION, HEX.formatHex(id), FastCdc.DEFAULT_MIN,
                FastCdc.DEFAULT_AVG, FastCdc.DEFAULT_MAX, packSize, compression.toString());
        String keyName = Keys.store(store, KeyFile.create(key, passphrase, Keys.host(), Keys.user()));
        store.put("config", key.seal(JSON.writeValueAsBytes(config), CONFIG_AAD));
        return new Repository(store, key, keyName, config);
    }

    /** Opens with any key the passphrase unlocks; refuses with a clear reason otherwise. */
    public static Repository open(BlobStore store, byte[] passphrase) throws IOException {
        if (!store.exists("config")) {
            throw new RepositoryException("no repository at " + store.location() + " (run 'lifeboat init' first)");
        }
        byte[] sealed = store.get("config");
        return Keys.unlock(store, passphrase, (keyName, key) -> {
            RepositoryConfig config;
            try {
                config = JSON.readValue(key.open(sealed, CONFIG_AAD), RepositoryConfig.class);
            } catch (IOException e) {
                throw new CorruptDataException("config is not valid JSON: " + e.getMessage());
            }
            checkSupported(config, store);
            return new Repository(store, key, keyName, config);
        });
    }

    private static void checkSupported(RepositoryConfig config, BlobStore store) {
        if (config.version() != RepositoryConfig.VERSION) {
            throw new RepositoryException("repository format version " + config.version() + " at " + store.location()
                    + " is not supported (this Lifeboat reads version " + RepositoryConfig.VERSION + ")");
        }
        if (config.packSize() < 1 << 20 || config.packSize() > 1L << 30 || config.chunkMax() > 64 << 20) {
            throw new RepositoryException("repository config at " + store.location()
                    + " has pack or chunk sizes out of range (pack 1 MiB-1 GiB, chunk at most 64 MiB)");
        }
    }

    public BlobStore store() {
        return store;
    }

    /** The same repository in another store that holds a copy of it (same config and keys). */
    Repository in(BlobStore copy) {
        return new Repository(copy, key, keyName, config);
    }

    public MasterKey key() {
        return key;
    }

    public RepositoryConfig config() {
        return config;
    }

    /** The key object this session was opened with. */
    public String keyName() {
        return keyName;
    }

    public FastCdc chunker() {
        return chunker;
    }

    public ChunkId chunkId(byte[] data) {
        return new ChunkId(key.id(data, 0, data.length));
    }

    /** The chunk index, loaded from every index object on first use. */
    public ChunkIndex index() {
        ChunkIndex loaded = index;
        if (loaded == null) {
            synchronized (this) {
                if (index == null) {
                    index = loadIndex(null);
                }
                loaded = index;
            }
        }
        return loaded;
    }

    /** Sees each index object as it is loaded: its packs, or why it could not be read (packs null). */
    public interface IndexVisitor {
        void visit(String name, List<IndexFile.Pack> packs, CorruptDataException damage);
    }

    /** Loads the index afresh for verify, which also needs every object's packs; one read of each. */
    public synchronized void reloadIndex(IndexVisitor visitor) {
        index = loadIndex(visitor);
    }

    /** A shared lock for an operation that reads or adds data: prune waits until it is closed. */
    public RepositoryLock sharedLock(String operation) throws IOException {
        return RepositoryLock.shared(store, operation);
    }

    /** Loads the index afresh, for a long-lived reader that must see chunks other processes stored since. */
    public void refreshIndex() {
        reloadIndex(null);
    }

    /**
     * A damaged index object is left out (its chunks look absent: a backup stores them again and a
     * restore reports the files that need them); verify reports the object itself.
     */
    private ChunkIndex loadIndex(IndexVisitor visitor) {
        ChunkIndex fresh = new ChunkIndex(this::indexScratch);
        indexed.clear();
        addIndexObjects(fresh, visitor);
        return fresh;
    }

    /** Adds to the index every index object it does not hold yet; returns how many it read. */
    private int addIndexObjects(ChunkIndex to, IndexVisitor visitor) {
        int added = 0;
        try {
            for (String name : store.list("index/")) {
                if (indexed.contains(name)) {
                    continue;
                }
                List<IndexFile.Pack> packs;
                try {
                    packs = IndexFile.decode(loadObject(name));
                } catch (CorruptDataException e) {
                    indexed.add(name); // damaged for good: verify reports it
                    if (visitor != null) {
                        visitor.visit(name, null, e);
                    }
                    continue;
                } catch (NoSuchFileException e) {
                    continue; // prune rewrote it since the listing; its packs are in the objects that replaced it
                }
                indexed.add(name); // only once read: one that failed to arrive is read at the next look
                added++;
                if (visitor != null) {
                    visitor.visit(name, packs, null);
                }
                for (IndexFile.Pack pack : packs) {
                    for (PackEntry e : pack.entries()) {
                        to.add(e.id(), pack.name(), e.offset(), e.length(), e.rawLength());
                    }
                }
            }
        } catch (IOException e) {
            throw new RepositoryException("cannot read the index of " + store.location() + ": " + e.getMessage(), e);
        }
        return added;
    }

    /**
     * Where a chunk is stored, or null when no index object names it. A reader may hold an object
     * written after its index was loaded (a WAL segment, a snapshot another node committed): every
     * chunk such an object names was indexed before the object was written, so on a miss the index
     * objects written since are read, and only a chunk still absent then is absent. Readers that
     * miss at once share one catch-up, as long as it started after their miss.
     */
    public ChunkIndex.Location locate(ChunkId id) {
        ChunkIndex current = index();
        ChunkIndex.Location at = current.get(id);
        if (at != null) {
            return at;
        }
        long missedAfter = catchUpsStarted;
        synchronized (this) {
            at = index.get(id);
            if (at == null && catchUpsStarted == missedAfter) {
                catchUpsStarted++;
                if (addIndexObjects(index, null) > 0) {
                    at = index.get(id);
                }
            }
        }
        return at;
    }

    /** Where a large index is mapped: beside the packs being assembled, or the system's temporary directory. */
    private Path indexScratch() {
        try {
            return store.scratchDirectory();
        } catch (IOException e) {
            return Path.of(System.getProperty("java.io.tmpdir"));
        }
    }

    public void saveIndex(List<IndexFile.Pack> packs) throws IOException {
        saveObject("index", IndexFile.encode(packs));
    }

    /** Seals plaintext as an object of the kind and stores it under kind/hash-of-stored-bytes. */
    public String saveObject(String kind, byte[] plaintext) throws IOException {
        Sealed object = seal(kind, plaintext);
        store.put(object.name(), object.bytes());
        return object.name();
    }

    /** An object sealed for storing, and its name. */
    public record Sealed(String name, byte[] bytes) {
    }

    /** Seals plaintext as an object of the kind, named kind/hash-of-stored-bytes, without storing it. */
    public Sealed seal(String kind, byte[] plaintext) {
        byte[] sealed = key.seal(plaintext, kind.getBytes(StandardCharsets.US_ASCII));
        return new Sealed(kind + "/" + sha256(sealed), sealed);
    }

    /**
     * Writes a snapshot object: the commit of a backup, so everything it names must be durable
     * already. Returns the snapshot with its id.
     */
    public Snapshot commit(Snapshot snapshot) throws IOException {
        String name = saveObject("snapshots", JSON.writeValueAsBytes(snapshot));
        return snapshot.withId(name.substring("snapshots/".length()));
    }

    /** Loads and opens an object, checking that its bytes still hash to its name. */
    public byte[] loadObject(String name) throws IOException {
        byte[] sealed = store.get(name);
        int slash = name.indexOf('/');
        if (!name.substring(slash + 1).equals(sha256(sealed))) {
            throw new CorruptDataException(name + " does not match its hash");
        }
        try {
            return key.open(sealed, name.substring(0, slash).getBytes(StandardCharsets.US_ASCII));
        } catch (CorruptDataException e) {
            throw new CorruptDataException(name + ": " + e.getMessage());
        }
    }

    /** A chunk's plaintext, checked against its id; never returns altered data. */
    public byte[] readChunk(ChunkId id) throws IOException {
        ChunkIndex.Location at = locate(id);
        if (at == null) {
            throw new CorruptDataException("chunk " + id.hex() + " is not in the index");
        }
        byte[] sealed = store.getRange(packPath(at.pack()), at.offset(), at.length());
        return openChunk(id, sealed, at.rawLength());
    }

    /**
     * A chunk of a snapshot's file list, kept in this host's cache of the store when it has one:
     * every backup reads its parent's list, and on S3 an unchanged one then costs no request.
     * A kept copy that fails its check is dropped and read from the store again.
     */
    public byte[] readFileListChunk(ChunkId id) throws IOException {
        ChunkIndex.Location at = locate(id);
        if (at == null) {
            return readChunk(id);
        }
        byte[] sealed = store.getRangeKept(packPath(at.pack()), at.offset(), at.length(), id.hex());
        try {
            return openChunk(id, sealed, at.rawLength());
        } catch (CorruptDataException e) {
            store.forgetKept(id.hex());
            return readChunk(id);
        }
    }

    /** Decrypts, decompresses and re-hashes one sealed chunk. */
    public byte[] openChunk(ChunkId id, byte[] sealed, int rawLength) {
        byte[] plain;
        try {
            plain = Compression.decode(key.open(sealed, id.raw()), rawLength);
        } catch (CorruptDataException | IllegalStateException | IllegalArgumentException e) {
            throw new CorruptDataException("chunk " + id.hex() + " is damaged: " + e.getMessage());
        }
        if (!Arrays.equals(key.id(plain, 0, plain.length), id.raw())) {
            throw new CorruptDataException("chunk " + id.hex() + " does not match its id");
        }
        return plain;
    }

    public static String packPath(String pack) {
        return "data/" + pack.substring(0, 2) + "/" + pack;
    }

    /**
     * Every readable snapshot, oldest first. A damaged snapshot object is left out so that it
     * cannot block backups or the restore of other snapshots; {@link #damagedSnapshots()} and
     * verify name it.
     */
    public List<Snapshot> snapshots() throws IOException {
        List<Snapshot> all = new ArrayList<>();
        List<String> damaged = new ArrayList<>();
        for (String name : store.list("snapshots/")) {
            try {
                Snapshot s = JSON.readValue(loadObject(name), Snapshot.class);
                if (s.nodes() == null || s.time() == null) {
                    throw new CorruptDataException(name + " has no time or no file list");
                }
                Instant.parse(s.time());
                all.add(s.withId(name.substring("snapshots/".length())));
            } catch (NoSuchFileException e) {
                // forgotten since the listing
            } catch (CorruptDataException | com.fasterxml.jackson.core.JacksonException
                     | java.time.format.DateTimeParseException e) {
                damaged.add(name);
            }
        }
        damagedSnapshots = List.copyOf(damaged);
        all.sort(Comparator.comparing((Snapshot s) -> Instant.parse(s.time()))
                .thenComparing(Snapshot::id));
        return all;
    }

    /**
     * Removes a snapshot object (the data only it needed stays until prune) and answers null; while
     * an object lock holds it, removes nothing and answers when the lock ends.
     */
    public Instant forget(String snapshotId) throws IOException {
        String name = "snapshots/" + snapshotId;
        Instant locked = store.lockedUntil(List.of(name)).get(name);
        if (locked == null) {
            store.delete(name);
        }
        return locked;
    }

    /** Snapshot objects the last {@link #snapshots()} call could not read. */
    public List<String> damagedSnapshots() {
        return damagedSnapshots;
    }

    /** The snapshot named by a full id, a unique prefix of one, or "latest" (the newest of all). */
    public Snapshot snapshot(String ref) throws IOException {
        return snapshot(ref, SnapshotFilter.ALL);
    }

    /** As {@link #snapshot(String)}, where "latest" is the newest snapshot the filter lets through. */
    public Snapshot snapshot(String ref, SnapshotFilter filter) throws IOException {
        List<Snapshot> all = snapshots();
        if (all.isEmpty()) {
            throw new RepositoryException("the repository has no snapshots");
        }
        if ("latest".equals(ref)) {
            List<Snapshot> chosen = all.stream().filter(filter::matches).toList();
            if (chosen.isEmpty()) {
                throw new RepositoryException("no snapshot matches " + filter);
            }
            return chosen.get(chosen.size() - 1);
        }
        List<Snapshot> match = all.stream().filter(s -> s.id().startsWith(ref)).toList();
        if (match.isEmpty() || ref.isEmpty()) {
            throw new RepositoryException("no snapshot with id " + ref);
        }
        if (match.size() > 1) {
            throw new RepositoryException("snapshot id " + ref + " is ambiguous: give more characters");
        }
        return match.get(0);
    }

    public static String sha256(byte[] data) {
        try {
            return HEX.formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
