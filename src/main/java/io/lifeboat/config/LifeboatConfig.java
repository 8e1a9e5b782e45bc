package io.lifeboat.config;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.util.List;

/**
 * config/lifeboat.yaml: what is backed up, when, for how long, and where. Names and defaults are
 * the platform's (R1, R2, R4, R5 in docs/REQUIREMENTS.md). Database and S3 entries may be present; they take effect with the
 * issues that bring those sources and stores.
 */
public record LifeboatConfig(Repository repository, Catalog catalog, List<FileSource> files,
                             List<Database> databases, List<ConfigSource> configs, ConfigKey configKey,
                             DropFolder dropFolder, List<Target> targets, Recovery recovery) {

    /** The database of that name, enabled or not; IllegalStateException when lifeboat.yaml no longer has it. */
    public Database database(String name) {
        return databases.stream().filter(d -> d.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalStateException("database " + name + " is no longer in lifeboat.yaml"));
    }

    /**
     * The repository every flow writes to, and where its passphrase comes from. With create, a
     * missing repository is made on first use (and a random passphrase file, if none is there).
     * whenUnreachable says what a backup does when it cannot be reached: fail (and alert), or
     * next-target: write to the first target that answers, to go back when it answers.
     */
    public record Repository(String path, String passwordFile, String passwordEnv, String compression, Boolean create,
                             String whenUnreachable) {
        public static final List<String> WHEN_UNREACHABLE = List.of("fail", "next-target");

        public boolean writesToTargetWhenUnreachable() {
            return "next-target".equals(whenUnreachable);
        }

        /** The same repository with another policy (a policy changes live; the place only at a restart). */
        public Repository whenUnreachable(String policy) {
            return new Repository(path, passwordFile, passwordEnv, compression, create, policy);
        }

        public boolean createIfMissing() {
            return Boolean.TRUE.equals(create);
        }
    }

    /**
     * A further copy of the repository (R4): another bucket or region, an NFS or local directory. The
     * list's order is the order copies are read in when the repository cannot be (docs/COPIES.md);
     * sources, when given, are the only sources whose backups it takes; past its quota (a size), or
     * with less than minFree (a percentage) left on the disk under a directory target, it is alerted.
     */
    public record Target(String name, String path, Boolean enabled, List<String> sources, String quota,
                         Integer minFree) {
        public boolean active() {
            return enabled == null || enabled;
        }
    }

    /** The catalog database: embedded H2 by default, PostgreSQL for several nodes. */
    public record Catalog(String url, String user, String passwordEnv) {
    }

    /** One file source of R2.1. */
    @JsonIgnoreProperties(value = {"type"})
    public record FileSource(String name, String path, String schedule, String retention, Boolean enabled) {
        public boolean active() {
            return enabled == null || enabled;
        }
    }

    /**
     * One configuration source of R3, of one kind: system (files, and the environment of the named
     * processes), infrastructure (manifests and Docker files, and live Kubernetes objects through
     * kubectl), security (certificates, keys, policies: sealed whole) or network (rule files, and
     * the output of commands such as nft list ruleset).
     */
    public record ConfigSource(String name, String kind, List<String> paths, List<String> processes, LiveObjects kubectl,
                               List<Command> commands, String schedule, String retention, Boolean enabled) {
        public static final List<String> KINDS = List.of("system", "infrastructure", "security", "network");

        public boolean active() {
            return enabled == null || enabled;
        }

        /** What kubectl reads: its context (null: the current one), namespaces (none: all) and kinds. */
        public record LiveObjects(String context, List<String> namespaces, List<String> kinds) {
        }

        /** A command whose output is part of the configuration, as nft list ruleset. */
        public record Command(String name, String run) {
        }
    }

    /**
     * The key of configuration's second layer (secret values, the security kind): a file, or an
     * environment variable holding the key, never the repository passphrase.
     */
    public record ConfigKey(String file, String env, Boolean create) {
        public boolean createIfMissing() {
            return create == null || create;
        }
    }

    /**
     * One database of R1 with its three schedules; the password comes from passwordEnv only.
     * dumps: databases also dumped logically with each full backup, for table-level restore.
     * wal/spool: with "receive", the service streams WAL itself (wal-receive) through spool.
     * dataDirectory/runAs: where the cluster lives on this host and the system user that runs it,
     * for a recovery that restores it in place (pg_ctl, or the start hook when one is given).
     * method (MySQL/MariaDB): physical (mariadb-backup, on the server's host) or logical (mariadb-dump).
     */
    public record Database(String name, String type, String host, Integer port, String user, String passwordEnv,
                           Boolean enabled, Schedule full, Schedule incremental, Schedule log, List<String> dumps,
                           String wal, String spool, String dataDirectory, String runAs, Hook start, String method) {
        public static final List<String> METHODS = List.of("physical", "logical");

        /** MySQL or MariaDB: the same tools and the same flows. */
        public boolean mysql() {
            return "mysql".equals(type) || "mariadb".equals(type);
        }

        /** A MySQL/MariaDB source backed up with mariadb-dump rather than mariadb-backup. */
        public boolean logical() {
            return "logical".equals(method);
        }

        /**
         * Whether the service streams the log itself: PostgreSQL's WAL with wal: receive (else
         * archive_command runs db wal-push); MySQL/MariaDB binlogs always.
         */
        public boolean receivesWal() {
            return "receive".equals(wal) || mysql();
        }

        public boolean active() {
            return enabled == null || enabled;
        }
    }

    /** When a kind of backup runs and how long it is kept. */
    public record Schedule(String schedule, String retention) {
    }

    /** A folder where a file or folder put by hand is backed up, then moved to done/ or failed/. */
    public record DropFolder(String inbox, Boolean enabled, Integer settleSeconds) {
        public boolean active() {
            return enabled == null || enabled;
        }
    }

    /**
     * How recoveries and restore drills run (R6): the platform's services stopped before and started
     * after a recovery, where a recovery may write besides the sources' own places, the checks
     * after it, the weekly drill, how often a restore waiting for archived objects asks again, and
     * the scheduled integrity check.
     */
    public record Recovery(List<Service> services, List<String> roots, String healthTimeout, String hookTimeout,
                           List<PerformanceCheck> performance, Drills drills, String thawPoll, Verify verify) {
    }

    /**
     * The integrity check on a schedule (R5): the repository's structure every run, and one of
     * subsets groups of its packs read whole, in turn, so that subsets runs read everything.
     */
    public record Verify(String schedule, Integer subsets, Boolean enabled) {
        public boolean active() {
            return enabled == null || enabled;
        }
    }

    /** A platform component: how to stop and start it, and the address that says it is healthy. */
    public record Service(String name, Hook stop, Hook start, String health) {
    }

    /**
     * One way to stop or start a component, exactly one of: a systemd unit, a docker compose
     * service, a Kubernetes workload scaled, or a shell command.
     */
    public record Hook(String systemd, Compose compose, Kubectl kubectl, String command) {
    }

    /** docker compose: the project file and the service in it. */
    public record Compose(String file, String service) {
    }

    /** kubectl scale: the workload ("deployment/api"), its namespace, and the replicas it runs with. */
    public record Kubectl(String resource, String namespace, Integer replicas) {
    }

    /**
     * A query timed at backup (the baseline) and after a restore: slower than factor times the
     * baseline fails the performance check. database names a configured database; dbname the
     * database inside it.
     */
    public record PerformanceCheck(String name, String database, String dbname, String query, Double factor) {
    }

    /**
     * The restore drill: when, what (full, partial or component), the targets it is held to, and the
     * copy it reads from (a target's name, to measure a restore from it, cold tier included).
     */
    public record Drills(String schedule, String scope, String component, String rtoTarget, String rpoTarget,
                         String sandbox, Boolean enabled, String from) {
        public boolean active() {
            return enabled == null || enabled;
        }
    }
}
