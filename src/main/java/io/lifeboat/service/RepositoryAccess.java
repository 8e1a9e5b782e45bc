package io.lifeboat.service;

import io.lifeboat.compress.Compression;
import io.lifeboat.config.LifeboatConfig;
import io.lifeboat.repository.Repository;
import io.lifeboat.storage.BlobStore;
import io.lifeboat.storage.BlobStores;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * Opens the configured repository for each run (so a repository that was unreachable comes back
 * by itself). With repository.create it makes a missing repository, and a random passphrase file
 * (mode 600) if none is there; otherwise the repository must exist (lifeboat init).
 */
public final class RepositoryAccess {
    private final LifeboatConfig.Repository config;

    public RepositoryAccess(LifeboatConfig.Repository config) {
        this.config = config;
    }

    public Repository open() throws IOException {
        BlobStore store = BlobStores.open(config.path());
        if (config.createIfMissing() && !store.exists("config")) {
            return Repository.init(store, passphrase(true), Compression.parse(config.compression()));
        }
        return Repository.open(store, passphrase(false));
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
            Files.createDirectories(file.toAbsolutePath().getParent());
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(file, Base64.getUrlEncoder().withoutPadding().encodeToString(random) + "\n");
        }
        if (!Files.exists(file)) {
            throw new IOException("repository passphrase file " + file + " does not exist");
        }
        return Files.readAllLines(file, StandardCharsets.UTF_8).stream().findFirst().orElse("")
                .getBytes(StandardCharsets.UTF_8);
    }
}
