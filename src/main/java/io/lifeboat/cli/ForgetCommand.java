package io.lifeboat.cli;

import io.lifeboat.repository.Repository;
import io.lifeboat.repository.Snapshot;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "forget", mixinStandardHelpOptions = true,
        description = "Remove snapshots by id (their data stays until prune). Database backups have their own "
                + "retention: db forget.")
final class ForgetCommand implements Callable<Integer> {
    @Mixin
    RepositoryOptions repo;

    @Parameters(arity = "1..*", paramLabel = "ID", description = "snapshot ids (a unique prefix is enough)")
    List<String> ids;

    @Option(names = "--dry-run", description = "only show what would be removed")
    boolean dryRun;

    @Override
    public Integer call() throws Exception {
        Repository r = repo.open();
        List<Snapshot> chosen = new ArrayList<>();
        for (String id : ids) {
            chosen.add(r.snapshot(id)); // all resolved before any is removed: a typo removes nothing
        }
        for (Snapshot s : chosen) {
            if (!dryRun) {
                r.store().delete("snapshots/" + s.id());
            }
            if (!repo.json) {
                System.out.printf("%s snapshot %s of %s%n", dryRun ? "would remove" : "removed", s.shortId(), s.time());
            }
        }
        if (repo.json) {
            Output.json(Map.of("dryRun", dryRun, "removed", chosen.stream().map(Snapshot::id).toList()));
        }
        return 0;
    }
}
