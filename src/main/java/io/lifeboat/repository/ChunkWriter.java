package io.lifeboat.repository;

import io.lifeboat.compress.Compression;
import java.io.IOException;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The write side of the chunk store for one backup: names each chunk, and when the repository
 * does not have it yet compresses, seals and packs it — on the worker pool, so reading files and
 * processing chunks overlap and every core is used.
 */
public final class ChunkWriter implements AutoCloseable {
    /** Raw bytes allowed in flight between the reader and the packs. */
    public static final long IN_FLIGHT = 24L * 1024 * 1024;

    private final Repository repository;
    private final Compression.Setting compression;
    private final Packer packer;
    private final Workers workers = new Workers("chunk", IN_FLIGHT);
    private final AtomicLong newChunks = new AtomicLong();

    public ChunkWriter(Repository repository, Compression.Setting compression) {
        this.repository = repository;
        this.compression = compression;
        this.packer = new Packer(repository, repository.config().packSize());
    }

    /** Stores the chunk unless the repository has it; the future yields its id. */
    public Future<ChunkId> write(byte[] chunk) throws InterruptedException {
        return workers.submit(chunk.length, () -> {
            ChunkId id = repository.chunkId(chunk);
            if (packer.claim(id)) {
                byte[] sealed = repository.key().seal(compression.encode(chunk), id.raw());
                packer.add(id, sealed, chunk.length);
                newChunks.incrementAndGet();
            }
            return id;
        });
    }

    /** Makes everything written so far durable and indexed. */
    public void flush() throws IOException {
        packer.flush();
    }

    public long newChunks() {
        return newChunks.get();
    }

    public long storedBytes() {
        return packer.storedBytes();
    }

    public int packs() {
        return packer.storedPacks();
    }

    @Override
    public void close() {
        workers.close();
        packer.abandon();
    }
}
