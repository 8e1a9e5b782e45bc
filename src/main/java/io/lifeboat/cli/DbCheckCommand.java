package io.lifeboat.cli;

import io.lifeboat.repository.Repository;
import io.lifeboat.source.LogReport;
import io.lifeboat.source.mysql.BinlogCheck;
import io.lifeboat.source.postgres.WalCheck;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "check", mixinStandardHelpOptions = true,
        description = "Is the log safe? No gap in the archived WAL or binlogs after the newest full backup, and "
                + "(unless --no-server) the server's archiving, wal-receive or binlog streaming keeping up. Exit 1 "
                + "names each problem.")
final class DbCheckCommand extends DbCommand.OnServer implements Callable<Integer> {
    @Option(names = "--no-server", description = "check the repository only")
    boolean noServer;

    @Override
    public Integer call() throws Exception {
        Repository r = repo.openForReading();
        boolean mysql = server.mysql() || DbCommand.holdsMysql(r, source.name);
        LogReport report = mysql ? BinlogCheck.run(r, source.name, noServer ? null : server.mysqlSource(source.name))
                : WalCheck.run(r, source.name, noServer ? null : server.source(source.name));
        if (repo.json) {
            Output.json(report);
        } else {
            String what = (mysql ? "binlogs of " : "WAL of ") + source.name;
            System.out.println((report.ok() ? what + " is safe" : what + " is NOT safe") + ": " + report.archivedFiles() + " files archived, newest "
                    + report.newestArchived());
            report.problems().forEach(p -> System.out.println("problem: " + p));
            report.notes().forEach(n -> System.out.println("note: " + n));
        }
        return report.ok() ? 0 : 1;
    }
}
