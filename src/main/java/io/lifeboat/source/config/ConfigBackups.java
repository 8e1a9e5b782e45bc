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

    private final Repository repository;
    private final MasterKey key;

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

    /** A backup of the source: "latest", or an id (prefix); RepositoryException when there is none. */
    public Snapshot find(String source, String ref) throws IOException {
        Snapshot s = repository.snapshot(ref == null ? "latest" : ref, of(source));
        if (!of(source).matches(s)) {
            throw new RepositoryException("snapshot " + s.shortId() + " is not a configuration backup of " + source);
        }
        return s;
    }

    public ConfigSnapshots.Loaded load(Snapshot snapshot) throws IOException {
        return ConfigSnapshots.load(repository, snapshot);
    }

    /** What is on disk (and what the programs answer) now, in the form a backup keeps, by path. */
    public Map<String, StoredItem> now(LifeboatConfig.ConfigSource source) throws InterruptedException {
        Map<String, StoredItem> out = new TreeMap<>();
        ConfigSnapshots.prepare(source.kind(), ConfigCapture.of(source).items(), key).items()
                .forEach(i -> out.put(i.path(), i));
        return out;
    }

    /**
     * The changes from one state to another; "now" for what is on disk, else a backup reference
     * (as {@link #find}).
     */
    public List<ConfigDiff.Change> diff(LifeboatConfig.ConfigSource source, String from, String to)
            throws IOException, InterruptedException {
        return ConfigDiff.between(state(source, from), state(source, to));
    }

    private Map<String, StoredItem> state(LifeboatConfig.ConfigSource source, String ref)
            throws IOException, InterruptedException {
        return "now".equals(ref) ? now(source) : load(find(source.name(), ref)).byPath();
    }

    /** Writes the backup back (in place, or below target), keeping what it replaces as NAME.before-restore-STAMP. */
    public ConfigRestorer.Result restore(Snapshot snapshot, Path target, String stamp) throws IOException {
        return ConfigRestorer.restore(load(snapshot), key, target, stamp);
    }
}
