package io.lifeboat.repository;

import io.lifeboat.crypto.CorruptDataException;
import io.lifeboat.storage.BlobStore;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Makes another store a copy of a repository, or brings a copy up to date: the same config and key
 * files, so that the copy alone restores everything it holds with the same passphrase. Only what
 * the copy lacks goes over, in the order a reader relies on (docs/FORMAT.md §9): key files and
 * config first for a new copy, then packs, then the index objects naming them, then snapshots and
 * log objects. An object is checked as it is read (a content-named one against its name, a log
 * object by opening its seal, every one against its listed size), so damage at the source is
 * reported, not copied; when a stage has
 * sent everything, the copy is listed and each object sent must be there with its size before the
 * next stage begins. A stage that fails stops the copy there: what is in the copy stays readable,
 * and the next copy sends the rest. Nothing is ever deleted from a copy: its own retention and
 * locks decide that. Segments still growing (`.partial`) are left to the copy after they complete.
 */
public final class RepositoryCopy {
    private static final int PARALLEL = 4;
    private static final List<List<String>> STAGES = List.of(List.of("data/"), List.of("index/"),
            List.of("snapshots/", "logs/"));

    /** What a copy sent, and what the copy holds now. */
    public record Result(String target, int objectsSent, long bytesSent, int objectsThere, Set<String> snapshots,
            int logSegments) {
    }

    private final Repository from;
    private final BlobStore to;
    private final AtomicLong bytesSent = new AtomicLong();

    private RepositoryCopy(Repository from, BlobStore to) {
        this.from = from;
        this.to = to;
    }

    /** Copies what the target lacks; a RepositoryException when the target holds another repository. */
    public static Result run(Repository from, BlobStore to) throws IOException, InterruptedException {
        return new RepositoryCopy(from, to).run();
    }

    private Result run() throws IOException, InterruptedException {
        BlobStore source = from.store();
        int sent = 0;
        try (RepositoryLock readLock = RepositoryLock.shared(source, "copy to " + to.location())) {
            sent += startCopy(source);
            try (RepositoryLock writeLock = RepositoryLock.shared(to, "copy from " + source.location())) {
                for (List<String> stage : STAGES) {
                    Map<String, Long> wanted = new TreeMap<>();
                    Map<String, Long> there = new HashMap<>();
                    for (String prefix : stage) {
                        wanted.putAll(source.listSizes(prefix));
                        there.putAll(to.listSizes(prefix));
                    }
                    wanted.keySet().removeIf(name -> name.endsWith(LogArchive.PARTIAL)
                            || wanted.get(name).equals(there.get(name)));
                    send(wanted);
                    check(wanted, stage);
                    sent += wanted.size();
                }
            }
        }
        Set<String> snapshots = new HashSet<>();
        for (String name : to.list("snapshots/")) {
            snapshots.add(name.substring("snapshots/".length()));
        }
        int logs = (int) to.list("logs/").stream().filter(n -> !n.endsWith(LogArchive.PARTIAL)).count();
        int objects = 0;
        for (List<String> stage : STAGES) {
            for (String prefix : stage) {
                objects += to.list(prefix).size();
            }
        }
        return new Result(to.location(), sent, bytesSent.get(), objects, snapshots, logs);
    }

    /**
     * A new copy gets the key files, then config (init's order: a copy without config does not exist
     * yet); an existing one must hold the same repository, and gets the key files added since.
     */
    private int startCopy(BlobStore source) throws IOException, InterruptedException {
        byte[] config = source.get("config");
        boolean fresh = false;
        try {
            if (!Arrays.equals(config, to.get("config"))) {
                throw new RepositoryException(to.location() + " holds another repository than "
                        + source.location() + "; a copy goes into an empty place or a copy of the same repository");
            }
        } catch (NoSuchFileException none) {
            fresh = true;
            to.create();
        }
        Map<String, Long> keys = source.listSizes("keys/");
        keys.keySet().removeAll(to.listSizes("keys/").keySet());
        send(keys);
        check(keys, List.of("keys/"));
        if (fresh) {
            Path file = scratchFile();
            Files.write(file, config);
            to.putFile("config", file);
            bytesSent.addAndGet(config.length);
        }
        return keys.size() + (fresh ? 1 : 0);
    }

    private void send(Map<String, Long> objects) throws IOException, InterruptedException {
        ExecutorService pool = Executors.newFixedThreadPool(PARALLEL, r -> {
            Thread t = new Thread(r, "copy");
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<Void>> sends = new ArrayList<>();
            for (Map.Entry<String, Long> o : objects.entrySet()) {
                sends.add(pool.submit(() -> {
                    sendOne(o.getKey(), o.getValue());
                    return null;
                }));
            }
            for (Future<Void> f : sends) {
                try {
                    f.get();
                } catch (ExecutionException e) {
                    if (e.getCause() instanceof IOException io) {
                        throw io;
                    }
                    throw new IOException(e.getCause());
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /** One object, through a file in the target's scratch space, checked on the way. */
    private void sendOne(String name, long size) throws IOException {
        Path file = scratchFile();
        try {
            MessageDigest sha = sha256();
            long read;
            try (InputStream in = new DigestInputStream(from.store().open(name), sha);
                    OutputStream out = Files.newOutputStream(file)) {
                read = in.transferTo(out);
            }
            String hash = HexFormat.of().formatHex(sha.digest());
            String base = name.substring(name.lastIndexOf('/') + 1);
            String damage = read != size ? read + " bytes where " + size + " were listed"
                    : name.startsWith("logs/") ? unsealed(name, file) : hash.equals(base) ? null
                    : "its bytes do not hash to its name";
            if (damage != null) {
                throw new RepositoryException(from.store().location() + "/" + name + " is damaged (" + damage
                        + "): it was not copied; run verify --read-data on " + from.store().location());
            }
            to.putFile(name, file);
            bytesSent.addAndGet(read);
        } finally {
            Files.deleteIfExists(file);
        }
    }

    /** A log object is named for its segment, not its bytes: it is checked by opening its seal; null when it opens. */
    private String unsealed(String name, Path file) throws IOException {
        try {
            from.key().open(Files.readAllBytes(file), name.getBytes(StandardCharsets.UTF_8));
            return null;
        } catch (CorruptDataException e) {
            return "its seal does not open: " + e.getMessage();
        }
    }

    /** The copy, listed, holds every object sent with the size it had. */
    private void check(Map<String, Long> sent, List<String> prefixes) throws IOException {
        if (sent.isEmpty()) {
            return;
        }
        Map<String, Long> there = new HashMap<>();
        for (String prefix : prefixes) {
            there.putAll(to.listSizes(prefix));
        }
        for (Map.Entry<String, Long> o : sent.entrySet()) {
            if (!o.getValue().equals(there.get(o.getKey()))) {
                throw new RepositoryException(to.location() + "/" + o.getKey() + " was written but the copy "
                        + (there.containsKey(o.getKey()) ? "lists it with " + there.get(o.getKey()) + " bytes, not "
                        + o.getValue() : "does not list it"));
            }
        }
    }

    private Path scratchFile() throws IOException {
        return Files.createTempFile(to.scratchDirectory(), "copy-", ".tmp");
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
