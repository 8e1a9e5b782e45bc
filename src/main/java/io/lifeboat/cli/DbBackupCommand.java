package io.lifeboat.cli;

import io.lifeboat.compress.Compression;
import io.lifeboat.repository.Repository;
import io.lifeboat.repository.Snapshot;
import io.lifeboat.source.mysql.MariaBackup;
import io.lifeboat.source.mysql.MariaDump;
import io.lifeboat.source.postgres.PgBaseBackup;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "backup", mixinStandardHelpOptions = true,
        description = "Physical backup streamed into the repository: pg_basebackup (--incremental leaves the WAL to "
                + "the archive and stores only changed data), or mariadb-backup with --type mariadb (--incremental: "
                + "the pages changed since the previous one; --logical: mariadb-dump of every database instead).")
final class DbBackupCommand extends DbCommand.OnServer implements Callable<Integer> {
    @Option(names = "--compression", paramLabel = "METHOD[:LEVEL]", description = "default: the repository's")
    String compression;
    @Option(names = "--incremental", description = "no WAL in the backup (needs WAL archiving to this repository)")
    boolean incremental;
    @Option(names = "--logical", description = "MySQL/MariaDB: a logical full backup with mariadb-dump (for a "
            + "server on another host)")
    boolean logical;
    @Option(names = "--wal-wait", defaultValue = "60", paramLabel = "SECONDS",
            description = "how long an incremental waits for its WAL to reach the archive; default ${DEFAULT-VALUE}")
    int walWait;

    @Override
    public Integer call() throws Exception {
        Repository r = repo.open();
        Compression.Setting method = Compression.parse(compression != null ? compression : r.config().compression());
        if (logical && (!server.mysql() || incremental)) {
            throw new IllegalArgumentException("--logical is a full backup of a MySQL/MariaDB server (--type mariadb)");
        }
        Snapshot s = !server.mysql() ? PgBaseBackup.run(r, server.source(source.name), method, incremental,
                java.time.Duration.ofSeconds(walWait))
                : logical ? MariaDump.all(r, server.mysqlSource(source.name), method)
                : MariaBackup.run(r, server.mysqlSource(source.name), method, incremental);
        if (repo.json) {
            Output.json(s);
        } else {
            System.out.printf("%s backup of %s saved as snapshot %s: %s, %s newly stored%n",
                    incremental ? "incremental" : logical ? "logical full" : "full", source.name, s.shortId(), Output.bytes(s.summary().bytes()),
                    Output.bytes(s.summary().storedBytes()));
        }
        return 0;
    }
}
