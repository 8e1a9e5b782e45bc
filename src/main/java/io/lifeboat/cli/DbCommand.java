package io.lifeboat.cli;

import io.lifeboat.source.postgres.PgSource;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "db", mixinStandardHelpOptions = true,
        description = "PostgreSQL backups: base backups, logical dumps, continuous WAL archiving, point-in-time and "
                + "table-level restore.",
        subcommands = {DbBackupCommand.class, DbDumpCommand.class, DbListCommand.class, DbRestoreCommand.class,
                DbRestoreTableCommand.class, DbWalCommands.WalPush.class, DbWalCommands.WalFetch.class,
                DbWalCommands.WalReceive.class, DbWalCommands.WalPrefetch.class, DbCheckCommand.class, DbForgetCommand.class})
final class DbCommand {
    /** How to reach the PostgreSQL server; the password only through an environment variable. */
    static final class Server {
        @Option(names = "--host", defaultValue = "127.0.0.1", description = "default ${DEFAULT-VALUE}")
        String host;
        @Option(names = "--port", defaultValue = "5432", description = "default ${DEFAULT-VALUE}")
        int port;
        @Option(names = "--user", defaultValue = "postgres",
                description = "base backups need REPLICATION, dumps read access; default ${DEFAULT-VALUE}")
        String user;
        @Option(names = "--password-env", paramLabel = "VAR", description = "environment variable holding the password")
        String passwordEnv;

        PgSource source(String name) {
            return new PgSource(name, host, port, user, passwordEnv);
        }
    }

    /** What commands that talk to the server share: the repository, the source, and how to reach it. */
    abstract static class OnServer {
        @Mixin
        RepositoryOptions repo;
        @Mixin
        SourceName source;
        @Mixin
        Server server;
    }

    /** Which database source. */
    static final class SourceName {
        @Option(names = "--source", required = true, paramLabel = "NAME", description = "database source, e.g. beCamera")
        String name;
    }
}
