package io.lifeboat.maintenance;

import io.lifeboat.repository.Repository;
import io.lifeboat.repository.Snapshot;
import io.lifeboat.repository.SnapshotFilter;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Which file snapshots to keep, per group of snapshots of the same host and paths: the newest
 * keepLast, and every one taken within keepWithin of the group's newest. Measured from the newest
 * rather than from now, as restic does, so that backups which stopped never let retention remove
 * the last good ones. The newest of each group is always kept.
 */
public record KeepPolicy(int keepLast, Duration keepWithin) {
    public KeepPolicy {
        if (keepLast < 0) {
            throw new IllegalArgumentException("--keep-last must be 0 or more, not " + keepLast);
        }
    }

    /**
     * Forgets, of the repository's snapshots the filter selects, those the policy lets go; how many
     * (one an object lock still holds is not, and goes at a later run).
     */
    public int forget(Repository repository, SnapshotFilter filter) throws IOException {
        int forgotten = 0;
        for (Snapshot s : expired(repository.snapshots().stream().filter(filter::matches).toList())) {
            if (repository.forget(s.id()) == null) {
                forgotten++;
            }
        }
        return forgotten;
    }

    /** The snapshots (oldest first, as the repository lists them) that the policy lets go. */
    public List<Snapshot> expired(List<Snapshot> snapshots) {
        Map<String, List<Snapshot>> groups = new LinkedHashMap<>();
        for (Snapshot s : snapshots) {
            groups.computeIfAbsent(s.hostname() + "\u0000" + String.join("\u0000", s.paths()), k -> new ArrayList<>())
                    .add(s);
        }
        Set<Snapshot> expired = new HashSet<>();
        for (List<Snapshot> group : groups.values()) {
            Instant newest = Instant.parse(group.get(group.size() - 1).time());
            for (int i = 0; i < group.size(); i++) {
                Snapshot s = group.get(i);
                boolean last = group.size() - i <= Math.max(1, keepLast);
                boolean within = keepWithin != null && !Instant.parse(s.time()).isBefore(newest.minus(keepWithin));
                if (!last && !within) {
                    expired.add(s);
                }
            }
        }
        return snapshots.stream().filter(expired::contains).toList();
    }
}
