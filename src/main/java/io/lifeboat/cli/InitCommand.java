package io.lifeboat.cli;

import io.lifeboat.compress.Compression;
import io.lifeboat.repository.Repository;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "init", mixinStandardHelpOptions = true, description = "Create a repository.")
final class InitCommand implements Callable<Integer> {
    @Mixin
    RepositoryOptions repo;

    @Option(names = "--compression", paramLabel = "METHOD[:LEVEL]", defaultValue = "gzip:6",
            description = "default compression of backups: gzip (level 1-9), zstd (1-19) or none; default ${DEFAULT-VALUE}")
    String compression;

    @Option(names = "--pack-size", paramLabel = "MIB", defaultValue = "16",
            description = "size of the files chunks are gathered in, 1-1024 MiB: larger means fewer objects "
                    + "(and requests) on object storage; default ${DEFAULT-VALUE}")
    int packSizeMiB;

    @Override
    public Integer call() throws Exception {
        Compression.Setting setting = Compression.parse(compression);
        if (packSizeMiB < 1 || packSizeMiB > 1024) {
            throw new IllegalArgumentException("--pack-size " + packSizeMiB + " is out of range: give 1 to 1024 (MiB)");
        }
        byte[] passphrase = Passphrases.read(repo.passwordFile, "LIFEBOAT_PASSWORD", "new repository passphrase", true);
        Repository r = Repository.init(repo.store(), passphrase, setting, (long) packSizeMiB << 20);
        if (repo.json) {
            Output.json(Map.of("id", r.config().id(), "location", r.store().location(),
                    "compression", r.config().compression()));
        } else {
            System.out.println("created repository " + r.config().id() + " at " + r.store().location());
            System.out.println("Keep the passphrase safe: without it the data cannot be restored.");
        }
        return 0;
    }
}
