package io.lifeboat.cli;

import io.lifeboat.maintenance.Pruner;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "prune", mixinStandardHelpOptions = true,
        description = "Give back the space of data no snapshot or archived log needs any more (after forget or "
                + "db forget): delete unused packs, repack mostly unused ones. Needs the repository to itself.")
final class PruneCommand implements Callable<Integer> {
    @Mixin
    RepositoryOptions repo;

    @Option(names = "--dry-run", description = "only say what would be freed")
    boolean dryRun;

    @Option(names = "--lock-wait", defaultValue = "60", paramLabel = "SECONDS",
            description = "how long to wait for running backups and WAL pushes to finish; default ${DEFAULT-VALUE}")
    int lockWait;

    @Override
    public Integer call() throws Exception {
        Pruner.Result result = new Pruner(repo.open(), Duration.ofSeconds(lockWait)).run(dryRun);
        if (repo.json) {
            Output.json(result);
        } else {
            System.out.printf("%s: %d of %d packs %s, %d repacked (%s copied), %d left by interrupted backups; %s %s%n",
                    dryRun ? "dry run" : "pruned", result.deletedPacks(), result.packs(),
                    dryRun ? "would be deleted" : "deleted", result.repackedPacks(), Output.bytes(result.copiedBytes()),
                    result.unindexedPacks(), Output.bytes(result.freedBytes()), dryRun ? "would be freed" : "freed");
            if (result.lockedObjects() > 0) {
                System.out.printf("%d packs no backup needs are kept by their object lock (until %s at the latest); a"
                        + " prune after that removes them%n", result.lockedObjects(), result.lockedUntil());
            }
        }
        return 0;
    }
}
