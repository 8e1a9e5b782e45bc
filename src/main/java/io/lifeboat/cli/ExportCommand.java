package io.lifeboat.cli;

import io.lifeboat.maintenance.Export;
import io.lifeboat.repository.Repository;
import io.lifeboat.repository.Snapshot;
import io.lifeboat.security.ManifestSignatures;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "export", mixinStandardHelpOptions = true,
        description = "Write chosen backups and everything they need (for a database backup, the log segments of its "
                + "source too) to one archive read front to back — a file, or a tape device — with a manifest of every "
                + "object's SHA-256, signed with the keystore's key. bin/lifeboat import checks and reads it back.")
final class ExportCommand implements Callable<Integer> {
    @Mixin
    RepositoryOptions repo;

    @Mixin
    SigningKeyOptions key;

    @Option(names = "--to", required = true, paramLabel = "FILE", description = "the archive: a file, or a tape device")
    Path to;

    @Parameters(paramLabel = "BACKUP", description = "snapshot ids (or a unique prefix, or latest); none: every backup")
    List<String> backups;

    @Override
    public Integer call() throws Exception {
        Repository r = repo.openForReading();
        List<Snapshot> chosen = new ArrayList<>();
        if (backups == null || backups.isEmpty()) {
            chosen.addAll(r.snapshots());
        } else {
            for (String ref : backups) {
                chosen.add(r.snapshot(ref));
            }
        }
        Export.Manifest manifest;
        try (ManifestSignatures signatures = key.open(); OutputStream out = Files.newOutputStream(to)) {
            manifest = Export.write(r, chosen, out, signatures);
        } catch (IOException | RuntimeException e) {
            if (Files.isRegularFile(to)) {
                Files.delete(to); // an archive without its signed manifest is of no use
            }
            throw e;
        }
        if (repo.json) {
            Output.json(manifest);
        } else {
            System.out.printf("exported %d backups (%d objects, %s) to %s; manifest signed with %s%n",
                    manifest.snapshots().size(), manifest.objects().size(),
                    Output.bytes(manifest.objects().stream().mapToLong(Export.Entry::size).sum()), to, key.alias);
        }
        return 0;
    }
}
