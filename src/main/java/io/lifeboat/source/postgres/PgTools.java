package io.lifeboat.source.postgres;

import io.lifeboat.source.Tool;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/** Where PostgreSQL's client and server programs are: pg_config's bindir, else the newest installed. */
public final class PgTools {
    /**
     * How long what reads every table of a cluster (pg_amcheck, a fingerprint) or a whole recovery
     * may take: big clusters take hours; this only ends a tool that hangs.
     */
    public static final Duration SCAN_TIMEOUT = Duration.ofHours(4);

    /**
     * The system user a restored server runs as: the one configured, else postgres when Lifeboat
     * runs as root (PostgreSQL refuses root), else Lifeboat's own (null).
     */
    public static String serverUser(String configured) {
        return configured != null ? configured : "root".equals(System.getProperty("user.name")) ? "postgres" : null;
    }

    private PgTools() {
    }

    public static Path bin(String program) {
        Path dir = Installation.BIN;
        return dir == null ? Path.of(program) : dir.resolve(program);
    }

    /** Looked up once, on first use. */
    private static final class Installation {
        static final Path BIN = binDir();
    }

    private static Path binDir() {
        try {
            Tool.Result config = Tool.run("pg_config", Tool.of(List.of("pg_config", "--bindir")), Duration.ofSeconds(30));
            String out = config.out().strip();
            if (config.ok() && Files.isDirectory(Path.of(out)) && Files.exists(Path.of(out, "pg_basebackup"))) {
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
