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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads and checks config/lifeboat.yaml, filling in the embedded defaults, so that the service
 * starts only on a configuration it can run: every problem is reported with the file, the entry
 * and the field, and all of them at once.
 */
public final class ConfigLoader {
    private static final Logger LOG = LoggerFactory.getLogger(ConfigLoader.class);
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
                raw = new LifeboatConfig(null, null, null, null, null, null, null, null, null);
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
                "0 * * * *", "30d", true)), null, null, null, null, null, null);
    }

    private static LifeboatConfig withDefaults(LifeboatConfig c) {
        LifeboatConfig.Repository r = c.repository() == null
                ? new LifeboatConfig.Repository(null, null, null, null, true, null) : c.repository();
        r = new LifeboatConfig.Repository(or(r.path(), "var/repository"),
                r.passwordEnv() == null ? or(r.passwordFile(), "var/repository.password") : r.passwordFile(),
                r.passwordEnv(), or(r.compression(), "gzip:6"), r.create(), or(r.whenUnreachable(), "fail"));
        LifeboatConfig.Catalog cat = c.catalog() == null ? new LifeboatConfig.Catalog(null, null, null) : c.catalog();
        cat = new LifeboatConfig.Catalog(or(cat.url(), "jdbc:h2:file:./var/catalog/lifeboat;AUTO_SERVER=TRUE"), cat.user(),
                cat.passwordEnv());
        LifeboatConfig.DropFolder drop = c.dropFolder() == null ? new LifeboatConfig.DropFolder(null, true, null)
                : c.dropFolder();
        drop = new LifeboatConfig.DropFolder(or(drop.inbox(), "var/inbox"), drop.enabled(),
                drop.settleSeconds() == null ? 5 : drop.settleSeconds());
        return new LifeboatConfig(r, cat, c.files() == null ? List.of() : c.files(),
                c.databases() == null ? List.of() : c.databases(), configDefaults(c.configs()),
                c.configKey() == null || c.configKey().file() == null && c.configKey().env() == null
                        ? new LifeboatConfig.ConfigKey("var/config.key", null,
                        c.configKey() == null ? null : c.configKey().create()) : c.configKey(),
                drop, c.targets() == null ? List.of() : c.targets(), recoveryDefaults(c.recovery()));
    }

    /** Configuration sources: daily at 06:00 (R3), kept 90 days, without paths, processes or commands unless given. */
    private static List<LifeboatConfig.ConfigSource> configDefaults(List<LifeboatConfig.ConfigSource> configs) {
        if (configs == null) {
            return List.of();
        }
        return configs.stream().map(s -> s == null ? null : new LifeboatConfig.ConfigSource(s.name(), s.kind(),
                s.paths() == null ? List.of() : s.paths(), s.processes() == null ? List.of() : s.processes(),
                s.kubectl(), s.commands() == null ? List.of() : s.commands(), or(s.schedule(), "0 6 * * *"),
                or(s.retention(), "90d"), s.enabled())).toList();
    }

    /** Recovery: no services to stop, no roots, two minutes for health, ten for a hook, a weekly drill of everything. */
    private static LifeboatConfig.Recovery recoveryDefaults(LifeboatConfig.Recovery r) {
        if (r == null) {
            r = new LifeboatConfig.Recovery(null, null, null, null, null, null, null, null);
        }
        LifeboatConfig.Drills d = r.drills() == null ? new LifeboatConfig.Drills(null, null, null, null, null, null, null, null)
                : r.drills();
        d = new LifeboatConfig.Drills(or(d.schedule(), "0 8 * * 0"), or(d.scope(), "full"), d.component(),
                or(d.rtoTarget(), "4h"), or(d.rpoTarget(), "1h"), or(d.sandbox(), "var/drills"), d.enabled(), d.from());
        return new LifeboatConfig.Recovery(r.services() == null ? List.of() : r.services(),
                r.roots() == null ? List.of() : r.roots(), or(r.healthTimeout(), "2m"), or(r.hookTimeout(), "10m"),
                r.performance() == null ? List.of() : r.performance(), d, or(r.thawPoll(), "5m"),
                r.verify() == null ? new LifeboatConfig.Verify("0 9 * * 0", 4, null) : new LifeboatConfig.Verify(
                        or(r.verify().schedule(), "0 9 * * 0"), r.verify().subsets() == null ? 4 : r.verify().subsets(),
                        r.verify().enabled()));
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
                // not a mistake to refuse: after a disaster the service must start to bring the path back
                LOG.warn("{}: {}.path: {} does not exist; its backups fail until it does (recover it, or set enabled:"
                        + " false)", file, where, s.path());
            }
        }
        checkConfigs(file, c, names, problems);
        Set<String> databaseNames = new HashSet<>();
        for (int i = 0; i < c.databases().size(); i++) {
            LifeboatConfig.Database d = c.databases().get(i);
            String where = "databases[" + (d.name() == null ? i : d.name()) + "]";
            checkName(where, d.name(), databaseNames, problems);
            if (!Set.of("postgresql", "mysql", "mariadb").contains(String.valueOf(d.type()))) {
                problems.add(where + ".type: must be postgresql, mysql or mariadb (got " + d.type() + ")");
            }
            if (d.method() != null && (!d.mysql() || !LifeboatConfig.Database.METHODS.contains(d.method()))) {
                problems.add(where + ".method: " + (d.mysql() ? "must be physical (mariadb-backup, beside the server) "
                        + "or logical (mariadb-dump), got " + d.method() : "only for type mysql or mariadb"));
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
            if (d.wal() != null && d.mysql()) {
                problems.add(where + ".wal: PostgreSQL only; the binlogs of a " + d.type() + " database are always "
                        + "streamed by the service");
            } else if (d.wal() != null && !Set.of("archive", "receive").contains(d.wal())) {
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
        checkTargets(c, problems);
        checkRecovery(c, problems);
        if (!problems.isEmpty()) {
            throw new ConfigException(file + ": " + String.join("; ", problems));
        }
        return c;
    }

    /** Each target has a name of its own and a location Lifeboat can open, other than the repository's. */
    private static void checkTargets(LifeboatConfig c, List<String> problems) {
        if (!LifeboatConfig.Repository.WHEN_UNREACHABLE.contains(c.repository().whenUnreachable())) {
            problems.add("repository.whenUnreachable: must be fail or next-target (got "
                    + c.repository().whenUnreachable() + ")");
        }
        Set<String> names = new HashSet<>();
        for (int i = 0; i < c.targets().size(); i++) {
            LifeboatConfig.Target t = c.targets().get(i);
            if (t == null) {
                problems.add("targets[" + i + "]: empty entry");
                continue;
            }
            String where = "targets[" + (t.name() == null ? i : t.name()) + "]";
            checkName(where, t.name(), names, problems);
            if ("primary".equals(t.name())) {
                problems.add(where + ".name: 'primary' is the repository itself; choose another name");
            }
            if (t.path() == null || t.path().isBlank()) {
                problems.add(where + ".path: missing (a directory, an NFS mount or s3://bucket/prefix?region=...)");
            } else if (t.path().matches("^[a-zA-Z][a-zA-Z0-9+.-]*://.*") && !t.path().startsWith("s3://")) {
                problems.add(where + ".path: unsupported location " + t.path() + "; use a directory or s3://BUCKET/PREFIX");
            } else if (t.path().equals(c.repository().path())) {
                problems.add(where + ".path: the repository itself; a copy must be somewhere else");
            }
            if (t.quota() != null) {
                try {
                    ByteSizes.parse(t.quota());
                } catch (IllegalArgumentException e) {
                    problems.add(where + ".quota: " + e.getMessage());
                }
            }
            if (t.minFree() != null && (t.minFree() < 0 || t.minFree() > 100)) {
                problems.add(where + ".minFree: a percentage of the disk, 0 to 100 (got " + t.minFree() + ")");
            }
            for (String source : t.sources() == null ? List.<String>of() : t.sources()) {
                if (c.files().stream().noneMatch(f -> f != null && source.equals(f.name()))
                        && c.databases().stream().noneMatch(d -> d != null && source.equals(d.name()))
                        && c.configs().stream().noneMatch(s -> s != null && source.equals(s.name()))) {
                    problems.add(where + ".sources: " + source + " is no file, database or configuration source");
                }
            }
        }
    }

    /**
     * Configuration sources share their names with file sources (both are snapshots tagged
     * source:NAME in the repository).
     */
    private static void checkConfigs(Path file, LifeboatConfig c, Set<String> names, List<String> problems) {
        for (int i = 0; i < c.configs().size(); i++) {
            LifeboatConfig.ConfigSource s = c.configs().get(i);
            if (s == null) {
                problems.add("configs[" + i + "]: empty entry");
                continue;
            }
            String where = "configs[" + (s.name() == null ? i : s.name()) + "]";
            checkName(where, s.name(), names, problems);
            checkSchedule(where, new LifeboatConfig.Schedule(s.schedule(), s.retention()), problems);
            if (!LifeboatConfig.ConfigSource.KINDS.contains(String.valueOf(s.kind()))) {
                problems.add(where + ".kind: must be one of " + LifeboatConfig.ConfigSource.KINDS + " (got " + s.kind()
                        + ")");
            }
            if (s.paths().isEmpty() && s.processes().isEmpty() && s.kubectl() == null && s.commands().isEmpty()) {
                problems.add(where + ": nothing to back up; give paths, processes, kubectl or commands");
            }
            for (int p = 0; p < s.paths().size(); p++) {
                String path = s.paths().get(p);
                if (path == null || path.isBlank()) {
                    problems.add(where + ".paths[" + p + "]: empty");
                } else if (s.active() && !Files.exists(Path.of(path))) {
                    LOG.warn("{}: {}.paths: {} does not exist; its backups are partial until it does", file, where, path);
                }
            }
            if (!s.processes().isEmpty() && !"system".equals(s.kind())) {
                problems.add(where + ".processes: only a source of kind system reads process environments");
            }
            if (s.processes().stream().anyMatch(n -> n == null || n.isBlank() || n.contains("/"))) {
                problems.add(where + ".processes: process names, as ps shows them, without '/'");
            }
            if (s.kubectl() != null && !"infrastructure".equals(s.kind())) {
                problems.add(where + ".kubectl: only a source of kind infrastructure reads Kubernetes objects");
            }
            if (s.kubectl() != null && s.kubectl().context() != null && s.kubectl().context().isBlank()) {
                problems.add(where + ".kubectl.context: empty; leave it out for kubectl's current context");
            }
            if (s.kubectl() != null && s.kubectl().kinds() != null
                    && s.kubectl().kinds().stream().anyMatch(k -> k == null || !k.matches("[A-Za-z0-9.\\-]+"))) {
                problems.add(where + ".kubectl.kinds: resource kinds as kubectl names them (deployments, configmaps)");
            }
            if (s.kubectl() != null && s.kubectl().namespaces() != null
                    && s.kubectl().namespaces().stream().anyMatch(n -> n == null || !n.matches("[a-z0-9][a-z0-9.\\-]*"))) {
                problems.add(where + ".kubectl.namespaces: Kubernetes namespace names");
            }
            Set<String> commands = new HashSet<>();
            for (int k = 0; k < s.commands().size(); k++) {
                LifeboatConfig.ConfigSource.Command command = s.commands().get(k);
                String at = where + ".commands[" + (command == null || command.name() == null ? k : command.name()) + "]";
                if (command == null || command.run() == null || command.run().isBlank()) {
                    problems.add(at + ".run: missing; the command whose output is kept, as \"nft list ruleset\"");
                } else {
                    checkName(at, command.name(), commands, problems);
                }
            }
        }
        LifeboatConfig.ConfigKey key = c.configKey();
        if (key.env() != null && key.file() != null) {
            problems.add("configKey: give file or env, not both");
        } else if (key.env() != null && !c.configs().isEmpty() && System.getenv(key.env()) == null) {
            problems.add("configKey.env: environment variable " + key.env() + " is not set");
        }
    }

    private static void checkRecovery(LifeboatConfig c, List<String> problems) {
        LifeboatConfig.Recovery r = c.recovery();
        checkDuration("recovery.healthTimeout", r.healthTimeout(), problems);
        checkDuration("recovery.hookTimeout", r.hookTimeout(), problems);
        for (int i = 0; i < r.roots().size(); i++) {
            String root = r.roots().get(i);
            if (root == null || !Path.of(root).isAbsolute()) {
                problems.add("recovery.roots[" + i + "]: must be an absolute directory (got " + root + ")");
            }
        }
        Set<String> names = new HashSet<>();
        for (int i = 0; i < r.services().size(); i++) {
            LifeboatConfig.Service s = r.services().get(i);
            String where = "recovery.services[" + (s.name() == null ? i : s.name()) + "]";
            checkName(where, s.name(), names, problems);
            checkHook(where + ".stop", s.stop(), problems);
            checkHook(where + ".start", s.start(), problems);
            if (s.health() != null && !s.health().matches("https?://\\S+")) {
                problems.add(where + ".health: must be an http:// or https:// address (got " + s.health() + ")");
            }
        }
        Set<String> databases = new HashSet<>();
        for (LifeboatConfig.Database d : c.databases()) {
            databases.add(d.name());
            String where = "databases[" + d.name() + "]";
            if (d.dataDirectory() != null && !Path.of(d.dataDirectory()).isAbsolute()) {
                problems.add(where + ".dataDirectory: must be an absolute path (got " + d.dataDirectory() + ")");
            }
            if (d.start() != null) {
                checkHook(where + ".start", d.start(), problems);
            }
        }
        Set<String> checks = new HashSet<>();
        for (int i = 0; i < r.performance().size(); i++) {
            LifeboatConfig.PerformanceCheck p = r.performance().get(i);
            String where = "recovery.performance[" + (p.name() == null ? i : p.name()) + "]";
            checkName(where, p.name(), checks, problems);
            if (!databases.contains(p.database())) {
                problems.add(where + ".database: must name a database of this file (got " + p.database() + ")");
            }
            if (p.dbname() == null || p.dbname().isBlank() || p.query() == null || p.query().isBlank()) {
                problems.add(where + ": needs dbname and query");
            }
            if (p.factor() != null && !(p.factor() >= 1)) {
                problems.add(where + ".factor: must be 1 or more (got " + p.factor() + ")");
            }
        }
        checkDuration("recovery.thawPoll", r.thawPoll(), problems);
        try {
            UnixCron.toQuartz(r.verify().schedule());
        } catch (IllegalArgumentException e) {
            problems.add("recovery.verify.schedule: " + e.getMessage());
        }
        if (r.verify().subsets() < 1) {
            problems.add("recovery.verify.subsets: 1 or more (got " + r.verify().subsets() + ")");
        }
        LifeboatConfig.Drills d = r.drills();
        try {
            UnixCron.toQuartz(d.schedule());
        } catch (IllegalArgumentException e) {
            problems.add("recovery.drills.schedule: " + e.getMessage());
        }
        if (!Set.of("full", "partial", "component").contains(d.scope())) {
            problems.add("recovery.drills.scope: must be full, partial or component (got " + d.scope() + ")");
        }
        checkDuration("recovery.drills.rtoTarget", d.rtoTarget(), problems);
        checkDuration("recovery.drills.rpoTarget", d.rpoTarget(), problems);
        if (d.component() != null && !databases.contains(d.component())
                && c.files().stream().noneMatch(f -> d.component().equals(f.name()))) {
            problems.add("recovery.drills.component: must name a database or file source (got " + d.component() + ")");
        }
        if (d.from() != null && c.targets().stream().noneMatch(t -> t != null && t.active() && d.from().equals(t.name()))) {
            problems.add("recovery.drills.from: must name an enabled target (got " + d.from() + ")");
        }
    }

    /** Exactly one way to stop or start a component. */
    private static void checkHook(String where, LifeboatConfig.Hook h, List<String> problems) {
        if (h == null) {
            problems.add(where + ": missing; give one of systemd, compose, kubectl, command");
            return;
        }
        int ways = (h.systemd() == null ? 0 : 1) + (h.compose() == null ? 0 : 1) + (h.kubectl() == null ? 0 : 1)
                + (h.command() == null ? 0 : 1);
        if (ways != 1) {
            problems.add(where + ": give exactly one of systemd, compose, kubectl, command (got " + ways + ")");
        } else if (h.compose() != null && (h.compose().file() == null || h.compose().service() == null)) {
            problems.add(where + ".compose: needs file and service");
        } else if (h.kubectl() != null && (h.kubectl().resource() == null || !h.kubectl().resource().contains("/"))) {
            problems.add(where + ".kubectl.resource: must be KIND/NAME, as deployment/api (got "
                    + h.kubectl().resource() + ")");
        } else if (h.systemd() != null && !h.systemd().matches("[A-Za-z0-9@_.:\\-]+")) {
            problems.add(where + ".systemd: not a unit name (got " + h.systemd() + ")");
        }
    }

    private static void checkDuration(String where, String text, List<String> problems) {
        try {
            Durations.parse(text);
        } catch (IllegalArgumentException e) {
            problems.add(where + ": " + e.getMessage());
        }
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
