package io.lifeboat.cli;

import java.io.Console;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;

/** Where passphrases come from: a file, an environment variable, or the terminal, in that order. */
final class Passphrases {
    private Passphrases() {
    }

    static byte[] read(Path file, String variable, String what, boolean confirm) throws IOException {
        if (file != null) {
            String text;
            try {
                text = Files.readString(file, StandardCharsets.UTF_8);
            } catch (NoSuchFileException e) {
                throw new IllegalArgumentException("password file " + file + " does not exist");
            }
            int newline = text.indexOf('\n');
            String first = newline < 0 ? text : text.substring(0, newline);
            return nonEmpty(first.endsWith("\r") ? first.substring(0, first.length() - 1) : first, file.toString());
        }
        String env = System.getenv(variable);
        if (env != null) {
            return nonEmpty(env, "$" + variable);
        }
        Console console = System.console();
        if (console == null) {
            throw new IllegalArgumentException("no " + what + ": set " + variable + " or give a password file");
        }
        char[] typed = console.readPassword("Enter %s: ", what);
        if (confirm) {
            char[] again = console.readPassword("Enter %s again: ", what);
            if (!Arrays.equals(typed, again)) {
                throw new IllegalArgumentException("the two passphrases differ");
            }
        }
        return nonEmpty(new String(typed), "the terminal");
    }

    private static byte[] nonEmpty(String passphrase, String source) {
        if (passphrase.isEmpty()) {
            throw new IllegalArgumentException("the passphrase from " + source + " is empty");
        }
        return passphrase.getBytes(StandardCharsets.UTF_8);
    }
}
