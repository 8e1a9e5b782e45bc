package io.lifeboat.cli;

import io.lifeboat.repository.LogArchive;
import io.lifeboat.repository.Repository;
import io.lifeboat.repository.Snapshot;
import io.lifeboat.source.DatabaseBackups;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(name = "list", mixinStandardHelpOptions = true,
        description = "Full and incremental backups, logical dumps and archived WAL or binlogs of a source.")
final class DbListCommand implements Callable<Integer> {
    @Mixin
    RepositoryOptions repo;
    @Mixin
    DbCommand.SourceName source;

    @Override
    public Integer call() throws Exception {
        Repository r = repo.openForReading();
        List<Map<String, Object>> backups = new ArrayList<>();
        for (Snapshot s : r.snapshots()) {
            String kind = DatabaseBackups.kind(s, source.name);
            if (kind != null) {
                Map<String, Object> b = new LinkedHashMap<>();
                b.put("id", s.id());
                b.put("kind", kind);
                b.put("time", s.time());
                b.put("size", s.summary().bytes());
                b.put("database", DatabaseBackups.database(s));
                backups.add(b);
            }
        }
        LogArchive archive = new LogArchive(r, source.name);
        List<String> wal = archive.list();
        if (repo.json) {
            Output.json(Map.of("backups", backups, "wal", wal));
            return 0;
        }
        for (Map<String, Object> b : backups) {
            System.out.printf("%-11s  %s  %s  %s%s%n", b.get("kind"), b.get("id").toString().substring(0, 8),
                    b.get("time"), Output.bytes((Long) b.get("size")),
                    b.get("database") == null ? "" : "  database " + b.get("database"));
        }
        System.out.println(wal.isEmpty() ? "no log archived" : "log " + wal.get(0) + " .. " + wal.get(wal.size() - 1)
                + " (" + wal.size() + " files)" + growing(archive, wal.get(wal.size() - 1)));
        return 0;
    }

    /** How far the newest log file reaches when it is still being written (stored as NAME.partial). */
    private static String growing(LogArchive archive, String newest) throws IOException {
        LogArchive.Segment partial = newest.endsWith(LogArchive.PARTIAL) ? archive.currentOf(newest) : null;
        return partial == null ? "" : "; the newest, still being written, reaches " + Output.bytes(partial.size())
                + " (stored " + partial.stored() + ")";
    }
}
