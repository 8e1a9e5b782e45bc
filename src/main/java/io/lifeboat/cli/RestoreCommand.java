package io.lifeboat.cli;

import io.lifeboat.repository.Progress;
import io.lifeboat.repository.Repository;
import io.lifeboat.repository.Snapshot;
import io.lifeboat.source.files.Restorer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "restore", mixinStandardHelpOptions = true,
        description = "Restore a snapshot below a target directory (stored paths keep their full path under it). "
                + "Every chunk is checked; a file with damaged data is not written.")
final class RestoreCommand implements Callable<Integer> {
    @Mixin
    RepositoryOptions repo;

    @Parameters(paramLabel = "ID|latest",
            description = "snapshot id (or a unique prefix), or latest: the newest that --host, --path and --tag allow")
    String snapshot;

    @Mixin
    SnapshotFilterOptions filter;

    @Option(names = {"-t", "--target"}, required = true, paramLabel = "DIR", description = "where to restore")
    Path target;

    @Option(names = {"-i", "--include"}, paramLabel = "PATH",
            description = "restore only this stored path and what is below it (repeatable)")
    List<String> includes = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        Repository r = repo.openForReading();
        Snapshot s = r.snapshot(snapshot, filter.filter());
        Progress progress = new Progress();
        Restorer.Result result;
        try (AutoCloseable shown = Output.progress(progress, "restore", repo.json)) {
            result = new Restorer(r, new Restorer.Options(target, includes), progress).run(s);
        }
        for (Snapshot.Problem p : result.problems()) {
            System.err.println("error: " + p.path() + ": " + p.message());
        }
        if (repo.json) {
            Output.json(result);
        } else {
            System.out.printf("restored snapshot %s to %s: %d files, %d dirs, %d links, %s%n", s.shortId(),
                    target, result.files(), result.dirs(), result.links(), Output.bytes(result.bytes()));
        }
        if (!result.problems().isEmpty()) {
            System.err.println("lifeboat restore: " + result.problems().size() + " entries were not restored exactly");
            return 1;
        }
        return 0;
    }
}
