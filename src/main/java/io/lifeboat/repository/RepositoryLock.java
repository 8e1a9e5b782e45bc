package io.lifeboat.repository;

import io.lifeboat.storage.BlobStore;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A lock object under locks/. Backups take shared locks and run side by side; deleting data
 * (prune) takes the exclusive lock, which it gets only while no other lock exists, so it never
 * races a backup. Each side writes its own lock first and then looks for the other kind, so of
 * two that start together at least one sees the other and steps back. A lock left by a process
 * of this node that no longer runs is stale and removed. A holder writes its lock again six times
 * per expiry (30 minutes by default), so a lock of another node sharing the repository that has
 * not been written for that long belongs to a process that died, and is stale too. Readers (restore, verify,
 * WAL fetch) take shared locks as well: a pack must not vanish under them.
 */
public final class RepositoryLock implements AutoCloseable {
    private static final Duration SHARED_WAIT = Duration.ofMinutes(10);
    private static final ScheduledExecutorService REFRESHER = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "lock-refresher");
        t.setDaemon(true);
        return t;
    });
    private final BlobStore store;
    private final String name;
    private final String operation;
    private final boolean exclusive;
    private ScheduledFuture<?> refresh;
    private boolean closed;

    private RepositoryLock(BlobStore store, String name, String operation, boolean exclusive) {
        this.store = store;
        this.name = name;
        this.operation = operation;
        this.exclusive = exclusive;
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
                throw new RepositoryBusyException("the repository is being pruned (" + exclusive.get(0) + "); "
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
        RepositoryLock lock = new RepositoryLock(store, "locks/" + UUID.randomUUID(), operation, exclusive);
        lock.put();
        long every = expiry().dividedBy(6).toSeconds();
        lock.refresh = REFRESHER.scheduleAtFixedRate(lock::refresh, every, every, TimeUnit.SECONDS);
        return lock;
    }

    private void put() throws IOException {
        store.put(name, Repository.JSON.writeValueAsBytes(Map.of(
                "operation", operation, "exclusive", exclusive, "host", Keys.host(), "node", Keys.node(),
                "pid", ProcessHandle.current().pid(), "time", Instant.now().toString())));
    }

    /** Writes the lock again with the time of now; never after it was closed (that would bring it back). */
    private synchronized void refresh() {
        if (closed) {
            return;
        }
        try {
            put();
        } catch (IOException e) {
            // tried again at the next refresh, long before the lock could look stale
        }
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
            // a lock of this node is judged by its process; another node's, which may be on another host, by its age
            Object node = lock.get("node") != null ? lock.get("node") : lock.get("host");
            boolean stale = Keys.node().equals(node) ? lock.get("pid") instanceof Number pid
                    && ProcessHandle.of(pid.longValue()).isEmpty() : olderThan(lock.get("time"), expiry());
            if (stale) {
                store.delete(other);
            } else if (!exclusiveOnly || Boolean.TRUE.equals(lock.get("exclusive"))) {
                found.add(lock.get("operation") + " by pid " + lock.get("pid") + " of node " + node + " since "
                        + lock.get("time") + ", " + other);
            }
        }
        return found;
    }

    /**
     * How old a lock of another node must be to be taken for a dead process's: the system property
     * lifeboat.lock-expiry or the variable LIFEBOAT_LOCK_EXPIRY (ISO-8601, e.g. PT30M), else 30
     * minutes. A holder writes its lock again six times as often.
     */
    static Duration expiry() {
        String given = System.getProperty("lifeboat.lock-expiry", System.getenv("LIFEBOAT_LOCK_EXPIRY"));
        if (given == null || given.isBlank()) {
            return Duration.ofMinutes(30);
        }
        try {
            Duration d = Duration.parse(given.strip());
            if (d.toSeconds() >= 6) {
                return d;
            }
        } catch (DateTimeParseException e) {
            // reported below
        }
        throw new IllegalArgumentException("lock expiry '" + given + "' (lifeboat.lock-expiry or LIFEBOAT_LOCK_EXPIRY)"
                + " is not an ISO-8601 duration of at least 6 seconds, such as PT30M");
    }

    private static boolean olderThan(Object time, Duration age) {
        try {
            return Instant.parse(String.valueOf(time)).isBefore(Instant.now().minus(age));
        } catch (DateTimeParseException e) {
            return false;
        }
    }

    @Override
    public synchronized void close() throws IOException {
        closed = true;
        refresh.cancel(false);
        store.delete(name);
    }
}
