package io.lifeboat.cli;

import io.lifeboat.config.Retention;
import io.lifeboat.repository.Repository;
import io.lifeboat.source.DatabaseRetention;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "forget", mixinStandardHelpOptions = true,
        description = "Apply retention: remove backups older than their retention (never the newest full) and the "
                + "WAL or binlogs no kept backup needs. --dry-run shows what would go.")
final class DbForgetCommand implements Callable<Integer> {
    @Mixin
    RepositoryOptions repo;
    @Mixin
    DbCommand.SourceName source;
    @Option(names = "--keep-full", defaultValue = "30d", paramLabel = "AGE", description = "default ${DEFAULT-VALUE}")
    String full;
    @Option(names = "--keep-incremental", defaultValue = "7d", paramLabel = "AGE",
            description = "default ${DEFAULT-VALUE}")
    String incremental;
    @Option(names = "--keep-wal", defaultValue = "24h", paramLabel = "AGE",
            description = "WAL or binlogs no kept backup needs stay this long; default ${DEFAULT-VALUE}")
    String wal;
    @Option(names = "--dry-run", description = "only show what would be removed")
    boolean dryRun;
    @Option(names = "--as-of", paramLabel = "TIME",
            description = "judge ages as of this time instead of now (e.g. with --dry-run: what goes next week)")
    java.time.Instant asOf;

    @Override
    public Integer call() throws Exception {
        Repository r = repo.open();
        DatabaseRetention.Plan plan = DatabaseRetention.plan(r, source.name, DbCommand.logsOf(r, source.name), Retention.parse(full),
                Retention.parse(incremental), Retention.parse(wal), asOf != null ? asOf : java.time.Instant.now());
        if (!dryRun) {
            DatabaseRetention.apply(r, source.name, plan);
        }
        if (repo.json) {
            Output.json(Map.of("dryRun", dryRun, "backups", plan.backups(), "removeWal", plan.removeWal()));
            return 0;
        }
        for (DatabaseRetention.Decision d : plan.backups()) {
            System.out.printf("%-6s %-11s %s  %s  %s%n", d.keep() ? "keep" : dryRun ? "would remove" : "remove",
                    d.kind(), d.id().substring(0, 8), d.time(), d.reason());
        }
        System.out.printf("%s %d log files%s%n", dryRun ? "would remove" : "removed", plan.removeWal().size(),
                plan.keepWalFrom() == null ? "" : "; logs from " + plan.keepWalFrom() + " on are kept");
        return 0;
    }
}
