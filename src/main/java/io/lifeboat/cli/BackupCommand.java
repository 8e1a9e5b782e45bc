package io.lifeboat.cli;

import io.lifeboat.compress.Compression;
import io.lifeboat.repository.Progress;
import io.lifeboat.repository.Repository;
import io.lifeboat.repository.Snapshot;
import io.lifeboat.source.files.Archiver;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "backup", mixinStandardHelpOptions = true,
        description = "Back up files and directories into a new snapshot. Exits 3 when some files could not be read.")
final class BackupCommand implements Callable<Integer> {
    @Mixin
    RepositoryOptions repo;

    @Option(names = "--tag", paramLabel = "TAG", description = "label the snapshot (repeatable)")
    List<String> tags = new ArrayList<>();

    @Option(names = "--host", paramLabel = "HOST",
            description = "the host name to record (default: this machine's), e.g. for a tree mounted from another")
    String host;

    @Option(names = "--compression", paramLabel = "METHOD[:LEVEL]",
            description = "gzip, zstd or none, with an optional level; default: the repository's")
    String compression;

    @Parameters(paramLabel = "PATH", arity = "1..*", description = "what to back up")
    List<Path> paths;

    @Override
    public Integer call() throws Exception {
        Repository r = repo.open();
        Compression.Setting setting = Compression.parse(compression != null ? compression : r.config().compression());
        Progress progress = new Progress();
        Snapshot s;
        try (AutoCloseable shown = Output.progress(progress, "backup", repo.json)) {
            s = new Archiver(r, new Archiver.Options(paths, tags, setting, host), progress).run();
        }
        for (Snapshot.Problem p : s.problems()) {
            System.err.println("warning: " + p.path() + ": " + p.message());
        }
        if (repo.json) {
            Output.json(s);
        } else {
            Snapshot.Summary m = s.summary();
            System.out.printf("snapshot %s saved (%s): %d files, %d dirs, %d links, %s; %d unchanged files%n",
                    s.shortId(), s.status(), m.files(), m.dirs(), m.links(), Output.bytes(m.bytes()), m.unchangedFiles());
            System.out.printf("added %d chunks, %s stored in %d packs, in %.1f s%n", m.newChunks(),
                    Output.bytes(m.storedBytes()), m.packs(), m.durationMs() / 1000.0);
        }
        if (Snapshot.PARTIAL.equals(s.status())) {
            System.err.println("lifeboat backup: snapshot " + s.shortId() + " is partial: "
                    + s.problems().size() + " entries could not be backed up (listed above)");
            return Lifeboat.EXIT_PARTIAL;
        }
        return 0;
    }
}
