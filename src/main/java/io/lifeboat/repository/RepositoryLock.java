package io.lifeboat.repository;

import io.lifeboat.storage.BlobStore;
import java.io.IOException;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;

/**
 * A lock object under locks/. Backups take shared locks and run side by side; deleting data
 * (prune) takes the exclusive lock and waits for no shared one to exist, so it never races a backup.
 */
final class RepositoryLock implements AutoCloseable {
    private final BlobStore store;
    private final String name;

    private RepositoryLock(BlobStore store, String name) {
        this.store = store;
        this.name = name;
    }

    static RepositoryLock shared(BlobStore store, String operation) throws IOException {
        String name = "locks/" + UUID.randomUUID();
        byte[] body = Repository.JSON.writeValueAsBytes(Map.of(
                "operation", operation, "exclusive", false, "host", Keys.host(),
                "pid", ProcessHandle.current().pid(), "time", Instant.now().toString()));
        store.put(name, body);
        return new RepositoryLock(store, name);
    }

    @Override
    public void close() throws IOException {
        store.delete(name);
    }
}
