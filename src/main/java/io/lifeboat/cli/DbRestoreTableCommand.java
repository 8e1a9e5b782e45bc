package io.lifeboat.cli;

import io.lifeboat.repository.Repository;
import io.lifeboat.repository.Snapshot;
import io.lifeboat.source.DatabaseBackups;
import io.lifeboat.source.mysql.MariaDump;
import io.lifeboat.source.postgres.PgDump;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "restore-table", mixinStandardHelpOptions = true,
        description = "Restore tables or schemas from a logical dump into a database of your choice "
                + "(the tables must not exist there).")
final class DbRestoreTableCommand extends DbCommand.OnServer implements Callable<Integer> {
    @Option(names = "--database", required = true, paramLabel = "DB", description = "the database that was dumped")
    String database;
    @Option(names = "--snapshot", paramLabel = "ID", description = "which dump; default the newest")
    String snapshot;
    @Option(names = "--table", paramLabel = "NAME", description = "a table to restore (repeatable)")
    List<String> tables = new java.util.ArrayList<>();
    @Option(names = "--schema", paramLabel = "NAME", description = "a schema to restore (repeatable)")
    List<String> schemas = new java.util.ArrayList<>();
    @Option(names = "--into", required = true, paramLabel = "DB", description = "database to restore into")
    String into;

    @Override
    public Integer call() throws Exception {
        if (tables.isEmpty() && schemas.isEmpty()) {
            throw new IllegalArgumentException("name at least one --table or --schema to restore");
        }
        Repository r = repo.openForReading();
        if (server.mysql() && !schemas.isEmpty()) {
            throw new IllegalArgumentException("MySQL/MariaDB: name the tables to restore with --table (a schema is a "
                    + "database there: restore it with db restore)");
        }
        Snapshot dump = DatabaseBackups.dumpOf(r, source.name, database, snapshot);
        if (server.mysql()) {
            MariaDump.restoreTables(r, dump, server.mysqlSource(source.name), database, into, tables);
        } else {
            PgDump.restore(r, dump, server.source(source.name), into, tables, schemas);
        }
        if (repo.json) {
            Output.json(Map.of("dump", dump.id(), "into", into, "tables", tables, "schemas", schemas));
        } else {
            System.out.printf("restored %s from dump %s of %s/%s (%s) into %s%n",
                    String.join(", ", java.util.stream.Stream.concat(schemas.stream().map(n -> "schema " + n),
                            tables.stream().map(n -> "table " + n)).toList()),
                    dump.shortId(), source.name, database, dump.time(), into);
        }
        return 0;
    }
}
