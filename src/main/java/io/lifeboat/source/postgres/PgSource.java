package io.lifeboat.source.postgres;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * How to reach one PostgreSQL server. The password never appears on a command line or in a log:
 * it is read from the named environment variable and handed to the tools as PGPASSWORD.
 */
public record PgSource(String name, String host, int port, String user, String passwordEnv) {

    /** Connection arguments for libpq tools; -w so a missing password fails instead of prompting. */
    List<String> connectionArgs() {
        return new ArrayList<>(List.of("-h", host, "-p", String.valueOf(port), "-U", user, "-w"));
    }

    void addPassword(Map<String, String> environment) {
        String password = password();
        if (password != null) {
            environment.put("PGPASSWORD", password);
        }
    }

    /** The password from its environment variable; null when none is configured. */
    String password() {
        if (passwordEnv == null) {
            return null;
        }
        String password = System.getenv(passwordEnv);
        if (password == null) {
            throw new IllegalArgumentException("environment variable " + passwordEnv + " (password of " + name
                    + ") is not set");
        }
        return password;
    }
}
