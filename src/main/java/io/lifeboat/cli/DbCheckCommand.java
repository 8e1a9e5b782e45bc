package io.lifeboat.cli;

import io.lifeboat.source.postgres.WalCheck;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "check", mixinStandardHelpOptions = true,
        description = "Is the WAL safe? No gap in the archived chain after the newest full backup, and (unless "
                + "--no-server) the server's archiving or wal-receive working. Exit 1 names each problem.")
final class DbCheckCommand extends DbCommand.OnServer implements Callable<Integer> {
    @Option(names = "--no-server", description = "check the repository only")
    boolean noServer;

    @Override
    public Integer call() throws Exception {
        WalCheck.Report report = WalCheck.run(repo.open(), source.name, noServer ? null : server.source(source.name));
        if (repo.json) {
            Output.json(report);
        } else {
            System.out.println((report.ok() ? "WAL of " + source.name + " is safe" : "WAL of " + source.name
                    + " is NOT safe") + ": " + report.archivedSegments() + " files archived, newest "
                    + report.newestArchived());
            report.problems().forEach(p -> System.out.println("problem: " + p));
            report.notes().forEach(n -> System.out.println("note: " + n));
        }
        return report.ok() ? 0 : 1;
    }
}
