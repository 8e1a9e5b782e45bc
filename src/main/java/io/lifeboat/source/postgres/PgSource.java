package io.lifeboat.source.postgres;

import io.lifeboat.source.PasswordEnv;
import io.lifeboat.source.Tool;
import java.util.ArrayList;
import java.util.List;

/**
 * How to reach one PostgreSQL server. The password never appears on a command line or in a log:
 * it is read from the named environment variable and handed to the tools as PGPASSWORD.
 */
public record PgSource(String name, String host, int port, String user, String passwordEnv) {

    /**
     * A libpq tool (pg_basebackup, pg_dump, psql, ...) with these arguments, aimed at this server:
     * -w so a missing password fails instead of prompting, the password as PGPASSWORD.
     */
    ProcessBuilder tool(String program, List<String> args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(PgTools.bin(program).toString());
        cmd.addAll(args);
        cmd.addAll(List.of("-h", host, "-p", String.valueOf(port), "-U", user, "-w"));
        ProcessBuilder pb = Tool.of(cmd);
        String password = password();
        if (password != null) {
            pb.environment().put("PGPASSWORD", password);
        }
        return pb;
    }

    /** The password from its environment variable; null when none is configured. */
    String password() {
        return PasswordEnv.read(passwordEnv, name);
    }
}
