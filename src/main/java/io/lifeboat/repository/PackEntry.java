package io.lifeboat.repository;

/** One chunk inside a pack: its id, where its sealed bytes start, how long they are, its raw size. */
public record PackEntry(ChunkId id, long offset, int length, int rawLength) {
    /** Bytes of one entry in a pack header or index file: id, offset, length, raw length. */
    static final int ENCODED = ChunkId.LENGTH + 4 + 4 + 4;
}
