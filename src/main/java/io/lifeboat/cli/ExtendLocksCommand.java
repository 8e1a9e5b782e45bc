package io.lifeboat.cli;

import io.lifeboat.config.Retention;
import io.lifeboat.maintenance.LockKeeper;
import io.lifeboat.repository.Repository;
import io.lifeboat.repository.Snapshot;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "extend-locks", mixinStandardHelpOptions = true,
        description = "With S3 Object Lock (lock= on the location): extend the lock of every object a snapshot needs"
                + " to the snapshot's time plus --keep, so that nothing a kept backup needs can be deleted before"
                + " its retention ends. The service does this after each retention on its own.")
final class ExtendLocksCommand implements Callable<Integer> {
    @Mixin
    RepositoryOptions repo;

    @Option(names = "--keep", required = true, paramLabel = "DURATION",
            description = "how long each snapshot is kept from its time (its retention), e.g. 30d")
    String keep;

    @Override
    public Integer call() throws Exception {
        Duration kept = Retention.parse(keep);
        Repository r = repo.open();
        if (r.store().lockPeriod() == null) {
            throw new IllegalArgumentException(r.store().location() + " locks nothing: give lock=governance|compliance"
                    + " and lock-days=N in its location (docs/COPIES.md)");
        }
        List<Snapshot> snapshots = r.snapshots();
        LockKeeper.Result result = LockKeeper.extend(r, snapshots, s -> kept);
        if (repo.json) {
            Output.json(Map.of("objects", result.objects(), "extended", result.extended()));
        } else {
            System.out.printf("%d objects needed by %d snapshots; %d locks extended%n", result.objects(),
                    snapshots.size(), result.extended());
        }
        return 0;
    }
}
