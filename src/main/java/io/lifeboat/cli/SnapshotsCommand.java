package io.lifeboat.cli;

import io.lifeboat.repository.Repository;
import io.lifeboat.repository.Snapshot;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(name = "snapshots", mixinStandardHelpOptions = true, description = "List the snapshots, oldest first.")
final class SnapshotsCommand implements Callable<Integer> {
    @Mixin
    RepositoryOptions repo;

    @Mixin
    SnapshotFilterOptions filter;

    @Override
    public Integer call() throws Exception {
        Repository r = repo.openForReading();
        List<Snapshot> all = r.snapshots().stream().filter(filter.filter()::matches).toList();
        for (String damaged : r.damagedSnapshots()) {
            System.err.println("warning: " + damaged + " is damaged and not listed (run verify)");
        }
        if (repo.json) {
            Output.json(all.stream().map(s -> new Snapshot(s.id(), s.version(), s.time(), s.hostname(), s.username(),
                    s.paths(), s.tags(), s.parent(), s.status(), null, s.problems(), s.summary())).toList());
            return 0;
        }
        System.out.printf("%-8s  %-24s  %-12s  %-8s  %10s  %s%n", "ID", "TIME", "HOST", "STATUS", "SIZE", "PATHS");
        for (Snapshot s : all) {
            System.out.printf("%-8s  %-24s  %-12s  %-8s  %10s  %s%s%n", s.shortId(), s.time(), s.hostname(), s.status(),
                    Output.bytes(s.summary().bytes()), String.join(" ", s.paths()),
                    s.tags() == null || s.tags().isEmpty() ? "" : "  [" + String.join(",", s.tags()) + "]");
        }
        System.out.println(all.size() + " snapshots");
        return 0;
    }
}
