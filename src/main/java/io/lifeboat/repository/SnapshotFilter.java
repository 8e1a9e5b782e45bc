package io.lifeboat.repository;

import java.util.Arrays;
import java.util.List;

/**
 * Which snapshots a command considers when several sources share a repository: those of one of
 * the hosts, holding every one of the paths, and carrying every tag of one of the tag groups
 * ("a,b" means a and b; two groups mean either). An empty list does not filter.
 */
public record SnapshotFilter(List<String> hosts, List<String> paths, List<String> tagGroups) {
    public static final SnapshotFilter ALL = new SnapshotFilter(List.of(), List.of(), List.of());

    public boolean matches(Snapshot s) {
        List<String> tags = s.tags() == null ? List.of() : s.tags();
        return (hosts.isEmpty() || hosts.contains(s.hostname()))
                && (paths.isEmpty() || s.paths() != null && s.paths().containsAll(paths))
                && (tagGroups.isEmpty() || tagGroups.stream().anyMatch(group ->
                        tags.containsAll(Arrays.stream(group.split(",")).map(String::strip).filter(t -> !t.isEmpty())
                                .toList())));
    }

    public boolean isEmpty() {
        return hosts.isEmpty() && paths.isEmpty() && tagGroups.isEmpty();
    }

    /** As an operator wrote it, for messages: "--host h --path /p --tag t". */
    @Override
    public String toString() {
        StringBuilder out = new StringBuilder();
        hosts.forEach(h -> out.append(" --host ").append(h));
        paths.forEach(p -> out.append(" --path ").append(p));
        tagGroups.forEach(t -> out.append(" --tag ").append(t));
        return out.toString().strip();
    }
}
