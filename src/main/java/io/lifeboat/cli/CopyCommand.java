package io.lifeboat.cli;

import io.lifeboat.repository.Repository;
import io.lifeboat.repository.RepositoryCopy;
import io.lifeboat.source.BackupContents;
import io.lifeboat.storage.BlobStore;
import io.lifeboat.storage.BlobStores;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "copy", mixinStandardHelpOptions = true,
        description = "Make another place a copy of the repository, or bring a copy up to date: what it lacks goes "
                + "over (packs, then index, then snapshots and logs), each object checked, then the copy is listed "
                + "and checked. A copy restores alone, with the same passphrase (--repo pointed at it, or "
                + "--fallback). Nothing is deleted from a copy.")
final class CopyCommand implements Callable<Integer> {
    @Mixin
    RepositoryOptions repo;

    @Option(names = "--to", required = true, paramLabel = "URI",
            description = "where the copy is: a directory (local or NFS) or s3://BUCKET/PREFIX?...; repeat for several")
    List<String> targets;

    @Option(names = "--source", paramLabel = "NAME",
            description = "only the backups of this source (tag source:NAME or db:NAME), with the packs and log segments"
                    + " they need; repeat for several")
    List<String> sources;

    @Override
    public Integer call() throws Exception {
        Repository r = repo.open();
        RepositoryCopy.Selection selection = sources == null ? null
                : BackupContents.selection(r, BackupContents.ofSources(sources));
        List<RepositoryCopy.Result> results = new ArrayList<>();
        for (String location : targets) {
            try (BlobStore store = BlobStores.open(location, false)) {
                RepositoryCopy.Result copied = selection == null ? RepositoryCopy.run(r, store)
                        : RepositoryCopy.run(r, store, selection);
                results.add(copied);
                if (!repo.json) {
                    System.out.printf("copied %d objects (%s) to %s; checked: it holds %d snapshots, %d log segments, "
                            + "%d objects%n", copied.objectsSent(), Output.bytes(copied.bytesSent()), copied.target(),
                            copied.snapshots().size(), copied.logSegments(), copied.objectsThere());
                }
            }
        }
        if (repo.json) {
            Output.json(results);
        }
        return 0;
    }
}
