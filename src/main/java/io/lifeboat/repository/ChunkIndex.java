package io.lifeboat.repository;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Where each stored chunk lives: pack, offset, sealed length, raw length. Kept compact on purpose
 * (an open-addressing table of primitive arrays, 44 bytes a slot, no object per entry): ten million
 * chunks — 10 TB at 1 MiB — fit in a few hundred MiB of heap.
 */
public final class ChunkIndex {
    /** A chunk's place in the repository. */
    public record Location(String pack, long offset, int length, int rawLength) {
    }

    private final List<String> packs = new ArrayList<>();
    private final Map<String, Integer> packNumbers = new HashMap<>();
    private long[] ids = new long[4 * 1024];
    private int[] pack = new int[1024];
    private int[] offset = new int[1024];
    private int[] length = new int[1024];
    private int[] rawLength = new int[1024];
    private int size;

    public ChunkIndex() {
        java.util.Arrays.fill(pack, -1);
    }

    public synchronized int size() {
        return size;
    }

    public synchronized List<String> packs() {
        return List.copyOf(packs);
    }

    public synchronized boolean contains(ChunkId id) {
        return slotOf(id.raw()) >= 0;
    }

    public synchronized Location get(ChunkId id) {
        int slot = slotOf(id.raw());
        if (slot < 0) {
            return null;
        }
        return new Location(packs.get(pack[slot]), Integer.toUnsignedLong(offset[slot]), length[slot], rawLength[slot]);
    }

    /** Adds a chunk; a chunk already known keeps its first location. */
    public synchronized void add(ChunkId id, String packName, long chunkOffset, int chunkLength, int chunkRawLength) {
        if ((size + 1) * 4L > capacity() * 3L) {
            grow();
        }
        byte[] raw = id.raw();
        int slot = probe(raw);
        if (pack[slot] >= 0) {
            return;
        }
        Integer number = packNumbers.get(packName);
        if (number == null) {
            number = packs.size();
            packs.add(packName);
            packNumbers.put(packName, number);
        }
        ByteBuffer b = ByteBuffer.wrap(raw);
        for (int i = 0; i < 4; i++) {
            ids[slot * 4 + i] = b.getLong();
        }
        pack[slot] = number;
        offset[slot] = (int) chunkOffset;
        length[slot] = chunkLength;
        rawLength[slot] = chunkRawLength;
        size++;
    }

    private int capacity() {
        return pack.length;
    }

    private int slotOf(byte[] raw) {
        int slot = probe(raw);
        return pack[slot] >= 0 ? slot : -1;
    }

    /** The slot holding the id, or the empty slot where it would go. */
    private int probe(byte[] raw) {
        ByteBuffer b = ByteBuffer.wrap(raw);
        long a = b.getLong();
        long c = b.getLong();
        long d = b.getLong();
        long e = b.getLong();
        int mask = capacity() - 1;
        int slot = (int) (a ^ (a >>> 32)) & mask;
        while (pack[slot] >= 0) {
            int base = slot * 4;
            if (ids[base] == a && ids[base + 1] == c && ids[base + 2] == d && ids[base + 3] == e) {
                return slot;
            }
            slot = (slot + 1) & mask;
        }
        return slot;
    }

    private void grow() {
        long[] oldIds = ids;
        int[] oldPack = pack;
        int[] oldOffset = offset;
        int[] oldLength = length;
        int[] oldRaw = rawLength;
        int cap = oldPack.length * 2;
        ids = new long[cap * 4];
        pack = new int[cap];
        java.util.Arrays.fill(pack, -1);
        offset = new int[cap];
        length = new int[cap];
        rawLength = new int[cap];
        ByteBuffer key = ByteBuffer.allocate(ChunkId.LENGTH);
        for (int s = 0; s < oldPack.length; s++) {
            if (oldPack[s] < 0) {
                continue;
            }
            key.clear();
            for (int i = 0; i < 4; i++) {
                key.putLong(oldIds[s * 4 + i]);
            }
            int slot = probe(key.array());
            System.arraycopy(oldIds, s * 4, ids, slot * 4, 4);
            pack[slot] = oldPack[s];
            offset[slot] = oldOffset[s];
            length[slot] = oldLength[s];
            rawLength[slot] = oldRaw[s];
        }
    }
}
