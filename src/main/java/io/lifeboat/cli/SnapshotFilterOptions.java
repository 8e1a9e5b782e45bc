package io.lifeboat.cli;

import io.lifeboat.repository.SnapshotFilter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** --host, --path and --tag: which snapshots "latest", snapshots and forget consider. */
final class SnapshotFilterOptions {
    @Option(names = "--host", paramLabel = "HOST", description = "only snapshots of this host (repeatable: any of them)")
    List<String> hosts = new ArrayList<>();

    @Option(names = "--path", paramLabel = "PATH",
            description = "only snapshots that hold this path (repeatable: all of them)")
    List<Path> paths = new ArrayList<>();

    @Option(names = "--tag", paramLabel = "TAG[,TAG...]",
            description = "only snapshots with all of these tags (repeatable: any of the groups)")
    List<String> tags = new ArrayList<>();

    /** Paths as backups store them: absolute and normalized. */
    SnapshotFilter filter() {
        return new SnapshotFilter(hosts, paths.stream().map(p -> p.toAbsolutePath().normalize().toString()).toList(),
                tags);
    }
}
