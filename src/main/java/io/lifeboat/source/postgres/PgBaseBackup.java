package io.lifeboat.source.postgres;

import io.lifeboat.compress.Compression;
import io.lifeboat.repository.Repository;
import io.lifeboat.repository.Snapshot;
import io.lifeboat.repository.StreamArchiver;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;

/**
 * A physical backup: pg_basebackup writes one tar of the cluster to its stdout, and that stream
 * goes straight into the repository — never to a full-size temporary file. The snapshot is
 * committed only if pg_basebackup succeeded.
 *
 * Full: the tar carries the WAL that makes it consistent (-X fetch), so it restores on its own.
 * Incremental: the tar carries no WAL (-X none; recovery takes it from the WAL archive, as
 * pgBackRest does), and deduplication against earlier backups stores only the chunks of the data
 * files that changed. Without WAL in the tar, an unchanged 8 KiB page costs nothing; the WAL
 * segments that -X fetch adds (recycled 16 MiB files) were most of what a second full stored.
 */
public final class PgBaseBackup {
    public static final String TAG_FULL = "postgresql-full";
    public static final String TAG_INCREMENTAL = "postgresql-incremental";

    private PgBaseBackup() {
    }

    public static Snapshot run(Repository repository, PgSource source, Compression.Setting compression,
                               boolean incremental) throws IOException, InterruptedException {
        List<String> cmd = new java.util.ArrayList<>(List.of(PgTools.bin("pg_basebackup").toString(),
                "-D", "-", "-F", "tar", "-X", incremental ? "none" : "fetch", "-c", "fast",
                "--label", "lifeboat " + source.name()));
        cmd.addAll(source.connectionArgs());
        ProcessBuilder pb = new ProcessBuilder(cmd);
        source.addPassword(pb.environment());
        Process process = pb.start();
        ProcessOutput errors = new ProcessOutput(process.getErrorStream(), "pg_basebackup");
        try (InputStream tar = process.getInputStream()) {
            return StreamArchiver.snapshot(repository, "/postgresql/" + source.name() + "/base.tar", tar,
                    List.of("db:" + source.name(), incremental ? TAG_INCREMENTAL : TAG_FULL), compression, () -> {
                        int exit = process.waitFor();
                        if (exit != 0) {
                            throw new IOException("pg_basebackup of " + source.name() + " failed (exit " + exit + "): "
                                    + errors.tail());
                        }
                    });
        } finally {
            process.destroyForcibly();
        }
    }
}
