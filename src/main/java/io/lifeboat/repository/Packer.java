package io.lifeboat.repository;

import io.lifeboat.storage.BlobStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Gathers sealed chunks into pack files of about {@code targetSize} in a scratch directory, then
 * stores each finished pack and, only after it is durable, names it in an index object. An index
 * object is written for every {@value #PACKS_PER_CHECKPOINT} packs or {@value #ENTRIES_PER_CHECKPOINT}
 * chunks stored (whichever comes first: packs of tiny chunks hold many), when the oldest pack not
 * named yet has waited five minutes, and at flush: far fewer objects to read when a repository is
 * opened than one per pack, while a backup that is killed still leaves most of what it sent named
 * for the next one to reuse (a pack no index names is only space, which prune gives back).
 * Thread-safe: workers add chunks concurrently; a full pack is finished by the thread that filled
 * it while the others go on filling the next one.
 */
public final class Packer {
    static final byte[] HEADER_AAD = "lifeboat pack header".getBytes(StandardCharsets.US_ASCII);
    static final String ZERO_NAME = "0".repeat(64);
    static final int PACKS_PER_CHECKPOINT = 64;
    static final int ENTRIES_PER_CHECKPOINT = 65_536;
    private static final long INDEX_DELAY_NANOS = 5L * 60 * 1_000_000_000;

    private final Repository repository;
    private final BlobStore store;
    private final long targetSize;
    private final Set<ChunkId> pending = ConcurrentHashMap.newKeySet();
    private OpenPack current;
    private final List<IndexFile.Pack> unindexed = new ArrayList<>();
    private int unindexedEntries;
    private long oldestUnindexed;
    private long storedBytes;
    private int storedChunks;
    private int storedPacks;

    public Packer(Repository repository, long targetSize) {
        this.repository = repository;
        this.store = repository.store();
        this.targetSize = targetSize;
    }

    /** Claims a chunk for this packer; false when it is stored or being stored already. */
    boolean claim(ChunkId id) {
        return !repository.index().contains(id) && pending.add(id);
    }

    public void add(ChunkId id, byte[] sealed, int rawLength) throws IOException {
        OpenPack full = null;
        synchronized (this) {
            if (current == null) {
                current = new OpenPack(store.scratchDirectory());
            }
            current.append(id, sealed, rawLength);
            storedBytes += sealed.length;
            storedChunks++;
            if (current.size >= targetSize) {
                full = current;
                current = null;
            }
        }
        if (full != null) {
            finish(full);
        }
    }

    /** Finishes the pack being filled; after this returns every added chunk is durable and indexed. */
    public void flush() throws IOException {
        OpenPack last;
        synchronized (this) {
            last = current;
            current = null;
        }
        if (last != null) {
            finish(last);
        }
        writeIndex(true);
    }

    /**
     * Drops the pack being filled without storing it (the backup failed), and names the packs already
     * stored in the index if the store still takes it, so that the next backup need not send them again.
     */
    void abandon() {
        synchronized (this) {
            if (current != null) {
                current.discard();
                current = null;
            }
        }
        try {
            writeIndex(true);
        } catch (IOException | RuntimeException e) {
            // the store is what failed: those packs stay unnamed until prune gives their space back
        }
    }

    synchronized long storedBytes() {
        return storedBytes;
    }

    synchronized int storedChunks() {
        return storedChunks;
    }

    synchronized int storedPacks() {
        return storedPacks;
    }

    private void finish(OpenPack pack) throws IOException {
        String name = pack.close(repository);
        try {
            store.putFile("data/" + name.substring(0, 2) + "/" + name, pack.file);
        } finally {
            // a pack the store did not take is not kept: the next backup makes its own
            Files.deleteIfExists(pack.file);
        }
        for (PackEntry e : pack.entries) {
            repository.index().add(e.id(), name, e.offset(), e.length(), e.rawLength());
            pending.remove(e.id());
        }
        synchronized (this) {
            storedPacks++;
            if (unindexed.isEmpty()) {
                oldestUnindexed = System.nanoTime();
            }
            unindexed.add(new IndexFile.Pack(name, pack.entries));
            unindexedEntries += pack.entries.size();
        }
        writeIndex(false);
    }

    /** Names the stored packs in an index object when they are many or waited long enough, or always. */
    private void writeIndex(boolean always) throws IOException {
        List<IndexFile.Pack> packs;
        synchronized (this) {
            boolean due = unindexed.size() >= PACKS_PER_CHECKPOINT || unindexedEntries >= ENTRIES_PER_CHECKPOINT
                    || System.nanoTime() - oldestUnindexed > INDEX_DELAY_NANOS;
            if (unindexed.isEmpty() || !(always || due)) {
                return;
            }
            packs = List.copyOf(unindexed);
            unindexed.clear();
            unindexedEntries = 0;
        }
        repository.saveIndex(packs);
    }

    /** A pack being written: sealed chunks appended to a scratch file, hashed as they go. */
    private static final class OpenPack {
        final Path file;
        final FileChannel channel;
        final MessageDigest sha;
        final List<PackEntry> entries = new ArrayList<>();
        long size;

        OpenPack(Path dir) throws IOException {
            file = Files.createTempFile(dir, "pack-", ".tmp");
            channel = FileChannel.open(file, StandardOpenOption.WRITE);
            try {
                sha = MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }

        void append(ChunkId id, byte[] sealed, int rawLength) throws IOException {
            write(sealed);
            entries.add(new PackEntry(id, size, sealed.length, rawLength));
            size += sealed.length;
        }

        private void write(byte[] data) throws IOException {
            sha.update(data);
            ByteBuffer buf = ByteBuffer.wrap(data);
            while (buf.hasRemaining()) {
                channel.write(buf);
            }
        }

        /** Appends the sealed header and its length; returns the pack's name, the hash of all its bytes. */
        String close(Repository repository) throws IOException {
            byte[] header = repository.key().seal(
                    IndexFile.encode(List.of(new IndexFile.Pack(ZERO_NAME, entries))), HEADER_AAD);
            write(header);
            write(ByteBuffer.allocate(4).putInt(header.length).array());
            channel.close();
            return HexFormat.of().formatHex(sha.digest());
        }

        void discard() {
            try {
                channel.close();
                Files.deleteIfExists(file);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
