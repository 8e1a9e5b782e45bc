package io.lifeboat.repository;

import java.util.Arrays;
import java.util.HexFormat;

/** A chunk's name: HMAC-SHA256 of its plaintext under the repository's id key (32 bytes). */
public final class ChunkId implements Comparable<ChunkId> {
    public static final int LENGTH = 32;
    private static final HexFormat HEX = HexFormat.of();
    private final byte[] bytes;

    public ChunkId(byte[] bytes) {
        if (bytes.length != LENGTH) {
            throw new IllegalArgumentException("chunk id must be " + LENGTH + " bytes");
        }
        this.bytes = bytes;
    }

    public static ChunkId parse(String hex) {
        return new ChunkId(HEX.parseHex(hex));
    }

    public byte[] bytes() {
        return bytes.clone();
    }

    byte[] raw() {
        return bytes;
    }

    public String hex() {
        return HEX.formatHex(bytes);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ChunkId other && Arrays.equals(bytes, other.bytes);
    }

    @Override
    public int hashCode() {
        return (bytes[0] & 0xff) << 24 | (bytes[1] & 0xff) << 16 | (bytes[2] & 0xff) << 8 | bytes[3] & 0xff;
    }

    @Override
    public int compareTo(ChunkId o) {
        return Arrays.compareUnsigned(bytes, o.bytes);
    }

    @Override
    public String toString() {
        return hex().substring(0, 12);
    }
}
