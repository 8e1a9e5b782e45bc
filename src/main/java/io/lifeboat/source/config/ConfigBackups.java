package io.lifeboat.source.config;

import io.lifeboat.compress.Compression;
import io.lifeboat.config.LifeboatConfig;
import io.lifeboat.crypto.MasterKey;
import io.lifeboat.repository.Repository;
import io.lifeboat.repository.RepositoryException;
import io.lifeboat.repository.Snapshot;
import io.lifeboat.repository.SnapshotFilter;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What can be done with the backups of one configuration source: take one, list them, compare
 * two of them or one with what is on disk now, and write one back. The key is the configuration
 * key (configKey), never the repository's.
 */
public final class ConfigBackups {
    /** The tag every configuration backup carries, beside source:NAME. */
    public static final String TAG = "type:config";
    /** The tag of the backup a restore in place takes of what it is about to replace. */
    public static final String BEFORE_RESTORE = "before-restore";

    private final Repository repository;
    private final MasterKey key;

    /** key: the configuration key; null to list and read manifests only. */
    public ConfigBackups(Repository repository, MasterKey key) {
        this.repository = repository;
        this.key = key;
    }

    /** Reads the source now and stores it; partial (with its problems) when a part could not be read. */
    public Snapshot backup(LifeboatConfig.ConfigSource source, List<String> tags, Compression.Setting compression)
            throws IOException, InterruptedException {
        ConfigCapture.Capture capture = ConfigCapture.of(source);
        List<String> all = new ArrayList<>(List.of("source:" + source.name(), TAG, "kind:" + source.kind()));
        all.addAll(tags);
        return ConfigSnapshots.save(repository, source.name(), ConfigSnapshots.prepare(source.kind(), capture.items(),
                key), capture.problems(), all, compression, key);
    }

    public static SnapshotFilter of(String source) {
        return new SnapshotFilter(List.of(), List.of(), List.of("source:" + source + "," + TAG));
    }

    /** The source's backups, oldest first. */
    public List<Snapshot> list(String source) throws IOException {
        return repository.snapshots().stream().filter(of(source)::matches).toList();
    }

    /**
     * A backup of the source: "latest" (the newest taken by a schedule or on demand, not one a
     * restore took of what it replaced), or an id (prefix); RepositoryException when there is none.
     */
    public Snapshot find(String source, String ref) throws IOException {
        if (ref == null || "latest".equals(ref)) {
            List<Snapshot> taken = list(source).stream().filter(s -> !s.tags().contains(BEFORE_RESTORE)).toList();
            if (taken.isEmpty()) {
                throw new RepositoryException("configuration source " + source + " has no backup");
            }
            return taken.get(taken.size() - 1);
        }
        Snapshot s = repository.snapshot(ref, of(source));
        if (!of(source).matches(s)) {
            throw new RepositoryException("snapshot " + s.shortId() + " is not a configuration backup of " + source);
        }
        return s;
    }

    public ConfigSnapshots.Loaded load(Snapshot snapshot) throws IOException {
        return ConfigSnapshots.load(repository, snapshot);
    }

    public ConfigSnapshots.Manifest manifest(Snapshot snapshot) throws IOException {
        return ConfigSnapshots.manifest(repository, snapshot);
    }

    /** What is on disk (and what the programs answer) now, in the form a backup keeps, by path. */
    public Map<String, StoredItem> now(LifeboatConfig.ConfigSource source) throws InterruptedException {
        Map<String, StoredItem> out = new TreeMap<>();
        ConfigSnapshots.prepare(source.kind(), ConfigCapture.of(source).items(), key).items()
                .forEach(i -> out.put(i.path(), i));
        return out;
    }

    /**
     * The changes from one state to another: a backup, or (null) what is on disk now. A backup
     * compared with what is on disk must have been sealed under the key in use: with another, every
     * secret's placeholder differs.
     */
    public List<ConfigDiff.Change> diff(LifeboatConfig.ConfigSource source, Snapshot from, Snapshot to)
            throws IOException, InterruptedException {
        boolean withNow = from == null || to == null;
        return ConfigDiff.between(state(source, from, withNow), state(source, to, withNow));
    }

    private Map<String, StoredItem> state(LifeboatConfig.ConfigSource source, Snapshot snapshot, boolean withNow)
            throws IOException, InterruptedException {
        if (snapshot == null) {
            return now(source);
        }
        ConfigSnapshots.Loaded loaded = load(snapshot);
        if (withNow) {
            checkKey(loaded, snapshot);
        }
        return loaded.byPath();
    }

    /** WrongKeyException when the backup was sealed under another configuration key. */
    private void checkKey(ConfigSnapshots.Loaded loaded, Snapshot snapshot) {
        String id = ConfigSnapshots.keyId(key);
        if (loaded.manifest().keyId() != null && !loaded.manifest().keyId().equals(id)) {
            throw new WrongKeyException("configuration backup " + snapshot.shortId() + " was sealed under the"
                    + " configuration key " + loaded.manifest().keyId() + ", not under the one in use (" + id + "): put"
                    + " the key kept off this host back (configKey in lifeboat.yaml); nothing was written");
        }
    }

    /**
     * The source, with the paths of an older backup of it added: what a restore of that backup
     * writes must all be in the before-restore backup, though the source's paths changed since.
     */
    private static LifeboatConfig.ConfigSource covering(LifeboatConfig.ConfigSource source,
                                                        ConfigSnapshots.Loaded backup) {
        List<String> paths = new ArrayList<>(source.paths().stream()
                .map(p -> Path.of(p).toAbsolutePath().normalize().toString()).toList());
        for (StoredItem item : backup.items()) {
            boolean covered = paths.stream().anyMatch(p -> item.path().equals(p) || item.path().startsWith(p + "/"));
            if (!item.captured() && !covered) {
                paths.add(item.path());
            }
        }
        return new LifeboatConfig.ConfigSource(source.name(), source.kind(), paths, source.processes(), source.kubectl(),
                source.commands(), source.schedule(), source.retention(), source.enabled());
    }

    /** What a restore did, and (in place) the configuration backup that keeps what was there before it. */
    public record Restored(ConfigRestorer.Result result, Snapshot keptAs) {
    }

    /**
     * Writes the backup back (in place, or below target; see {@link ConfigRestorer}). In place, the
     * source as it is now is backed up first (tagged before-restore), so that what the restore
     * replaces is kept, in the repository, as any backup of it.
     */
    public Restored restore(LifeboatConfig.ConfigSource source, Snapshot snapshot, Path target,
                            Compression.Setting compression) throws IOException, InterruptedException {
        ConfigSnapshots.Loaded loaded = load(snapshot);
        checkKey(loaded, snapshot);
        Snapshot kept = target == null ? backup(covering(source, loaded), List.of(BEFORE_RESTORE), compression) : null;
        try {
            return new Restored(ConfigRestorer.restore(loaded, key, target), kept);
        } catch (ConfigRestorer.PartlyWritten e) {
            throw new IOException(e.getMessage() + (kept == null ? "" : "; what was there before is kept as"
                    + " configuration backup " + kept.shortId()), e);
        }
    }
}
