package io.lifeboat.storage;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * A repository and its copies, in priority order, read as one: everything is asked of the first
 * that holds the repository (its config is there) and answers; when it stops answering (a
 * StoreUnreachableException: no answer within the deadline, connections refused, server errors
 * after retries) the request goes to the next, and so does everything after it. Each turn is told
 * to the listener with the reason, so a restore says which copy served it. For readers: a backup
 * writes to one store it chose, never to two halves.
 */
public final class FailoverBlobStore implements BlobStore {
    private final List<BlobStore> stores;
    private final Consumer<String> told;
    private int active = -1;

    public FailoverBlobStore(List<BlobStore> inPriorityOrder, Consumer<String> told) {
        if (inPriorityOrder.isEmpty()) {
            throw new IllegalArgumentException("no repository given");
        }
        this.stores = List.copyOf(inPriorityOrder);
        this.told = told;
    }

    /** The store being read now: the first that holds the repository, found at the first request. */
    public synchronized BlobStore active() throws IOException {
        if (active < 0) {
            List<String> why = new ArrayList<>();
            for (int i = 0; i < stores.size(); i++) {
                BlobStore s = stores.get(i);
                try {
                    if (s.exists("config")) {
                        active = i;
                        if (i > 0) {
                            told.accept("reading from " + s.location() + ": " + String.join("; ", why));
                        }
                        return s;
                    }
                    why.add(s.location() + " holds no repository");
                } catch (IOException e) {
                    why.add(e.getMessage());
                }
            }
            throw new StoreUnreachableException("no copy of the repository can be read: " + String.join("; ", why), null);
        }
        return stores.get(active);
    }

    /** Whether reads went to a copy: the repository itself could not be read. */
    public synchronized boolean onCopy() {
        return active > 0;
    }

    /** Turns from a store that stopped answering to the next; false when it was the last. */
    private synchronized boolean turnFrom(BlobStore failed, IOException why) {
        if (stores.get(active) != failed) {
            return true;
        }
        if (active + 1 >= stores.size()) {
            return false;
        }
        active++;
        told.accept("reading from " + stores.get(active).location() + ": " + why.getMessage());
        return true;
    }

    private <T> T onActive(StoreCall<T> call) throws IOException {
        while (true) {
            BlobStore store = active();
            try {
                return call.on(store);
            } catch (StoreUnreachableException e) {
                if (!turnFrom(store, e)) {
                    throw e;
                }
            }
        }
    }

    @Override
    public void put(String name, byte[] data) throws IOException {
        onActive(s -> {
            s.put(name, data);
            return null;
        });
    }

    @Override
    public void putFile(String name, Path file) throws IOException {
        onActive(s -> {
            s.putFile(name, file);
            return null;
        });
    }

    @Override
    public void putFileReadable(String name, Path file) throws IOException {
        onActive(s -> {
            s.putFileReadable(name, file);
            return null;
        });
    }

    @Override
    public Map<String, Instant> lockedUntil(Collection<String> names) throws IOException {
        return onActive(s -> s.lockedUntil(names));
    }

    @Override
    public int extendLocks(Map<String, Instant> until) throws IOException {
        return onActive(s -> s.extendLocks(until));
    }

    @Override
    public Duration lockPeriod() {
        return stores.get(Math.max(active, 0)).lockPeriod();
    }

    @Override
    public boolean mayArchive() {
        return stores.stream().anyMatch(BlobStore::mayArchive);
    }

    @Override
    public Thaw thaw(Collection<String> names) throws IOException {
        return onActive(s -> s.thaw(names));
    }

    @Override
    public byte[] get(String name) throws IOException {
        return onActive(s -> s.get(name));
    }

    @Override
    public byte[] getRangeUpTo(String name, long offset, int length) throws IOException {
        return onActive(s -> s.getRangeUpTo(name, offset, length));
    }

    @Override
    public byte[] getRangeKept(String name, long offset, int length, String key) throws IOException {
        return onActive(s -> s.getRangeKept(name, offset, length, key));
    }

    @Override
    public void forgetKept(String key) throws IOException {
        active().forgetKept(key);
    }

    @Override
    public InputStream open(String name) throws IOException {
        return onActive(s -> s.open(name));
    }

    @Override
    public boolean exists(String name) throws IOException {
        return onActive(s -> s.exists(name));
    }

    @Override
    public long size(String name) throws IOException {
        return onActive(s -> s.size(name));
    }

    @Override
    public List<String> list(String prefix) throws IOException {
        return onActive(s -> s.list(prefix));
    }

    @Override
    public Map<String, Long> listSizes(String prefix) throws IOException {
        return onActive(s -> s.listSizes(prefix));
    }

    @Override
    public Map<String, Long> bytesByClass() throws IOException {
        return onActive(BlobStore::bytesByClass);
    }

    @Override
    public void delete(String name) throws IOException {
        onActive(s -> {
            s.delete(name);
            return null;
        });
    }

    @Override
    public Path scratchDirectory() throws IOException {
        return active().scratchDirectory();
    }

    @Override
    public String location() {
        return stores.get(Math.max(active, 0)).location();
    }

    @Override
    public String address() {
        return stores.get(Math.max(active, 0)).address();
    }

    @Override
    public void close() throws IOException {
        for (BlobStore s : stores) {
            s.close();
        }
    }

    @FunctionalInterface
    private interface StoreCall<T> {
        T on(BlobStore store) throws IOException;
    }
}
