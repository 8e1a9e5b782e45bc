package io.lifeboat.recovery;

import io.lifeboat.catalog.Catalog;
import io.lifeboat.config.LifeboatConfig;
import io.lifeboat.crypto.MasterKey;
import io.lifeboat.repository.LogArchive;
import io.lifeboat.repository.Repository;
import io.lifeboat.repository.RepositoryException;
import io.lifeboat.repository.Snapshot;
import io.lifeboat.source.DatabaseBackups;
import io.lifeboat.source.DirectoryTrees;
import io.lifeboat.source.config.ConfigBackups;
import io.lifeboat.source.config.ConfigKeys;
import io.lifeboat.source.config.ConfigSnapshots;
import io.lifeboat.source.mysql.BinlogTimelines;
import io.lifeboat.source.mysql.MySqlRestore;
import io.lifeboat.source.postgres.PgRecovery;
import io.lifeboat.source.postgres.PgRestore;
import io.lifeboat.source.postgres.WalChain;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * Turns a request (type, backupId, target, paths, point in time) into a recovery: which databases,
 * file sources and configuration it restores, from which backups, to where. Everything is checked
 * here, before anything is touched: a bad or unknown backupId, a target outside the allowed roots,
 * a source without a backup are refused naming the field.
 */
final class RecoveryPlanner {
    /** A backupId resolved: one backup of one source, or a point for the whole platform (time null: latest). */
    private record Point(String kind, String source, Snapshot snapshot, Instant time) {
    }

    private final LifeboatConfig config;
    private final Repository repository;
    private final Catalog catalog;
    private final Path serviceConfig;
    private MasterKey configKey;
    /** The repository's snapshots, read once per plan. */
    private List<Snapshot> snapshots;

    RecoveryPlanner(LifeboatConfig config, Path serviceConfig, Repository repository, Catalog catalog) {
        this.config = config;
        this.serviceConfig = serviceConfig.toAbsolutePath().normalize();
        this.repository = repository;
        this.catalog = catalog;
    }

    /** A recovery as asked over the API or the command line. */
    Recovery plan(String type, String backupId, String target, List<String> paths, String pointInTime)
            throws IOException {
        if (type == null || !Recovery.TYPES.contains(type)) {
            throw new RecoveryRequestException(400, "field 'type' must be disaster, partial or component");
        }
        Recovery r = begin(type, false, backupId);
        if (target != null) {
            r.target = checkedTarget(target).toString();
        }
        Point point = resolve(backupId);
        if (Recovery.DISASTER.equals(type)) {
            if (paths != null || pointInTime != null) {
                throw new RecoveryRequestException(400, "fields 'paths' and 'pointInTime' are for a component recovery;"
                        + " a disaster recovery takes its point from backupId");
            }
            r.point = point.kind() == null ? point.time() : Instant.parse(point.snapshot().time());
            platform(r, false);
        } else {
            if (point.kind() == null) {
                throw new RecoveryRequestException(400, "field 'backupId': a " + type + " recovery restores one backup;"
                        + " name a file or database backup (its id or its snapshot's), not a time");
            }
            if (Recovery.PARTIAL.equals(type) && (paths != null || pointInTime != null)) {
                throw new RecoveryRequestException(400, "fields 'paths' and 'pointInTime' are for a component recovery");
            }
            r.point = Instant.parse(point.snapshot().time());
            component(r, point, paths, pointInTime, false);
        }
        return r;
    }

    /** A drill of the configured scope into a sandbox below dir: everything, or one component, at its newest. */
    Recovery drill(Path sandbox) throws IOException {
        LifeboatConfig.Drills d = config.recovery().drills();
        String type = "full".equals(d.scope()) ? Recovery.DISASTER : d.scope();
        Recovery r = begin(type, true, "latest");
        r.target = sandbox.resolve(r.id).toAbsolutePath().normalize().toString();
        r.rtoTarget = d.rtoTarget();
        r.rpoTarget = d.rpoTarget();
        if (Recovery.DISASTER.equals(type)) {
            platform(r, true);
            return r;
        }
        String name = d.component() != null ? d.component() : !activeDatabases().isEmpty()
                ? activeDatabases().get(0).name() : activeFiles().isEmpty() ? null : activeFiles().get(0).name();
        if (name == null) {
            throw new RecoveryRequestException(400, "recovery.drills: nothing is configured to drill");
        }
        boolean database = activeDatabases().stream().anyMatch(x -> x.name().equals(name));
        Snapshot newest;
        try {
            newest = database ? baseFor(config.database(name), null) : newestOf(name, null);
        } catch (RepositoryException e) {
            throw new RecoveryRequestException(400, "recovery.drills: " + e.getMessage());
        }
        component(r, new Point(database ? Recovery.Item.DATABASE : Recovery.Item.FILES, name, newest, null), null, null,
                true);
        return r;
    }

    /** A drill that could not be planned, failed with the reason, to record and alert. */
    static Recovery unplannedDrill(String reason) {
        Recovery r = begin(Recovery.DISASTER, true, "latest");
        r.fail("the drill could not be planned: " + reason);
        return r;
    }

    private static Recovery begin(String type, boolean drill, String backupId) {
        Recovery r = new Recovery();
        r.id = UUID.randomUUID().toString();
        r.type = type;
        r.drill = drill;
        r.backupId = backupId;
        r.createdAt = Instant.now();
        return r;
    }

    /** Every enabled database and file source, at the recovery's point. */
    private void platform(Recovery r, boolean drill) throws IOException {
        for (LifeboatConfig.Database d : activeDatabases()) {
            Snapshot base;
            try {
                base = baseFor(d, r.point);
            } catch (RepositoryException e) {
                throw new RecoveryRequestException(400, "database " + d.name() + ": " + e.getMessage());
            }
            r.items.add(database(r, d, base, drill, null));
        }
        for (LifeboatConfig.FileSource f : activeFiles()) {
            r.items.add(files(r, f, newestOf(f.name(), r.point), List.of()));
        }
        for (LifeboatConfig.ConfigSource c : config.configs()) {
            // a configuration source not backed up yet has nothing to restore; it does not hold up the rest;
            // nor is the service's own configuration replaced under it while it runs the recovery
            Snapshot s = c.active() ? newestOf(c.name(), r.point, null) : null;
            if (s != null && (r.target != null || !coversServiceConfig(c))) {
                r.items.add(configuration(r, c.name(), s));
            }
        }
        if (r.items.isEmpty()) {
            throw new RecoveryRequestException(400, "nothing to recover: lifeboat.yaml enables no database or file source");
        }
    }

    private void component(Recovery r, Point point, List<String> paths, String pointInTime, boolean drill)
            throws IOException {
        if (Recovery.Item.CONFIG.equals(point.kind())) {
            if (config.configs().stream().noneMatch(c -> c.name().equals(point.source()) && c.active())) {
                throw new RecoveryRequestException(400, "field 'backupId': configuration source " + point.source()
                        + " is not an enabled source of lifeboat.yaml");
            }
            if (paths != null || pointInTime != null) {
                throw new RecoveryRequestException(400, "fields 'paths' and 'pointInTime' are for files and databases;"
                        + " a configuration backup is restored whole (bin/lifeboat config restore shows what changes)");
            }
            r.items.add(configuration(r, point.source(), point.snapshot()));
        } else if (Recovery.Item.DATABASE.equals(point.kind())) {
            LifeboatConfig.Database d = activeDatabases().stream().filter(x -> x.name().equals(point.source()))
                    .findFirst().orElseThrow(() -> new RecoveryRequestException(400, "field 'backupId': database "
                            + point.source() + " is not an enabled database of lifeboat.yaml"));
            if (paths != null) {
                throw new RecoveryRequestException(400, "field 'paths' chooses files; backupId names a database backup");
            }
            Instant time = null;
            if (pointInTime != null) {
                time = time(pointInTime);
                if (time == null || time.isBefore(Instant.parse(point.snapshot().time())) || time.isAfter(Instant.now())) {
                    throw new RecoveryRequestException(400, "field 'pointInTime' must be a time with its zone between the"
                            + " backup (" + point.snapshot().time() + ") and now");
                }
                r.point = time;
            }
            r.items.add(database(r, d, point.snapshot(), drill, time));
        } else {
            LifeboatConfig.FileSource f = activeFiles().stream().filter(x -> x.name().equals(point.source()))
                    .findFirst().orElseThrow(() -> new RecoveryRequestException(400, "field 'backupId': file source "
                            + point.source() + " is not an enabled source of lifeboat.yaml"));
            if (pointInTime != null) {
                throw new RecoveryRequestException(400, "field 'pointInTime' is for databases; a file backup is its point");
            }
            r.items.add(files(r, f, point.snapshot(), chosenPaths(paths, point.snapshot())));
        }
    }

    /**
     * Chosen paths of a file backup: absolute, plain (no "..", as stored), inside the backup's paths,
     * none inside another; null means all of it.
     */
    private static List<String> chosenPaths(List<String> paths, Snapshot s) {
        if (paths == null) {
            return List.of();
        }
        if (paths.isEmpty()) {
            throw new RecoveryRequestException(400, "field 'paths' is empty: leave it out to restore all of the backup");
        }
        List<String> chosen = new ArrayList<>();
        for (String p : paths) {
            if (!p.startsWith("/") || !Path.of(p).normalize().toString().equals(p) || p.length() == 1) {
                throw new RecoveryRequestException(400, "field 'paths': '" + clip(p) + "' is not an absolute path as"
                        + " stored (no '..', '.', '//' or trailing '/')");
            }
            if (s.paths().stream().noneMatch(root -> p.equals(root) || p.startsWith(root + "/"))) {
                throw new RecoveryRequestException(400, "field 'paths': " + clip(p) + " is not inside the backup's"
                        + " paths " + s.paths());
            }
            for (String other : chosen) {
                if (p.equals(other) || p.startsWith(other + "/") || other.startsWith(p + "/")) {
                    throw new RecoveryRequestException(400, "field 'paths': " + clip(p) + " and " + clip(other)
                            + " overlap; give each place once");
                }
            }
            chosen.add(p);
        }
        return chosen;
    }

    private Recovery.Item database(Recovery r, LifeboatConfig.Database d, Snapshot base, boolean drill, Instant time)
            throws IOException {
        if (d.mysql() && r.target == null && d.start() == null) {
            throw new RecoveryRequestException(400, "databases[" + d.name() + "].start is not set in lifeboat.yaml: a "
                    + "recovery in place starts the restored " + d.type() + " server with its start hook (systemd: "
                    + "mariadb, say), or give a target");
        }
        String live = d.dataDirectory();
        String restoreTo = r.target != null ? Path.of(r.target, "databases", d.name()).toString() : live;
        if (restoreTo == null) {
            throw new RecoveryRequestException(400, "databases[" + d.name() + "].dataDirectory is not set in"
                    + " lifeboat.yaml: a recovery in place needs to know where the cluster lives (or give a target)");
        }
        LogArchive archive = new LogArchive(repository, d.name());
        List<String> wal = archive.list();
        long walEstimate = 16L * 1024 * 1024 * Math.max(1, wal.size() / 4);
        Recovery.Item item = new Recovery.Item(Recovery.Item.DATABASE, d.name(), base.id(), live, restoreTo,
                (base.summary() == null ? 0 : base.summary().bytes()) + walEstimate);
        item.newestPoint = PgRecovery.newestPoint(archive, wal, base);
        boolean wholePlatform = Recovery.DISASTER.equals(r.type);
        // a backup restored by itself stops at its end; a time given, at that time; the platform, at its point
        item.stopKind = time != null ? "time" : wholePlatform ? (r.point == null ? "latest" : "time")
                : drill ? "latest" : "immediate";
        item.stopValue = time != null ? time.toString() : "time".equals(item.stopKind) ? r.point.toString() : null;
        Catalog.Fingerprint fingerprint = fingerprintFor(d.name(), base, "time".equals(item.stopKind)
                ? Instant.parse(item.stopValue) : null);
        if (fingerprint != null) {
            item.fingerprint = fingerprint.runId();
            // a drill, and a backup restored by itself, stop where the fingerprint was taken: then they must match it;
            // not before the WAL there is archived (a backup just taken, its log still on its way)
            if (fingerprint.exact() && (drill || "immediate".equals(item.stopKind))
                    && WalChain.reaches(archive, wal, fingerprint.lsn())) {
                item.stopKind = "lsn";
                item.stopValue = fingerprint.lsn();
            }
        }
        return item;
    }

    private Recovery.Item files(Recovery r, LifeboatConfig.FileSource f, Snapshot s, List<String> paths)
            throws IOException {
        String live = Path.of(f.path()).toAbsolutePath().normalize().toString();
        String restoreTo = r.target != null ? Path.of(r.target, "files", f.name()).toString() : live;
        Recovery.Item item = new Recovery.Item(Recovery.Item.FILES, f.name(), s.id(), live, restoreTo,
                s.summary() == null ? 0 : s.summary().bytes());
        item.paths = paths;
        item.newestPoint = Instant.parse(newestOf(f.name(), null).time());
        return item;
    }

    /**
     * A configuration backup: its pieces at their own paths (in place), or below TARGET/config/NAME.
     * Checked here that the configuration key is at hand and is the one the backup was sealed
     * under: found missing at restore-config, the databases and files would be back and the
     * services still stopped. Not counted in a drill's RPO: configuration changes by hand, daily
     * backups are its point (R3), and it would hold every drill over an RPO of hours.
     */
    private Recovery.Item configuration(Recovery r, String source, Snapshot s) throws IOException {
        if (configKey == null) {
            try {
                configKey = ConfigKeys.open(config.configKey());
            } catch (IOException | IllegalArgumentException e) {
                throw new RecoveryRequestException(400, "configuration source " + source + " needs the configuration key: "
                        + e.getMessage());
            }
        }
        String sealedUnder = ConfigSnapshots.manifest(repository, s).keyId();
        if (sealedUnder != null && !sealedUnder.equals(ConfigSnapshots.keyId(configKey))) {
            throw new RecoveryRequestException(400, "configuration source " + source + ": backup " + s.shortId()
                    + " was sealed under another configuration key (" + sealedUnder + ") than the one in configKey;"
                    + " put the key kept off this host back");
        }
        String restoreTo = r.target != null ? Path.of(r.target, "config", source).toString() : "/";
        return new Recovery.Item(Recovery.Item.CONFIG, source, s.id(), "/", restoreTo,
                s.summary() == null ? 0 : s.summary().bytes());
    }

    /** Whether a configuration source holds the service's own configuration directory (or a file in it). */
    private boolean coversServiceConfig(LifeboatConfig.ConfigSource c) {
        return c.paths().stream().map(p -> Path.of(p).toAbsolutePath().normalize())
                .anyMatch(p -> serviceConfig.startsWith(p) || p.startsWith(serviceConfig));
    }

    /** The fingerprint taken with that base backup or after it, not after the point (null: latest). */
    private Catalog.Fingerprint fingerprintFor(String source, Snapshot base, Instant point) {
        String run = catalog.runOfSnapshot(base.id()).map(Catalog.Run::id).orElse(null);
        for (Catalog.Fingerprint f : catalog.fingerprints(source)) {
            if (f.runId().equals(run) && (point == null || !f.takenAt().isAfter(point))) {
                return f;
            }
        }
        return null;
    }

    /**
     * The backup a database is restored from to the point (null: the newest): for MariaDB the last of
     * the chain that reaches it, none from a binlog history a restore in place left.
     */
    private Snapshot baseFor(LifeboatConfig.Database d, Instant point) throws IOException {
        if (!d.mysql()) {
            return PgRestore.baseFor(snapshots(), d.name(), point == null ? PgRestore.Target.latest()
                    : new PgRestore.Target("time", point.toString()));
        }
        List<Snapshot> chain = MySqlRestore.chainFor(snapshots(), d.name(),
                BinlogTimelines.read(new LogArchive(repository, d.name())), point == null ? MySqlRestore.Target.latest()
                        : new MySqlRestore.Target("time", point.toString()));
        return chain.get(chain.size() - 1);
    }

    /** The newest backup of a file or configuration source at or before the point (null: the newest). */
    private Snapshot newestOf(String source, Instant point) throws IOException {
        return newestOf(source, point, "file source " + source + " has no backup" + (point == null ? ""
                : " at or before " + point));
    }

    /** As above; null when there is none and no reason to refuse is given. */
    private Snapshot newestOf(String source, Instant point, String refusal) throws IOException {
        Snapshot chosen = null;
        for (Snapshot s : snapshots()) {
            if (s.tags() != null && s.tags().contains("source:" + source) && !s.tags().contains(ConfigBackups.BEFORE_RESTORE)
                    && (point == null || !Instant.parse(s.time()).isAfter(point))) {
                chosen = s;
            }
        }
        if (chosen == null && refusal != null) {
            throw new RecoveryRequestException(400, refusal);
        }
        return chosen;
    }

    /** What a backupId names: latest, a time, a backup run's id, or a snapshot id (or a unique prefix of one). */
    private Point resolve(String backupId) throws IOException {
        if (backupId == null || backupId.isBlank()) {
            throw new RecoveryRequestException(400, "field 'backupId' is missing: a backup's id, a snapshot id,"
                    + " a time such as 2026-11-30T06:00:00Z, or latest");
        }
        if ("latest".equals(backupId)) {
            return new Point(null, null, null, null);
        }
        Instant time = time(backupId);
        if (time == null && backupId.matches("\\d{4}-\\d\\d-\\d\\d[T ].*")) {
            throw new RecoveryRequestException(400, "field 'backupId': the time " + clip(backupId) + " needs its zone,"
                    + " as 2026-11-30T06:00:00Z or 2026-11-30 07:00:00+01:00");
        }
        if (time != null) {
            if (time.isAfter(Instant.now())) {
                throw new RecoveryRequestException(400, "field 'backupId': " + backupId + " is in the future");
            }
            return new Point(null, null, null, time);
        }
        String snapshotId = backupId;
        Optional<Catalog.Run> run = catalog.run(backupId);
        if (run.isPresent()) {
            if (run.get().snapshotId() == null) {
                throw new RecoveryRequestException(404, "field 'backupId': backup " + backupId + " made no backup ("
                        + run.get().status() + ")");
            }
            snapshotId = run.get().snapshotId();
        }
        if (!snapshotId.matches("[0-9a-f]{8,64}")) {
            throw new RecoveryRequestException(404, "field 'backupId': no backup, snapshot or time '" + clip(backupId)
                    + "'");
        }
        Snapshot s;
        try {
            s = repository.snapshot(snapshotId);
        } catch (RepositoryException e) {
            throw new RecoveryRequestException(404, "field 'backupId': " + e.getMessage());
        }
        List<String> tags = s.tags() == null ? List.of() : s.tags();
        for (String tag : tags) {
            if (tag.startsWith("source:") && tags.contains(ConfigBackups.TAG)) {
                return new Point(Recovery.Item.CONFIG, tag.substring(7), s, null);
            }
            if (tag.startsWith("source:")) {
                return new Point(Recovery.Item.FILES, tag.substring(7), s, null);
            }
            if (tag.startsWith("db:")) {
                String kind = DatabaseBackups.kind(s, tag.substring(3));
                if (!"full".equals(kind) && !"incremental".equals(kind)) {
                    throw new RecoveryRequestException(400, "field 'backupId': " + s.shortId() + " is a logical dump;"
                            + " restore its tables with bin/lifeboat db restore-table");
                }
                return new Point(Recovery.Item.DATABASE, tag.substring(3), s, null);
            }
        }
        throw new RecoveryRequestException(400, "field 'backupId': snapshot " + s.shortId() + " belongs to no"
                + " configured source (made by hand?); restore it with bin/lifeboat restore");
    }

    /** A time with its zone, or null when the text is not one. */
    private static Instant time(String text) {
        try {
            return OffsetDateTime.parse(text.trim().replace(' ', 'T')).toInstant();
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    /**
     * An absolute place inside one of recovery.roots, empty or absent; links are followed before
     * the roots are compared, so a link inside a root cannot lead a restore out of it.
     */
    private Path checkedTarget(String target) throws IOException {
        if (!target.startsWith("/")) {
            throw new RecoveryRequestException(400, "field 'target' must be an absolute directory");
        }
        Path t = Path.of(target).normalize();
        List<String> roots = config.recovery().roots();
        if (roots.isEmpty()) {
            throw new RecoveryRequestException(400, "field 'target': recovery.roots in lifeboat.yaml allows no place"
                    + " for a recovery to write to");
        }
        if (!DirectoryTrees.inside(t, roots)) {
            throw new RecoveryRequestException(400, "field 'target': " + t + " is outside the allowed roots " + roots);
        }
        if (Files.exists(t) && !Files.isDirectory(t)) {
            throw new RecoveryRequestException(400, "field 'target': " + t + " is not a directory");
        }
        if (Files.exists(t)) {
            try (Stream<Path> entries = Files.list(t)) {
                if (entries.findAny().isPresent()) {
                    throw new RecoveryRequestException(400, "field 'target': " + t + " is not empty");
                }
            }
        }
        return t;
    }

    /** The place with every link on the way resolved: the nearest existing ancestor's real path, and the rest. */
    private List<Snapshot> snapshots() throws IOException {
        if (snapshots == null) {
            snapshots = repository.snapshots();
        }
        return snapshots;
    }

    private List<LifeboatConfig.Database> activeDatabases() {
        return config.databases().stream().filter(LifeboatConfig.Database::active).toList();
    }

    private List<LifeboatConfig.FileSource> activeFiles() {
        return config.files().stream().filter(LifeboatConfig.FileSource::active).toList();
    }

    private static String clip(String text) {
        return text.length() <= 64 ? text : text.substring(0, 64) + "...";
    }
}
