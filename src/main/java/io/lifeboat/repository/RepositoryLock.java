package io.lifeboat.repository;

import io.lifeboat.storage.BlobStore;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * A lock object under locks/. Backups take shared locks and run side by side; deleting data
 * (prune) takes the exclusive lock, which it gets only while no other lock exists, so it never
 * races a backup. Each side writes its own lock first and then looks for the other kind, so of
 * two that start together at least one sees the other and steps back. A lock left by a process
 * of this host that no longer runs is stale and removed. Readers (restore, verify, WAL fetch) take
 * shared locks too: a pack must not vanish under them.
 */
public final class RepositoryLock implements AutoCloseable {
    private static final Duration SHARED_WAIT = Duration.ofMinutes(10);
    private final BlobStore store;
    private final String name;

    private RepositoryLock(BlobStore store, String name) {
        this.store = store;
        this.name = name;
    }

    /**
     * A shared lock. While the repository is being pruned it waits (a prune takes minutes), since
     * failing would be worse: a WAL fetch that fails ends a recovery early.
     */
    public static RepositoryLock shared(BlobStore store, String operation) throws IOException {
        long deadline = System.nanoTime() + SHARED_WAIT.toNanos();
        while (true) {
            RepositoryLock lock = write(store, operation, false);
            List<String> exclusive = lock.others(true);
            if (exclusive.isEmpty()) {
                return lock;
            }
            lock.close();
            if (System.nanoTime() > deadline) {
                throw new RepositoryException("the repository is being pruned (" + exclusive.get(0) + "); "
                        + operation + " waited " + SHARED_WAIT.toMinutes() + " minutes for it");
            }
            try {
                Thread.sleep(1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new java.io.InterruptedIOException(operation + " interrupted while waiting for prune");
            }
        }
    }

    /** The exclusive lock, waiting up to `wait` for other operations (a WAL push, say) to finish. */
    public static RepositoryLock exclusive(BlobStore store, String operation, Duration wait)
            throws IOException, InterruptedException {
        long deadline = System.nanoTime() + wait.toNanos();
        while (true) {
            RepositoryLock lock = write(store, operation, true);
            List<String> others = lock.others(false);
            if (others.isEmpty()) {
                return lock;
            }
            lock.close();
            if (System.nanoTime() > deadline) {
                throw new RepositoryBusyException("the repository is in use (" + others.get(0) + "); " + operation
                        + " needs it to itself");
            }
            Thread.sleep(500);
        }
    }

    private static RepositoryLock write(BlobStore store, String operation, boolean exclusive) throws IOException {
        String name = "locks/" + UUID.randomUUID();
        byte[] body = Repository.JSON.writeValueAsBytes(Map.of(
                "operation", operation, "exclusive", exclusive, "host", Keys.host(),
                "pid", ProcessHandle.current().pid(), "time", Instant.now().toString()));
        store.put(name, body);
        return new RepositoryLock(store, name);
    }

    /** The other live locks (only exclusive ones when asked), described; stale ones are removed. */
    private List<String> others(boolean exclusiveOnly) throws IOException {
        List<String> found = new ArrayList<>();
        for (String other : store.list("locks/")) {
            if (other.equals(name)) {
                continue;
            }
            Map<?, ?> lock;
            try {
                lock = Repository.JSON.readValue(store.get(other), Map.class);
            } catch (IOException e) {
                continue; // removed meanwhile, or being written
            }
            boolean stale = Keys.host().equals(lock.get("host")) && lock.get("pid") instanceof Number pid
                    && ProcessHandle.of(pid.longValue()).isEmpty();
            if (stale) {
                store.delete(other);
            } else if (!exclusiveOnly || Boolean.TRUE.equals(lock.get("exclusive"))) {
                found.add(lock.get("operation") + " by pid " + lock.get("pid") + " on " + lock.get("host") + " since "
                        + lock.get("time") + ", " + other);
            }
        }
        return found;
    }

    @Override
    public void close() throws IOException {
        store.delete(name);
    }
}
