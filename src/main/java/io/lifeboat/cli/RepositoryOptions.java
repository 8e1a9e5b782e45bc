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
        return BlobStores.open(repo != null ? repo : System.getenv("LIFEBOAT_REPOSITORY"));
    }

    Repository open() throws IOException {
        return Repository.open(store(), passphrase());
    }

    byte[] passphrase() throws IOException {
        return Passphrases.read(passwordFile, "LIFEBOAT_PASSWORD", "repository passphrase", false);
    }
}
