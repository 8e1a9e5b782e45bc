package io.lifeboat.cli;

import io.lifeboat.compress.Compression;
import io.lifeboat.repository.Repository;
import io.lifeboat.repository.Snapshot;
import io.lifeboat.source.postgres.PgBaseBackup;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "backup", mixinStandardHelpOptions = true,
        description = "Physical backup with pg_basebackup, streamed into the repository; --incremental leaves "
                + "the WAL to the archive and stores only changed data.")
final class DbBackupCommand extends DbCommand.OnServer implements Callable<Integer> {
    @Option(names = "--compression", paramLabel = "METHOD[:LEVEL]", description = "default: the repository's")
    String compression;
    @Option(names = "--incremental", description = "no WAL in the backup (needs WAL archiving to this repository)")
    boolean incremental;
    @Option(names = "--wal-wait", defaultValue = "60", paramLabel = "SECONDS",
            description = "how long an incremental waits for its WAL to reach the archive; default ${DEFAULT-VALUE}")
    int walWait;

    @Override
    public Integer call() throws Exception {
        Repository r = repo.open();
        Snapshot s = PgBaseBackup.run(r, server.source(source.name),
                Compression.parse(compression != null ? compression : r.config().compression()), incremental,
                java.time.Duration.ofSeconds(walWait));
        if (repo.json) {
            Output.json(s);
        } else {
            System.out.printf("%s backup of %s saved as snapshot %s: %s, %s newly stored%n",
                    incremental ? "incremental" : "full", source.name, s.shortId(), Output.bytes(s.summary().bytes()),
                    Output.bytes(s.summary().storedBytes()));
        }
        return 0;
    }
}
