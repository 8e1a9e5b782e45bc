package io.lifeboat.source;

/** A database password, read only from the environment variable a source names. */
public final class PasswordEnv {
    private PasswordEnv() {
    }

    /** The password from the variable; null when none is configured; an error naming it when it is unset. */
    public static String read(String variable, String source) {
        if (variable == null) {
            return null;
        }
        String password = System.getenv(variable);
        if (password == null) {
            throw new IllegalArgumentException("environment variable " + variable + " (password of " + source
                    + ") is not set");
        }
        return password;
    }
}
