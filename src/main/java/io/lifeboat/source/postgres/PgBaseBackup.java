package io.lifeboat.source.postgres;

import io.lifeboat.compress.Compression;
import io.lifeboat.repository.Repository;
import io.lifeboat.repository.Snapshot;
import io.lifeboat.repository.StreamArchiver;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;

/**
 * A full physical backup: pg_basebackup writes one tar of the cluster, with the WAL that makes it
 * consistent (-X fetch), to its stdout, and that stream goes straight into the repository — never
 * to a full-size temporary file. The snapshot is committed only if pg_basebackup succeeded.
 */
public final class PgBaseBackup {
    public static final String TAG_FULL = "postgresql-full";

    private PgBaseBackup() {
    }

    public static Snapshot run(Repository repository, PgSource source, Compression.Setting compression)
            throws IOException, InterruptedException {
        List<String> cmd = new java.util.ArrayList<>(List.of(PgTools.bin("pg_basebackup").toString(),
                "-D", "-", "-F", "tar", "-X", "fetch", "-c", "fast", "--label", "lifeboat " + source.name()));
        cmd.addAll(source.connectionArgs());
        ProcessBuilder pb = new ProcessBuilder(cmd);
        source.addPassword(pb.environment());
        Process process = pb.start();
        ProcessOutput errors = new ProcessOutput(process.getErrorStream(), "pg_basebackup");
        try (InputStream tar = process.getInputStream()) {
            return StreamArchiver.snapshot(repository, "/postgresql/" + source.name() + "/base.tar", tar,
                    List.of("db:" + source.name(), TAG_FULL), compression, () -> {
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
