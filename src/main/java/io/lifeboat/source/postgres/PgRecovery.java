package io.lifeboat.source.postgres;

import io.lifeboat.repository.LogArchive;
import io.lifeboat.repository.Repository;
import io.lifeboat.repository.RepositoryLock;
import io.lifeboat.repository.Snapshot;
import io.lifeboat.source.DirectoryTrees;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * A database restored by a recovery or a drill: the base backup unpacked into a fresh data
 * directory, the WAL it asks for copied beside it from the repository as it asks (WalStage: the
 * server, which runs as another user, reads plain files and never the repository), recovery to
 * the target, then the checks of RestoreValidation on a private start. The WAL copy is removed
 * afterwards; the cluster is left stopped, ready to start.
 */
public final class PgRecovery {
    /** Where the WAL for recovery waits inside the data directory while the server recovers. */
    static final String STAGED_WAL = "lifeboat-wal";

    /** What the restore did: the validation, and the WAL bytes it copied. */
    public record Outcome(RestoreValidation.Result validation, long walBytes) {
    }

    private PgRecovery() {
    }

    /**
     * Restores base into dataDir (empty or absent) and recovers it to target, as osUser (null:
     * this process's user), then validates it. IOException with the reason when it cannot.
     */
    public static Outcome restore(Repository repository, String source, Snapshot base, Path dataDir,
                                  PgRestore.Target target, String osUser, String superuser, Duration recoveryTimeout,
                                  List<TableFingerprint.TimedQuery> queries) throws IOException, InterruptedException {
        if (osUser != null && Files.exists(dataDir.getParent())) {
            if (!RestoredServer.runAs(List.of("test", "-x", dataDir.getParent().toString()), osUser).ok()) {
                throw new IOException("the system user " + osUser + " cannot enter " + dataDir.getParent()
                        + ", where the restored cluster goes: choose a place it can reach");
            }
        }
        Path wal = dataDir.resolve(STAGED_WAL);
        PgRestore.prepare(repository, base, dataDir, target, WalStage.restoreCommand(wal));
        WalStage stage = new WalStage(new LogArchive(repository, source), wal);
        try {
            RepositoryLock lock = repository.sharedLock("restore");
            stage.start();
            RestoreValidation.Result validation = RestoreValidation.run(dataDir, osUser, superuser, recoveryTimeout,
                    queries, () -> {
                        try (lock) {
                            stage.close();
                        }
                    });
            return new Outcome(validation, stage.bytes());
        } catch (IOException e) {
            IOException served = stage.failure();
            if (served == null || served == e) {
                throw e;
            }
            // the server stopped for want of the WAL that could not be served: that is the reason
            throw new IOException(served.getMessage() + "; then: " + e.getMessage(), served);
        } finally {
            DirectoryTrees.delete(wal);
        }
    }

    /**
     * When the newest WAL reached the repository (else the base backup's time): the newest point it
     * restores to. names: the archive's list.
     */
    public static Instant newestPoint(LogArchive archive, List<String> names, Snapshot base) throws IOException {
        for (int i = names.size() - 1; i >= 0; i--) {
            if (!names.get(i).endsWith(".history") && !names.get(i).contains(".backup")) {
                LogArchive.Segment s = archive.currentOf(names.get(i));
                if (s == null) {
                    continue;
                }
                Instant stored = Instant.parse(s.stored());
                Instant backup = Instant.parse(base.time());
                return stored.isAfter(backup) ? stored : backup;
            }
        }
        return Instant.parse(base.time());
    }

    /** Whether a server runs on that data directory (its pid file names a live postmaster). */
    public static boolean running(Path dataDir, String osUser) throws IOException, InterruptedException {
        return Files.exists(dataDir.resolve("postmaster.pid")) && RestoredServer.runAs(List.of(
                PgTools.bin("pg_ctl").toString(), "-D", dataDir.toString(), "status"), osUser).ok();
    }

    /** Stops the server on that data directory (fast: sessions are ended, nothing is lost). */
    public static void stop(Path dataDir, String osUser) throws IOException, InterruptedException {
        RestoredServer.run(List.of(PgTools.bin("pg_ctl").toString(), "-D", dataDir.toString(), "-m", "fast", "-w", "-t",
                "120", "stop"), osUser);
    }
}
