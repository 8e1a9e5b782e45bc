package io.lifeboat.cli;

import io.lifeboat.repository.Repository;
import io.lifeboat.storage.BlobStore;
import io.lifeboat.storage.BlobStores;
import java.io.IOException;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The options every repository command shares: where the repository is and how to unlock it. */
final class RepositoryOptions {
    @Option(names = {"-r", "--repo"}, paramLabel = "URI",
            description = "repository location: a directory (local or NFS) or file: URI; default $LIFEBOAT_REPOSITORY")
    String repo;

    @Option(names = "--password-file", paramLabel = "FILE",
            description = "read the passphrase from this file (its first line); default $LIFEBOAT_PASSWORD")
    Path passwordFile;

    @Option(names = "--json", description = "print machine-readable JSON")
    boolean json;

    BlobStore store() {
        return BlobStores.open(location());
    }

    Repository open() throws IOException {
        return Repository.open(store(), passphrase());
    }

    /** Opened without the local cache of a remote repository: for verify, which judges what the store holds. */
    Repository openUncached() throws IOException {
        return Repository.open(BlobStores.open(location(), false), passphrase());
    }

    private String location() {
        return repo != null ? repo : System.getenv("LIFEBOAT_REPOSITORY");
    }

    byte[] passphrase() throws IOException {
        return Passphrases.read(passwordFile, "LIFEBOAT_PASSWORD", "repository passphrase", false);
    }
}
