package io.lifeboat.cli;

import io.lifeboat.repository.Repository;
import io.lifeboat.storage.BlobStore;
import io.lifeboat.storage.BlobStores;
import io.lifeboat.storage.FailoverBlobStore;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
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

    @Option(names = "--fallback", paramLabel = "URI", description = "a copy of the repository (lifeboat copy) to read "
            + "from when it cannot be read; repeat for several, tried in order; default $LIFEBOAT_FALLBACK (separated by "
            + "spaces). Commands that write ignore it")
    List<String> fallbacks;

    BlobStore store() {
        return BlobStores.open(location());
    }

    Repository open() throws IOException {
        return Repository.open(store(), passphrase());
    }

    /**
     * For commands that only read: the repository, or when it cannot be read (unreachable, or not
     * there) the first copy given by --fallback that can, saying on stderr which.
     */
    Repository openForReading() throws IOException {
        return openForReading(true);
    }

    /** As openForReading, without the local cache of a remote store: for verify, which judges what the store holds. */
    Repository openUncached() throws IOException {
        return openForReading(false);
    }

    private Repository openForReading(boolean cache) throws IOException {
        List<String> copies = fallbacks != null ? fallbacks : System.getenv("LIFEBOAT_FALLBACK") == null ? List.of()
                : List.of(System.getenv("LIFEBOAT_FALLBACK").trim().split("\\s+"));
        BlobStore primary = BlobStores.open(location(), cache);
        if (copies.isEmpty() || copies.equals(List.of(""))) {
            return Repository.open(primary, passphrase());
        }
        List<BlobStore> stores = new ArrayList<>(List.of(primary));
        for (String copy : copies) {
            stores.add(BlobStores.open(copy, cache));
        }
        return Repository.open(new FailoverBlobStore(stores, told -> System.err.println("lifeboat: " + told)),
                passphrase());
    }

    private String location() {
        return repo != null ? repo : System.getenv("LIFEBOAT_REPOSITORY");
    }

    byte[] passphrase() throws IOException {
        return Passphrases.read(passwordFile, "LIFEBOAT_PASSWORD", "repository passphrase", false);
    }
}
