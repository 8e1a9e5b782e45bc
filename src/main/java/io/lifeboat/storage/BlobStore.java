package io.lifeboat.storage;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * Where the repository keeps its objects. Names are relative, slash-separated ("data/ab/ab12…").
 * Every write is atomic: a reader sees the whole object or none of it, never a torn one, so a crash
 * at any point leaves only complete objects behind (DESIGN decision 6).
 */
public interface BlobStore extends Closeable {

    /** Stores small bytes under the name, atomically and durably. */
    void put(String name, byte[] data) throws IOException;

    /** Moves or uploads a finished local file under the name, atomically and durably; the file is consumed. */
    void putFile(String name, Path file) throws IOException;

    /**
     * As putFile, but never into a cold storage class: for a pack that restores are planned from (it
     * holds node streams), which must be readable before anything has been brought back.
     */
    default void putFileReadable(String name, Path file) throws IOException {
        putFile(name, file);
    }

    byte[] get(String name) throws IOException;

    /** Reads length bytes at offset, for one blob inside a pack; an object that ends first is an error. */
    default byte[] getRange(String name, long offset, int length) throws IOException {
        byte[] data = getRangeUpTo(name, offset, length);
        if (data.length != length) {
            throw new IOException(name + " is shorter than expected: wanted " + length + " bytes at offset " + offset);
        }
        return data;
    }

    /** Reads up to length bytes at offset, fewer where the object ends first: for reading ahead in a pack. */
    byte[] getRangeUpTo(String name, long offset, int length) throws IOException;

    /**
     * As getRange; a store with a local cache also keeps the bytes under the key and answers from
     * there the next time, which the caller must check (a chunk against its id) and forget when bad.
     */
    default byte[] getRangeKept(String name, long offset, int length, String key) throws IOException {
        return getRange(name, offset, length);
    }

    /** Drops what getRangeKept kept under the key (it did not pass the caller's check). */
    default void forgetKept(String key) throws IOException {
    }

    /** Streams the whole object, for reading packs end to end without holding them in memory. */
    InputStream open(String name) throws IOException;

    boolean exists(String name) throws IOException;

    long size(String name) throws IOException;

    /** Every object whose name starts with the prefix, in no particular order. */
    default List<String> list(String prefix) throws IOException {
        return new ArrayList<>(listSizes(prefix).keySet());
    }

    /** As list, with each object's size in bytes: one listing shows what a copy holds. */
    Map<String, Long> listSizes(String prefix) throws IOException;

    void delete(String name) throws IOException;

    /** Bytes stored, per storage class ("directory" for a directory), for what the store costs. */
    default Map<String, Long> bytesByClass() throws IOException {
        return Map.of("directory", listSizes("").values().stream().mapToLong(Long::longValue).sum());
    }

    /**
     * Asks the store to bring back those of the objects that sit in an archive storage class and are
     * not readable yet (it may be asked again: what is asked already is not asked twice), and says
     * where they stand. Stores without such a class hold nothing archived.
     */
    default Thaw thaw(Collection<String> names) throws IOException {
        return Thaw.NONE;
    }

    /**
     * Those of the objects an object lock keeps from deletion now, each with the time its lock ends;
     * none where the store locks nothing.
     */
    default Map<String, Instant> lockedUntil(Collection<String> names) throws IOException {
        return Map.of();
    }

    /**
     * Makes each object's lock last at least until the time given it (a lock is only ever extended);
     * answers how many were extended. Stores that lock nothing: none.
     */
    default int extendLocks(Map<String, Instant> until) throws IOException {
        return 0;
    }

    /** How long a new object is locked for, or null where the store locks nothing. */
    default Duration lockPeriod() {
        return null;
    }

    /** Whether objects here may sit in an archive class (a bucket's lifecycle rule may move them there). */
    default boolean mayArchive() {
        return false;
    }

    /** A local directory for temporary files that putFile will take (packs are assembled there). */
    Path scratchDirectory() throws IOException;

    /** Makes what holds the objects when it is not there yet (a bucket); called by init. */
    default void create() throws IOException {
    }

    /** Where this store is, for messages. */
    String location();

    /**
     * How another process reaches this same store (BlobStores.open takes it): an absolute path, or
     * the S3 location with its options. For the commands Lifeboat hands to PostgreSQL and starts.
     */
    String address();

    @Override
    default void close() throws IOException {
    }
}
