package io.lifeboat.cli;

import io.lifeboat.maintenance.Checker;
import io.lifeboat.repository.Progress;
import io.lifeboat.repository.Repository;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "verify", mixinStandardHelpOptions = true,
        description = "Check the repository's structure; with --read-data also decrypt and re-hash every chunk.")
final class VerifyCommand implements Callable<Integer> {
    @Mixin
    RepositoryOptions repo;

    @Option(names = "--read-data", description = "read every pack and check every chunk")
    boolean readData;

    @Override
    public Integer call() throws Exception {
        Repository r = repo.openUncached();
        Progress progress = new Progress();
        Checker.Report report;
        try (AutoCloseable shown = Output.progress(progress, "verify", repo.json)) {
            report = new Checker(r, readData, progress).run();
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
                    report.chunks(), readData ? ", read " + Output.bytes(report.bytesRead()) : "",
                    report.ok() ? "no errors" : report.errors().size() + " errors");
        }
        if (!report.ok()) {
            System.err.println("lifeboat verify: the repository has " + report.errors().size() + " errors (listed above)");
            return 1;
        }
        return 0;
    }
}
