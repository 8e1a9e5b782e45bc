package io.lifeboat.cli;

import io.lifeboat.compress.Compression;
import io.lifeboat.repository.Repository;
import io.lifeboat.repository.Snapshot;
import io.lifeboat.source.mysql.MariaDump;
import io.lifeboat.source.postgres.PgDump;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "dump", mixinStandardHelpOptions = true,
        description = "Logical backup of one database with pg_dump (custom format) or mariadb-dump (--type "
                + "mariadb), streamed into the repository; restore single tables from it with restore-table.")
final class DbDumpCommand extends DbCommand.OnServer implements Callable<Integer> {
    @Option(names = "--database", required = true, paramLabel = "DB", description = "the database to dump")
    String database;

    @Override
    public Integer call() throws Exception {
        Repository r = repo.open();
        Compression.Setting method = Compression.parse(r.config().compression());
        Snapshot s = server.mysql() ? MariaDump.one(r, server.mysqlSource(source.name), database, method)
                : PgDump.run(r, server.source(source.name), database, method);
        if (repo.json) {
            Output.json(s);
        } else {
            System.out.printf("dump of %s/%s saved as snapshot %s: %s, %s newly stored%n", source.name, database,
                    s.shortId(), Output.bytes(s.summary().bytes()), Output.bytes(s.summary().storedBytes()));
        }
        return 0;
    }
}
