package io.lifeboat.cli;

import io.lifeboat.repository.LogArchive;
import io.lifeboat.repository.Repository;
import io.lifeboat.source.DatabaseBackups;
import io.lifeboat.source.DatabaseRetention;
import io.lifeboat.source.mysql.Binlogs;
import io.lifeboat.source.mysql.MySqlSource;
import io.lifeboat.source.postgres.PgSource;
import io.lifeboat.source.postgres.WalChain;
import java.io.IOException;
import java.util.Set;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "db", mixinStandardHelpOptions = true,
        description = "PostgreSQL and MySQL/MariaDB backups: physical and logical, full and incremental, continuous "
                + "WAL or binlogs, point-in-time and table-level restore.",
        subcommands = {DbBackupCommand.class, DbDumpCommand.class, DbListCommand.class, DbRestoreCommand.class,
                DbRestoreTableCommand.class, DbWalCommands.WalPush.class, DbWalCommands.WalFetch.class,
                DbWalCommands.WalReceive.class, DbWalCommands.WalPrefetch.class, DbCheckCommand.class, DbForgetCommand.class})
final class DbCommand {
    /** How to reach the database server; the password only through an environment variable. */
    static final class Server {
        @Option(names = "--type", defaultValue = "postgresql", paramLabel = "TYPE",
                description = "postgresql, mysql or mariadb; default ${DEFAULT-VALUE}")
        String type;
        @Option(names = "--host", defaultValue = "127.0.0.1", description = "default ${DEFAULT-VALUE}")
        String host;
        @Option(names = "--port", description = "default 5432 (PostgreSQL), 3306 (MySQL/MariaDB)")
        Integer port;
        @Option(names = "--user", description = "PostgreSQL: base backups need REPLICATION, dumps read access; default "
                + "postgres. MySQL/MariaDB: see docs/MARIADB.md for the grants; default root")
        String user;
        @Option(names = "--password-env", paramLabel = "VAR", description = "environment variable holding the password")
        String passwordEnv;

        boolean mysql() {
            if (!Set.of("postgresql", "mysql", "mariadb").contains(type)) {
                throw new IllegalArgumentException("--type must be postgresql, mysql or mariadb (got " + type + ")");
            }
            return !"postgresql".equals(type);
        }

        PgSource source(String name) {
            if (mysql()) {
                throw new IllegalArgumentException("this command is for PostgreSQL only");
            }
            return new PgSource(name, host, port == null ? 5432 : port, user == null ? "postgres" : user, passwordEnv);
        }

        MySqlSource mysqlSource(String name) {
            return new MySqlSource(name, host, port == null ? 3306 : port, user == null ? "root" : user, passwordEnv);
        }
    }

    /** Whether the repository's backups (or, before the first, the logs) of that source are MySQL/MariaDB ones. */
    static boolean holdsMysql(Repository repository, String source) throws IOException {
        return repository.snapshots().stream().anyMatch(s -> DatabaseBackups.kind(s, source) != null
                && s.tags().stream().anyMatch(t -> t.startsWith("mysql-")))
                || new LogArchive(repository, source).list().stream().anyMatch(n -> Binlogs.isFile(
                        n.replace(LogArchive.PARTIAL, "")));
    }

    /** How the logs of the source's backups are named, for retention. */
    static DatabaseRetention.Logs logsOf(Repository repository, String source) throws IOException {
        return holdsMysql(repository, source) ? Binlogs.LOGS : WalChain.LOGS;
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
