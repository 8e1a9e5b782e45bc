package io.lifeboat.source.mysql;

/** Database and table names handed to MariaDB: checked, then quoted, never pasted in raw. */
final class SqlNames {
    private SqlNames() {
    }

    /** Refuses what cannot be a name (empty, too long, control characters, an option's dash). */
    static String check(String name, String what) {
        if (name == null || name.isEmpty() || name.length() > 64 || name.chars().anyMatch(c -> c < 32)
                || name.startsWith("-")) {
            throw new IllegalArgumentException("'" + name + "' is not a " + what + " name");
        }
        return name;
    }

    /** An identifier in backquotes, a backquote inside doubled. */
    static String quote(String name) {
        return "`" + name.replace("`", "``") + "`";
    }

    /** A string literal. */
    static String literal(String text) {
        return "'" + text.replace("\\", "\\\\").replace("'", "''") + "'";
    }
}
