package io.lifeboat.cli;

import io.lifeboat.maintenance.Export;
import io.lifeboat.repository.Repository;
import io.lifeboat.repository.RepositoryCopy;
import io.lifeboat.security.ManifestSignatures;
import io.lifeboat.source.DirectoryTrees;
import io.lifeboat.storage.BlobStore;
import io.lifeboat.storage.LocalBlobStore;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "import", mixinStandardHelpOptions = true,
        description = "Check an archive bin/lifeboat export wrote — its signature, and every object against the signed "
                + "manifest — and only then read its backups into the repository (an empty place becomes a copy of the "
                + "repository they came from; restore them from there as usual).")
final class ImportCommand implements Callable<Integer> {
    @Mixin
    RepositoryOptions repo;

    @Mixin
    SigningKeyOptions key;

    @Parameters(index = "0", paramLabel = "FILE", description = "the archive: a file, or a tape device")
    Path from;

    @Option(names = "--staging", paramLabel = "DIR", description = "where the archive is unpacked and checked before "
            + "anything goes into the repository (room for the whole archive); default the temporary directory")
    Path staging;

    @Override
    public Integer call() throws Exception {
        Path dir = Files.createTempDirectory(staging == null ? Path.of(System.getProperty("java.io.tmpdir")) : staging,
                "lifeboat-import-");
        try {
            Export.Manifest manifest;
            try (ManifestSignatures signatures = key.open(); InputStream in = Files.newInputStream(from)) {
                manifest = Export.read(in, dir, signatures);
            }
            Repository staged = Repository.open(new LocalBlobStore(dir), repo.passphrase());
            RepositoryCopy.Result copied;
            try (BlobStore target = repo.store()) {
                copied = RepositoryCopy.run(staged, target);
            }
            if (repo.json) {
                Output.json(copied);
            } else {
                System.out.printf("imported %d backups from %s into %s (signature checked, %d objects sent); it holds %d "
                        + "snapshots%n", manifest.snapshots().size(), from, copied.target(), copied.objectsSent(),
                        copied.snapshots().size());
            }
            return 0;
        } finally {
            DirectoryTrees.delete(dir);
        }
    }
}
