package io.lifeboat.config;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.lifeboat.compress.Compression;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Reads and checks config/lifeboat.yaml, filling in the embedded defaults, so that the service
 * starts only on a configuration it can run: every problem is reported with the file, the entry
 * and the field, and all of them at once.
 */
public final class ConfigLoader {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private ConfigLoader() {
    }

    /** The configuration in dir/lifeboat.yaml, or the embedded defaults when there is none. */
    public static LifeboatConfig load(Path dir) {
        Path file = dir.resolve("lifeboat.yaml");
        LifeboatConfig raw;
        if (Files.exists(file)) {
            try {
                raw = YAML.readValue(file.toFile(), LifeboatConfig.class);
            } catch (UnrecognizedPropertyException e) {
                throw new ConfigException(file + ": unknown field '" + e.getPropertyName() + "' at "
                        + e.getPathReference().replace("io.lifeboat.config.", "") + "; known fields: "
                        + e.getKnownPropertyIds());
            } catch (IOException e) {
                throw new ConfigException(file + ": " + e.getMessage().lines().findFirst().orElse("cannot be read"));
            }
            if (raw == null) {
                raw = new LifeboatConfig(null, null, null, null, null, null);
            }
        } else {
            raw = embeddedDefaults();
        }
        return validate(file, withDefaults(raw));
    }

    /** No configuration at all: one hourly demo source, made here so there is something to back up. */
    private static LifeboatConfig embeddedDefaults() {
        Path demo = Path.of("var/demo-source");
        try {
            Files.createDirectories(demo);
            if (!Files.exists(demo.resolve("README.txt"))) {
                Files.writeString(demo.resolve("README.txt"), "Lifeboat demo source: put files here to see them backed up.\n");
            }
        } catch (IOException e) {
            throw new ConfigException("cannot create the demo source " + demo.toAbsolutePath() + ": " + e.getMessage());
        }
        return new LifeboatConfig(null, null, List.of(new LifeboatConfig.FileSource("demo", demo.toString(),
                "0 * * * *", "30d", true)), null, null, null);
    }

    private static LifeboatConfig withDefaults(LifeboatConfig c) {
        LifeboatConfig.Repository r = c.repository() == null
                ? new LifeboatConfig.Repository(null, null, null, null, true) : c.repository();
        r = new LifeboatConfig.Repository(or(r.path(), "var/repository"),
                r.passwordEnv() == null ? or(r.passwordFile(), "var/repository.password") : r.passwordFile(),
                r.passwordEnv(), or(r.compression(), "gzip:6"), r.create());
        LifeboatConfig.Catalog cat = c.catalog() == null ? new LifeboatConfig.Catalog(null, null, null) : c.catalog();
        cat = new LifeboatConfig.Catalog(or(cat.url(), "jdbc:h2:file:./var/catalog/lifeboat;AUTO_SERVER=TRUE"), cat.user(),
                cat.passwordEnv());
        LifeboatConfig.DropFolder drop = c.dropFolder() == null ? new LifeboatConfig.DropFolder(null, true, null)
                : c.dropFolder();
        drop = new LifeboatConfig.DropFolder(or(drop.inbox(), "var/inbox"), drop.enabled(),
                drop.settleSeconds() == null ? 5 : drop.settleSeconds());
        return new LifeboatConfig(r, cat, c.files() == null ? List.of() : c.files(),
                c.databases() == null ? List.of() : c.databases(), drop, c.storage());
    }

    private static LifeboatConfig validate(Path file, LifeboatConfig c) {
        List<String> problems = new ArrayList<>();
        try {
            Compression.parse(c.repository().compression());
        } catch (IllegalArgumentException e) {
            problems.add("repository.compression: " + e.getMessage());
        }
        if (c.repository().passwordEnv() != null && System.getenv(c.repository().passwordEnv()) == null) {
            problems.add("repository.passwordEnv: environment variable " + c.repository().passwordEnv() + " is not set");
        }
        Set<String> names = new HashSet<>();
        for (int i = 0; i < c.files().size(); i++) {
            LifeboatConfig.FileSource s = c.files().get(i);
            String where = "files[" + (s.name() == null ? i : s.name()) + "]";
            checkName(where, s.name(), names, problems);
            checkSchedule(where, new LifeboatConfig.Schedule(s.schedule(), s.retention()), problems);
            if (s.path() == null) {
                problems.add(where + ".path: missing");
            } else if (s.active() && !Files.exists(Path.of(s.path()))) {
                problems.add(where + ".path: " + s.path() + " does not exist (create it or set enabled: false)");
            }
        }
        Set<String> databaseNames = new HashSet<>();
        for (int i = 0; i < c.databases().size(); i++) {
            LifeboatConfig.Database d = c.databases().get(i);
            String where = "databases[" + (d.name() == null ? i : d.name()) + "]";
            checkName(where, d.name(), databaseNames, problems);
            if (!Set.of("postgresql", "mysql", "mariadb").contains(String.valueOf(d.type()))) {
                problems.add(where + ".type: must be postgresql, mysql or mariadb (got " + d.type() + ")");
            } else if (d.active() && !"postgresql".equals(d.type())) {
                problems.add(where + ".type: " + d.type() + " backups are not available yet; set enabled: false");
            }
            if (d.full() != null) {
                checkSchedule(where + ".full", d.full(), problems);
            }
            if (d.incremental() != null) {
                checkSchedule(where + ".incremental", d.incremental(), problems);
            }
            if (d.log() != null) {
                checkSchedule(where + ".log", d.log(), problems);
            }
            if (d.wal() != null && !Set.of("archive", "receive").contains(d.wal())) {
                problems.add(where + ".wal: must be archive (archive_command runs db wal-push) or receive (the "
                        + "service streams it), got " + d.wal());
            }
            if (d.dumps() != null && d.dumps().stream().anyMatch(n -> n == null || n.isBlank())) {
                problems.add(where + ".dumps: a list of database names, without empty entries");
            }
        }
        if (c.dropFolder().settleSeconds() < 0) {
            problems.add("dropFolder.settleSeconds: must be 0 or more (got " + c.dropFolder().settleSeconds() + ")");
        }
        if (c.catalog().passwordEnv() != null && System.getenv(c.catalog().passwordEnv()) == null) {
            problems.add("catalog.passwordEnv: environment variable " + c.catalog().passwordEnv() + " is not set");
        }
        if (c.storage() != null) {
            for (String kind : c.storage().keySet()) {
                if (!Set.of("s3", "glacier", "nfs", "tape").contains(kind)) {
                    problems.add("storage." + kind + ": unknown storage; known: s3, glacier, nfs, tape");
                }
            }
        }
        if (!problems.isEmpty()) {
            throw new ConfigException(file + ": " + String.join("; ", problems));
        }
        return c;
    }

    /** A source or database name: usable in route ids and object names, and unique in its list. */
    private static void checkName(String where, String name, Set<String> seen, List<String> problems) {
        if (name == null || !name.matches("[A-Za-z0-9][A-Za-z0-9_.-]*")) {
            problems.add(where + ".name: must be letters, digits, '.', '_' or '-' (got " + name + ")");
        } else if (!seen.add(name)) {
            problems.add(where + ".name: duplicate name '" + name + "'");
        }
    }

    private static void checkSchedule(String where, LifeboatConfig.Schedule s, List<String> problems) {
        try {
            UnixCron.toQuartz(s.schedule());
        } catch (IllegalArgumentException e) {
            problems.add(where + ".schedule: " + e.getMessage());
        }
        try {
            Retention.parse(s.retention());
        } catch (IllegalArgumentException e) {
            problems.add(where + ".retention: " + e.getMessage());
        }
    }

    private static String or(String value, String fallback) {
        return value == null || value.isBlank() ? fallback : value;
    }
}
