package io.lifeboat.cli;

import io.lifeboat.config.Retention;
import io.lifeboat.repository.Repository;
import io.lifeboat.repository.RepositoryCopy;
import io.lifeboat.repository.Snapshot;
import io.lifeboat.source.BackupContents;
import io.lifeboat.storage.BlobStore;
import io.lifeboat.storage.BlobStores;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Predicate;
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

    @Option(names = "--since", paramLabel = "TIME|AGE",
            description = "only the backups taken since then: a time with its zone (2026-12-01T00:00:00Z) or an age"
                    + " (7d, 12h)")
    String since;

    @Override
    public Integer call() throws Exception {
        Repository r = repo.open();
        Predicate<Snapshot> chosen = sources == null ? s -> true : BackupContents.ofSources(sources);
        if (since != null) {
            Instant from = since(since);
            chosen = chosen.and(s -> !Instant.parse(s.time()).isBefore(from));
        }
        RepositoryCopy.Selection selection = sources == null && since == null ? null
                : BackupContents.selection(r, chosen);
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

    private static Instant since(String text) {
        try {
            return Instant.parse(text);
        } catch (DateTimeParseException notATime) {
            try {
                return Instant.now().minus(Retention.parse(text));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--since " + text + ": neither a time with its zone "
                        + "(2026-12-01T00:00:00Z) nor an age (7d, 12h)");
            }
        }
    }
}
