package io.lifeboat.service;

import io.lifeboat.compress.Compression;
import io.lifeboat.config.LifeboatConfig;
import io.lifeboat.repository.Repository;
import io.lifeboat.repository.RepositoryException;
import io.lifeboat.storage.BlobStore;
import io.lifeboat.storage.BlobStores;
import io.lifeboat.storage.FailoverBlobStore;
import io.lifeboat.storage.StoreUnreachableException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens the configured repository for each run, so one that was unreachable comes back by itself.
 * A run never creates a repository: a vanished one (a dropped NFS mount) must fail the run, not be
 * silently replaced by an empty local one. With repository.create, {@link #createIfMissing} makes
 * it once, at start-up, before any route runs.
 */
public final class RepositoryAccess {
    private static final Logger LOG = LoggerFactory.getLogger(RepositoryAccess.class);
    private final LifeboatConfig.Repository config;
    private final Supplier<List<LifeboatConfig.Target>> targets;
    private final Supplier<Boolean> writeToTargetWhenUnreachable;

    /**
     * The repository, its copies as the configuration says now (targets are edited live), and
     * whether a backup writes to the first of them that answers when the repository cannot be reached.
     */
    public RepositoryAccess(LifeboatConfig.Repository config, Supplier<List<LifeboatConfig.Target>> targets,
                            Supplier<Boolean> writeToTargetWhenUnreachable) {
        this.config = config;
        this.targets = targets;
        this.writeToTargetWhenUnreachable = writeToTargetWhenUnreachable;
    }

    /** A backup written to a target instead of the repository: which, and why. */
    public interface WrittenElsewhere {
        void to(LifeboatConfig.Target target, BlobStore store, Exception why);
    }

    /**
     * For a backup: the repository; when it cannot be reached (no answer, or no repository where it
     * was: a dropped mount, a deleted bucket) and repository.whenUnreachable is next-target, the first
     * enabled target that opens, told to the caller. Otherwise the failure, for the run to fail on.
     */
    public Repository openForBackup(WrittenElsewhere told) throws IOException {
        try {
            return open();
        } catch (StoreUnreachableException | RepositoryException e) {
            if (!writeToTargetWhenUnreachable.get()) {
                throw e;
            }
            for (LifeboatConfig.Target t : targets()) {
                BlobStore store = null;
                try {
                    store = BlobStores.open(t.path());
                    Repository copy = openCopy(store);
                    told.to(t, store, e);
                    return copy;
                } catch (IOException | RuntimeException unusable) {
                    if (store != null) {
                        store.close();
                    }
                    LOG.warn("target {} cannot take the backup either: {}", t.name(), unusable.getMessage());
                }
            }
            throw e;
        }
    }

    /** The repository itself: what writes (a backup, retention) goes here and nowhere else. */
    public Repository open() throws IOException {
        return Repository.open(BlobStores.open(config.path()), passphrase(false));
    }

    /**
     * For reading (restore, recovery, drill, catalog rebuild): the repository, or when it cannot be
     * read the first of its enabled copies that can, saying which in the log.
     */
    public Repository openForReading() throws IOException {
        List<BlobStore> stores = new ArrayList<>();
        stores.add(BlobStores.open(config.path()));
        for (LifeboatConfig.Target t : targets()) {
            stores.add(BlobStores.open(t.path()));
        }
        return Repository.open(stores.size() == 1 ? stores.get(0)
                : new FailoverBlobStore(stores, told -> LOG.warn("repository {}: {}", config.path(), told)),
                passphrase(false));
    }

    /** As openForReading, or with a target's name, that copy alone (a drill measuring a restore from it). */
    public Repository openForReading(String copy) throws IOException {
        if (copy == null) {
            return openForReading();
        }
        LifeboatConfig.Target target = targets().stream().filter(t -> t.name().equals(copy)).findFirst()
                .orElseThrow(() -> new IOException("no enabled target is named " + copy + " (targets in lifeboat.yaml)"));
        return openCopy(BlobStores.open(target.path()));
    }

    /** A copy of the repository in the store, unlocked with the repository's passphrase. */
    public Repository openCopy(BlobStore store) throws IOException {
        return Repository.open(store, passphrase(false));
    }

    /** The enabled copies, in the order they are read in. */
    public List<LifeboatConfig.Target> targets() {
        return targets.get().stream().filter(LifeboatConfig.Target::active).toList();
    }

    /** At start-up: makes the repository (and a random passphrase file) when configured to and absent. */
    public void createIfMissing() throws IOException {
        BlobStore store = BlobStores.open(config.path());
        if (config.createIfMissing() && !store.exists("config")) {
            Repository.init(store, passphrase(true), Compression.parse(config.compression()));
        }
    }

    private byte[] passphrase(boolean create) throws IOException {
        if (config.passwordEnv() != null) {
            String value = System.getenv(config.passwordEnv());
            if (value == null || value.isEmpty()) {
                throw new IOException("environment variable " + config.passwordEnv() + " (repository passphrase) is not set");
            }
            return value.getBytes(StandardCharsets.UTF_8);
        }
        Path file = Path.of(config.passwordFile());
        if (create && !Files.exists(file)) {
            byte[] random = new byte[24];
            new SecureRandom().nextBytes(random);
            Path dir = file.toAbsolutePath().getParent();
            Files.createDirectories(dir);
            Path temp = Files.createTempFile(dir, ".passphrase", ".tmp",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(temp, Base64.getUrlEncoder().withoutPadding().encodeToString(random) + "\n");
            Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE);
        }
        if (!Files.exists(file)) {
            throw new IOException("repository passphrase file " + file + " does not exist");
        }
        return Files.readAllLines(file, StandardCharsets.UTF_8).stream().findFirst().orElse("")
                .getBytes(StandardCharsets.UTF_8);
    }
}
