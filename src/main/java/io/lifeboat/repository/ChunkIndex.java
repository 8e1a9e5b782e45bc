package io.lifeboat.repository;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.function.Supplier;

/**
 * Where each stored chunk lives: pack, offset, sealed length, raw length. An open-addressing table
 * of fixed 48-byte slots with no object per entry. A small table lives on the heap; a large one in
 * a memory-mapped scratch file (unlinked at once, so nothing is left behind), so that ten million
 * chunks cost the kernel's page cache, which it can write out and drop under pressure, instead of
 * ~600 MiB of Java heap (Kopia keeps its index off the heap the same way).
 */
public final class ChunkIndex {
    /** A chunk's place in the repository. */
    public record Location(String pack, long offset, int length, int rawLength) {
    }

    private static final int SLOT = 48; // id 32, pack number + 1 (0: empty) 4, offset 4, length 4, raw length 4
    private static final int SEGMENT_SLOTS = 1 << 20;
    private static final int HEAP_SLOTS = 1 << 16;
    private static final HexFormat HEX = HexFormat.of();

    private final Supplier<Path> scratch;
    private final PackNames packs = new PackNames();
    private ByteBuffer[] segments;
    private int capacity;
    private int size;

    /** A table that moves to a file in the scratch directory once it outgrows the heap's share. */
    public ChunkIndex(Supplier<Path> scratch) {
        this.scratch = scratch;
        allocate(1024);
    }

    public synchronized int size() {
        return size;
    }

    public synchronized boolean contains(ChunkId id) {
        return isUsed(probe(id.raw()));
    }

    public synchronized Location get(ChunkId id) {
        long slot = probe(id.raw());
        if (!isUsed(slot)) {
            return null;
        }
        ByteBuffer b = segment(slot);
        int at = position(slot);
        return new Location(packs.name(b.getInt(at + 32) - 1), Integer.toUnsignedLong(b.getInt(at + 36)),
                b.getInt(at + 40), b.getInt(at + 44));
    }

    /** Adds a chunk; a chunk already known keeps its first location. */
    public synchronized void add(ChunkId id, String packName, long chunkOffset, int chunkLength, int chunkRawLength) {
        if ((size + 1) * 4L > capacity * 3L) {
            grow();
        }
        byte[] raw = id.raw();
        long slot = probe(raw);
        if (isUsed(slot)) {
            return;
        }
        ByteBuffer b = segment(slot);
        int at = position(slot);
        b.put(at, raw);
        b.putInt(at + 32, packs.number(packName) + 1);
        b.putInt(at + 36, (int) chunkOffset);
        b.putInt(at + 40, chunkLength);
        b.putInt(at + 44, chunkRawLength);
        size++;
    }

    private ByteBuffer segment(long slot) {
        return segments[(int) (slot / SEGMENT_SLOTS)];
    }

    private static int position(long slot) {
        return (int) (slot % SEGMENT_SLOTS) * SLOT;
    }

    private boolean isUsed(long slot) {
        return segment(slot).getInt(position(slot) + 32) != 0;
    }

    /** The slot holding the id, or the empty slot where it would go. Ids are keyed hashes: any bits spread well. */
    private long probe(byte[] raw) {
        ByteBuffer key = ByteBuffer.wrap(raw);
        long mask = capacity - 1;
        long slot = key.getLong(0) & mask;
        while (true) {
            ByteBuffer b = segment(slot);
            int at = position(slot);
            if (b.getInt(at + 32) == 0) {
                return slot;
            }
            if (b.getLong(at) == key.getLong(0) && b.getLong(at + 8) == key.getLong(8)
                    && b.getLong(at + 16) == key.getLong(16) && b.getLong(at + 24) == key.getLong(24)) {
                return slot;
            }
            slot = (slot + 1) & mask;
        }
    }

    private void allocate(int slots) {
        capacity = slots;
        int count = Math.max(1, slots / SEGMENT_SLOTS);
        int segmentSlots = Math.min(slots, SEGMENT_SLOTS);
        segments = new ByteBuffer[count];
        if (slots <= HEAP_SLOTS) {
            segments[0] = ByteBuffer.allocate(segmentSlots * SLOT);
            return;
        }
        Path dir = scratch.get();
        try {
            Path file = Files.createTempFile(dir, "index-", ".tmp");
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
                for (int i = 0; i < count; i++) {
                    segments[i] = channel.map(FileChannel.MapMode.READ_WRITE, (long) i * segmentSlots * SLOT,
                            (long) segmentSlots * SLOT);
                }
            } finally {
                Files.delete(file); // the mapping keeps the pages; the name goes now so no crash leaves it behind
            }
        } catch (IOException e) {
            throw new RepositoryException("cannot make room for the chunk index in " + dir + ": " + e.getMessage(), e);
        }
    }

    private void grow() {
        ByteBuffer[] old = segments;
        int oldCapacity = capacity;
        allocate(oldCapacity * 2);
        byte[] raw = new byte[ChunkId.LENGTH];
        for (long s = 0; s < oldCapacity; s++) {
            ByteBuffer b = old[(int) (s / SEGMENT_SLOTS)];
            int at = position(s);
            if (b.getInt(at + 32) == 0) {
                continue;
            }
            b.get(at, raw);
            long slot = probe(raw);
            segment(slot).put(position(slot), b, at, SLOT);
        }
        for (ByteBuffer b : old) {
            Unmapper.unmap(b);
        }
    }

    /** Pack names as numbers: 32 bytes a pack in one array, found again through an open-addressing table. */
    private static final class PackNames {
        private byte[] names = new byte[32 * 64];
        private int[] table = new int[128]; // pack number + 1, 0: empty
        private int count;

        String name(int number) {
            return HEX.formatHex(names, number * 32, number * 32 + 32);
        }

        int number(String name) {
            byte[] hash = HEX.parseHex(name);
            int slot = find(hash);
            if (table[slot] != 0) {
                return table[slot] - 1;
            }
            if (count * 32 == names.length) {
                names = Arrays.copyOf(names, names.length * 2);
            }
            System.arraycopy(hash, 0, names, count * 32, 32);
            table[slot] = ++count;
            if (count * 2 > table.length) {
                rehash();
            }
            return count - 1;
        }

        private int find(byte[] hash) {
            int mask = table.length - 1;
            int slot = ByteBuffer.wrap(hash).getInt() & mask;
            while (table[slot] != 0 && !Arrays.equals(names, (table[slot] - 1) * 32, table[slot] * 32, hash, 0, 32)) {
                slot = (slot + 1) & mask;
            }
            return slot;
        }

        private void rehash() {
            table = new int[table.length * 2];
            byte[] hash = new byte[32];
            for (int n = 0; n < count; n++) {
                System.arraycopy(names, n * 32, hash, 0, 32);
                table[find(hash)] = n + 1;
            }
        }
    }
}
