package io.lifeboat.cli;

import io.lifeboat.maintenance.Checker;
import io.lifeboat.repository.Progress;
import io.lifeboat.repository.Repository;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "verify", mixinStandardHelpOptions = true,
        description = "Check the repository's structure; with --read-data also decrypt and re-hash every chunk, with"
                + " --read-data-subset n/t those of one group of packs in t (the t groups read everything once).")
final class VerifyCommand implements Callable<Integer> {
    @Mixin
    RepositoryOptions repo;

    @Option(names = "--read-data", description = "read every pack and check every chunk")
    boolean readData;

    @Option(names = "--read-data-subset", paramLabel = "n/t",
            description = "read group n of t groups of packs (by pack name): run 1/t..t/t, say one a day, to read the"
                    + " whole repository over t runs")
    String readDataSubset;

    @Override
    public Integer call() throws Exception {
        if (readData && readDataSubset != null) {
            throw new IllegalArgumentException("give --read-data or --read-data-subset, not both");
        }
        Checker.Subset read = readDataSubset != null ? Checker.Subset.parse(readDataSubset)
                : readData ? Checker.Subset.ALL : null;
        Repository r = repo.openUncached();
        Progress progress = new Progress();
        Checker.Report report;
        try (AutoCloseable shown = Output.progress(progress, "verify", repo.json)) {
            report = new Checker(r, read, progress).run();
        }
        if (repo.json) {
            Output.json(report);
        } else {
            for (String note : report.notes()) {
                System.out.println("note: " + note);
            }
            for (Checker.Finding f : report.errors()) {
                System.out.println("error: " + f.object() + ": " + f.message()
                        + (f.snapshot() == null ? "" : " [snapshot " + f.snapshot().substring(0, 8)
                        + (f.path() == null ? "" : ", file " + f.path()) + "]"));
            }
            System.out.printf("checked %d snapshots, %d packs, %d chunks%s: %s%n", report.snapshots(), report.packs(),
                    report.chunks(), read == null ? "" : ", read " + report.packsRead() + " packs ("
                            + Output.bytes(report.bytesRead()) + ")",
                    report.ok() ? "no errors" : report.errors().size() + " errors");
        }
        if (!report.ok()) {
            System.err.println("lifeboat verify: the repository has " + report.errors().size() + " errors (listed above)");
            return 1;
        }
        return 0;
    }
}
