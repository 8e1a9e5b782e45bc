package io.lifeboat.source.mysql;

import io.lifeboat.compress.Compression;
import io.lifeboat.repository.Repository;
import io.lifeboat.repository.RepositoryException;
import io.lifeboat.repository.Snapshot;
import io.lifeboat.source.DatabaseBackups;
import io.lifeboat.source.DirectoryTrees;
import io.lifeboat.source.ToolStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A physical backup of a MariaDB server with mariadb-backup, which must run on the server's host
 * (it copies the data files): --stream=xbstream writes the whole backup to stdout, and that stream
 * goes straight into the repository. The stream ends with its checkpoints (the LSN range it holds)
 * and binlog position; both become tags. An incremental asks only for pages changed since the
 * previous physical backup's to_lsn (--incremental-lsn), so it stores about what changed, and
 * records which backup it is based on: it restores only on top of that chain.
 */
public final class MariaBackup {
    public static final String TAG_LSN_FROM = "lsn-from:";
    public static final String TAG_LSN_TO = "lsn-to:";
    /** based-on:SNAPSHOT — the backup an incremental's pages apply on top of. */
    public static final String TAG_BASED_ON = "based-on:";
    private static final Pattern CHECKPOINT = Pattern.compile("(from_lsn|to_lsn) = (\\d+)");
    private static final Pattern BINLOG = Pattern.compile(
            "binlog_pos = filename '([^']+)', position '(\\d+)'(?:, GTID of the last change '([0-9,-]*)')?");

    private MariaBackup() {
    }

    public static Snapshot run(Repository repository, MySqlSource source, Compression.Setting compression,
                               boolean incremental) throws IOException, InterruptedException {
        List<String> args = new ArrayList<>(List.of("--backup", "--stream=xbstream"));
        List<String> tags = new ArrayList<>(List.of("db:" + source.name(),
                incremental ? DatabaseBackups.MYSQL_INCREMENTAL : DatabaseBackups.MYSQL_FULL));
        if (incremental) {
            Snapshot previous = newestPhysical(repository, source.name());
            String lsn = DatabaseBackups.tag(previous, TAG_LSN_TO);
            args.add("--incremental-lsn=" + lsn);
            tags.add(TAG_BASED_ON + previous.id());
        }
        // mariadb-backup keeps a few small files of its own there; the data goes to stdout
        Path work = Files.createTempDirectory("lifeboat-mariabackup", PosixFilePermissions.asFileAttribute(
                PosixFilePermissions.fromString("rwx------")));
        args.add("--target-dir=" + work);
        try {
            return ToolStream.snapshot(repository, source.tool("mariadb-backup", args), source.name(),
                    "/mysql/" + source.name() + "/backup.xbstream", tags, compression, (head, tail) -> endTags(tail));
        } finally {
            DirectoryTrees.delete(work);
        }
    }

    /** The newest full or incremental physical backup of the source: what the next incremental builds on. */
    static Snapshot newestPhysical(Repository repository, String source) throws IOException {
        Snapshot newest = null;
        for (Snapshot s : repository.snapshots()) {
            if (DatabaseBackups.kind(s, source) != null && (DatabaseBackups.is(s, DatabaseBackups.MYSQL_FULL)
                    || DatabaseBackups.is(s, DatabaseBackups.MYSQL_INCREMENTAL))) {
                newest = s;
            }
        }
        if (newest == null || DatabaseBackups.tag(newest, TAG_LSN_TO) == null) {
            throw new RepositoryException("an incremental backup of " + source + " needs a full physical backup "
                    + "first, and there is none in the repository");
        }
        return newest;
    }

    /** Tags from the checkpoints and binlog position at the end of the stream. */
    static List<String> endTags(String tail) throws IOException {
        List<String> tags = new ArrayList<>();
        Matcher c = CHECKPOINT.matcher(tail);
        String from = null;
        String to = null;
        while (c.find()) {
            if (c.group(1).equals("from_lsn")) {
                from = c.group(2);
            } else {
                to = c.group(2);
            }
        }
        if (from == null || to == null) {
            throw new IOException("the backup stream ends without its checkpoints (xtrabackup_checkpoints): not a "
                    + "complete mariadb-backup stream");
        }
        tags.add(TAG_LSN_FROM + from);
        tags.add(TAG_LSN_TO + to);
        Matcher b = BINLOG.matcher(tail);
        if (b.find()) {
            tags.add(Binlogs.TAG_POSITION + b.group(1) + ":" + b.group(2));
            if (b.group(3) != null && !b.group(3).isEmpty()) {
                tags.add(Binlogs.TAG_GTID + b.group(3));
            }
        }
        return tags;
    }
}
