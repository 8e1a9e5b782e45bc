package io.lifeboat.recovery;

import io.lifeboat.config.LifeboatConfig;
import io.lifeboat.source.mysql.LiveServer;
import io.lifeboat.source.mysql.MySqlSource;
import io.lifeboat.source.postgres.PgRecovery;
import io.lifeboat.source.postgres.PgRestore;
import io.lifeboat.source.postgres.PgTools;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A database's own server on its data directory, as a recovery in place stops and starts it:
 * PostgreSQL with pg_ctl (or its start hook), MariaDB by its pid file and its start hook, after
 * which it is waited for until it answers.
 */
final class LiveDatabase {
    private LiveDatabase() {
    }

    /** Whether the database's server runs on that data directory. */
    static boolean runsOn(LifeboatConfig.Database d, Path dataDirectory) throws IOException, InterruptedException {
        return d.mysql() ? LiveServer.serves(MySqlSource.of(d), dataDirectory)
                : PgRecovery.running(dataDirectory, PgTools.serverUser(d.runAs()));
    }

    /** Stops the server on that data directory, cleanly, and waits until it has ended. */
    static void stop(LifeboatConfig.Database d, Path dataDirectory, Duration timeout)
            throws IOException, InterruptedException {
        if (d.mysql()) {
            LiveServer.stop(MySqlSource.of(d), dataDirectory, timeout);
        } else {
            PgRecovery.stop(dataDirectory, PgTools.serverUser(d.runAs()));
        }
    }

    /** Starts the server on that data directory (its start hook, or pg_ctl) unless one runs there already. */
    static void start(LifeboatConfig.Database d, Path dataDirectory, Duration timeout)
            throws IOException, InterruptedException {
        if (runsOn(d, dataDirectory)) {
            return; // started before a stop cut the recovery short
        }
        if (d.start() != null) {
            Hooks.run(d.name(), d.start(), true, timeout);
        } else if (d.mysql()) {
            throw new IOException("databases[" + d.name() + "].start is not set: a MariaDB server is started by its"
                    + " start hook (systemd: mariadb, say)");
        } else {
            PgRestore.startServer(dataDirectory, PgTools.serverUser(d.runAs()));
        }
        if (d.mysql()) {
            LiveServer.awaitAnswer(MySqlSource.of(d), timeout);
        }
    }
}
