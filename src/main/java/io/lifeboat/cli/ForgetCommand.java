package io.lifeboat.cli;

import io.lifeboat.config.Retention;
import io.lifeboat.maintenance.KeepPolicy;
import io.lifeboat.repository.Repository;
import io.lifeboat.repository.Snapshot;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "forget", mixinStandardHelpOptions = true,
        description = "Remove snapshots, by id or by a keep policy (their data stays until prune). A policy applies "
                + "to each group of snapshots of one host and paths, among those --host, --path and --tag select. "
                + "Database backups have their own retention: db forget.")
final class ForgetCommand implements Callable<Integer> {
    @Mixin
    RepositoryOptions repo;

    @Mixin
    SnapshotFilterOptions filter;

    @Parameters(arity = "0..*", paramLabel = "ID",
            description = "snapshot ids (a unique prefix is enough), or latest (the newest the filters allow)")
    List<String> ids = new ArrayList<>();

    @Option(names = "--keep-last", paramLabel = "N", description = "keep the newest N snapshots of each group")
    Integer keepLast;

    @Option(names = "--keep-within", paramLabel = "DURATION",
            description = "keep the snapshots taken within this long (30d, 24h, 12w) of each group's newest")
    String keepWithin;

    @Option(names = "--dry-run", description = "only show what would be removed")
    boolean dryRun;

    @Override
    public Integer call() throws Exception {
        boolean policy = keepLast != null || keepWithin != null;
        if (policy == !ids.isEmpty()) {
            throw new IllegalArgumentException(policy ? "give snapshot ids or a keep policy, not both"
                    : "give snapshot ids, or a keep policy (--keep-last N, --keep-within DURATION)");
        }
        Repository r = repo.open();
        List<Snapshot> chosen = new ArrayList<>();
        if (policy) {
            KeepPolicy keep = new KeepPolicy(keepLast == null ? 0 : keepLast,
                    keepWithin == null ? null : Retention.parse(keepWithin));
            chosen.addAll(keep.expired(r.snapshots().stream().filter(filter.filter()::matches).toList()));
        } else {
            for (String id : ids) {
                chosen.add(r.snapshot(id, filter.filter())); // all resolved before any is removed: a typo removes nothing
            }
        }
        List<String> removed = new ArrayList<>();
        Map<String, Instant> locked = new LinkedHashMap<>();
        for (Snapshot s : chosen) {
            Instant lockedUntil = dryRun ? r.store().lockedUntil(List.of("snapshots/" + s.id())).get("snapshots/" + s.id())
                    : r.forget(s.id());
            if (lockedUntil == null) {
                removed.add(s.id());
            } else {
                locked.put(s.id(), lockedUntil);
            }
            if (!repo.json) {
                System.out.printf("%s snapshot %s of %s (%s)%n", lockedUntil != null ? "kept (object lock until "
                        + lockedUntil + ")" : dryRun ? "would remove" : "removed", s.shortId(), s.time(),
                        String.join(" ", s.paths()));
            }
        }
        if (repo.json) {
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("dryRun", dryRun);
            out.put("removed", removed);
            out.put("locked", locked);
            Output.json(out);
        } else if (chosen.isEmpty()) {
            System.out.println("nothing to remove");
        }
        return 0;
    }
}
