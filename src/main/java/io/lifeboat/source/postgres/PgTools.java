package io.lifeboat.source.postgres;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** Where PostgreSQL's client and server programs are: pg_config's bindir, else the newest installed. */
public final class PgTools {
    private PgTools() {
    }

    public static Path bin(String program) {
        Path dir = binDir();
        Path p = dir == null ? Path.of(program) : dir.resolve(program);
        return p;
    }

    private static Path binDir() {
        try {
            Process p = new ProcessBuilder("pg_config", "--bindir").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (p.waitFor() == 0 && Files.isDirectory(Path.of(out)) && Files.exists(Path.of(out, "pg_basebackup"))) {
                return Path.of(out);
            }
        } catch (IOException | InterruptedException e) {
            // no pg_config on the PATH: look in the Debian layout below
        }
        try (Stream<Path> versions = Files.list(Path.of("/usr/lib/postgresql"))) {
            return versions.map(v -> v.resolve("bin")).filter(b -> Files.exists(b.resolve("pg_basebackup")))
                    .max(Comparator.comparing(b -> Integer.parseInt(b.getParent().getFileName().toString().replaceAll("\\D", "0"))))
                    .orElse(null);
        } catch (IOException e) {
            return null;
        }
    }
}
