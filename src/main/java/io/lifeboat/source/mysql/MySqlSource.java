package io.lifeboat.source.mysql;

import io.lifeboat.config.LifeboatConfig;
import io.lifeboat.source.PasswordEnv;
import io.lifeboat.source.Tool;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * How to reach one MySQL or MariaDB server. The password never appears on a command line or in a
 * log: it is read from the named environment variable and handed to the tools as MYSQL_PWD, which
 * every client program of both reads (and `ps` does not show). Each tool starts with --no-defaults,
 * so the host's option files cannot point it at another server.
 */
public record MySqlSource(String name, String host, int port, String user, String passwordEnv) {
    private static final Duration QUERY_TIMEOUT = Duration.ofMinutes(2);

    /** The server a database entry of lifeboat.yaml names (127.0.0.1:3306 as root unless it says otherwise). */
    public static MySqlSource of(LifeboatConfig.Database d) {
        return new MySqlSource(d.name(), d.host() == null ? "127.0.0.1" : d.host(), d.port() == null ? 3306 : d.port(),
                d.user() == null ? "root" : d.user(), d.passwordEnv());
    }

    /** A client program (mariadb, mariadb-dump, mariadb-backup, ...) with these arguments, aimed at this server. */
    public ProcessBuilder tool(String program, List<String> args) {
        List<String> cmd = new ArrayList<>(List.of(program(program), "--no-defaults"));
        cmd.addAll(List.of("--host=" + host, "--port=" + port, "--user=" + user));
        cmd.addAll(args);
        ProcessBuilder pb = Tool.of(cmd);
        String password = PasswordEnv.read(passwordEnv, name);
        pb.environment().remove("MYSQL_PWD");
        if (password != null) {
            pb.environment().put("MYSQL_PWD", password);
        }
        return pb;
    }

    /** Rows of a query, each a list of its columns (tab-separated by the client, NULL as "NULL"). */
    public List<List<String>> query(String sql) throws IOException, InterruptedException {
        Tool.Result r = Tool.run("mariadb", tool("mariadb", List.of("--batch", "--skip-column-names", "--raw",
                "--execute=" + sql)), QUERY_TIMEOUT);
        if (!r.ok()) {
            throw new IOException("cannot query " + name + " at " + host + ":" + port + ": " + r.err());
        }
        return r.out().lines().filter(l -> !l.isEmpty()).map(l -> Arrays.asList(l.split("\t", -1))).toList();
    }

    /** The first column of the first row, or null when there is none. */
    public String single(String sql) throws IOException, InterruptedException {
        List<List<String>> rows = query(sql);
        return rows.isEmpty() ? null : rows.get(0).get(0);
    }

    /**
     * MariaDB's name of a client program, else MySQL's (mysqldump, mysqlbinlog, mysql) when only
     * those are installed; mariadb-backup has no MySQL twin of that name.
     */
    static String program(String mariadbName) {
        if (onPath(mariadbName)) {
            return mariadbName;
        }
        String mysql = switch (mariadbName) {
            case "mariadb" -> "mysql";
            case "mariadb-dump" -> "mysqldump";
            case "mariadb-binlog" -> "mysqlbinlog";
            case "mariadb-check" -> "mysqlcheck";
            default -> mariadbName;
        };
        return onPath(mysql) ? mysql : mariadbName;
    }

    private static boolean onPath(String program) {
        String path = System.getenv("PATH");
        if (path == null) {
            return false;
        }
        for (String dir : path.split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, program))) {
                return true;
            }
        }
        return false;
    }
}
