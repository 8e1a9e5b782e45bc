package io.lifeboat.service;

import io.lifeboat.catalog.Catalog;
import io.lifeboat.config.ByteSizes;
import io.lifeboat.config.LifeboatConfig;
import io.lifeboat.monitoring.BackupMetrics;
import io.lifeboat.repository.Repository;
import io.lifeboat.repository.RepositoryCopy;
import io.lifeboat.source.BackupContents;
import io.lifeboat.storage.BlobStore;
import io.lifeboat.storage.BlobStores;
import io.lifeboat.storage.LocalBlobStore;
import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The copy step (lifeboat:copy, or lifeboat:copy?target=NAME for one): brings each enabled target
 * of lifeboat.yaml up to date with the repository after a run, and records it in the catalog once
 * the copy was checked. A copy that fails is alerted and recorded as failed, and does not fail the
 * run: the backup itself is safe in the repository, and the next copy sends what this one did not.
 * Whatever was missing goes, so a step put back after a while catches up by itself.
 */
final class CopySteps {
    private static final Logger LOG = LoggerFactory.getLogger(CopySteps.class);
    private final RepositoryAccess repository;
    private final Catalog catalog;
    private final Supplier<BackupMetrics> metrics;
    /** The share of a directory target's disk, in percent, below which it is alerted, unless it says. */
    private static final int DEFAULT_MIN_FREE = 5;

    CopySteps(RepositoryAccess repository, Catalog catalog, Supplier<BackupMetrics> metrics) {
        this.repository = repository;
        this.catalog = catalog;
        this.metrics = metrics;
    }

    /** What is done to a copy once it is checked: the run's retention. */
    @FunctionalInterface
    interface Retention {
        void apply(Repository copy) throws Exception;
    }

    /**
     * Copies to each target, then applies the run's retention there: each copy keeps what the
     * policy keeps of what it holds, so a forget on the repository is not carried over to its copies
     * (one stolen credential cannot empty them all).
     */
    void copy(BackupRun run, String only, Retention retention) throws Exception {
        List<LifeboatConfig.Target> targets = repository.targets().stream()
                .filter(t -> only == null || only.equals(t.name())).toList();
        if (only != null && targets.isEmpty()) {
            run.note("copy-failed", "lifeboat:copy?target=" + only + ": no enabled target of that name in lifeboat.yaml",
                    false);
            return;
        }
        Repository repo = run.repository(repository);
        sendBack(run);
        if (!targets.isEmpty()) {
            metrics.get().storedBytes("primary", repo.store().bytesByClass());
        }
        for (LifeboatConfig.Target t : targets) {
            if (run.writtenTo() != null && run.writtenTo().name().equals(t.name())) {
                continue; // the backup is there already
            }
            BlobStore opened;
            try {
                opened = BlobStores.open(t.path());
            } catch (IllegalArgumentException e) {
                failed(run, t, t.path(), e);
                continue;
            }
            try (BlobStore store = opened) {
                if (copy(run, repo, t, store)) {
                    try {
                        retention.apply(repository.openCopy(store));
                    } catch (InterruptedException e) {
                        throw e;
                    } catch (Exception e) {
                        run.note("retention-failed", "retention in the copy " + t.name() + " failed: " + reason(e), false);
                    }
                }
            }
        }
    }

    /**
     * Once the repository answers again, the backups runs wrote to targets while it could not be
     * reached go back into it (those taken since then, not older ones the target kept longer);
     * until then they wait, and each run tries again.
     */
    private void sendBack(BackupRun run) throws InterruptedException {
        Map<String, Instant> waiting = catalog.writtenToTargets();
        if (waiting.isEmpty() || run.writtenTo() != null) {
            return;
        }
        Repository primary;
        try {
            primary = repository.open();
        } catch (IOException | RuntimeException stillUnreachable) {
            return;
        }
        try (BlobStore repositoryStore = primary.store()) {
            for (Map.Entry<String, Instant> w : waiting.entrySet()) {
                LifeboatConfig.Target t = repository.targets().stream().filter(x -> x.name().equals(w.getKey()))
                        .findFirst().orElse(null);
                if (t == null) {
                    run.note("copy-failed", "target " + w.getKey() + " holds backups the repository lacks but is no"
                            + " longer an enabled target: copy them back with bin/lifeboat copy", false);
                } else {
                    sendBack(run, primary, t, w.getValue());
                }
            }
        } catch (IOException e) {
            LOG.warn("closing the repository after sending backups back: {}", e.getMessage());
        }
    }

    /** The backups the target holds since then that the repository lacks, copied into it. */
    private void sendBack(BackupRun run, Repository primary, LifeboatConfig.Target t, Instant since)
            throws InterruptedException {
        try (BlobStore store = BlobStores.open(t.path())) {
            Repository copy = repository.openCopy(store);
            Set<String> there = Set.copyOf(primary.store().list("snapshots/"));
            Set<String> back = copy.snapshots().stream().filter(s -> !Instant.parse(s.time()).isBefore(since))
                    .map(s -> "snapshots/" + s.id()).filter(name -> !there.contains(name)).collect(Collectors.toSet());
            RepositoryCopy.run(copy, primary.store(), BackupContents.selection(copy,
                    s -> back.contains("snapshots/" + s.id())));
            catalog.backInRepository(t.name());
            run.note(null, back.size() + " backups written to target " + t.name() + " while the repository could not"
                    + " be reached are back in it", false);
            LOG.info("{} backups written to target {} while the repository could not be reached are back in it",
                    back.size(), t.name());
        } catch (InterruptedException e) {
            throw e;
        } catch (Exception e) {
            run.note("copy-failed", "the backups target " + t.name() + " holds for the repository did not go back: "
                    + reason(e), false);
        }
    }

    /** One target brought up to date and recorded; false (alerted, recorded as failed) when that failed. */
    private boolean copy(BackupRun run, Repository repo, LifeboatConfig.Target t, BlobStore store)
            throws InterruptedException {
        try {
            RepositoryCopy.Result copied = t.sources() == null ? RepositoryCopy.run(repo, store)
                    : RepositoryCopy.run(repo, store, BackupContents.selection(repo, BackupContents.ofSources(t.sources())));
            catalog.copyChecked(t.name(), store.location(), copied.snapshots(), copied.objectsSent(), copied.bytesSent());
            metrics.get().copyChecked(t.name(), copied.snapshots().size(), copied.bytesSent());
            Map<String, Long> stored = store.bytesByClass();
            metrics.get().storedBytes(t.name(), stored);
            checkSpace(run, t, store, stored.values().stream().mapToLong(Long::longValue).sum());
            LOG.info("copy to {} ({}): {} objects, {} bytes sent; it holds {} snapshots", t.name(), store.location(),
                    copied.objectsSent(), copied.bytesSent(), copied.snapshots().size());
            return true;
        } catch (InterruptedException e) {
            throw e;
        } catch (Exception e) {
            failed(run, t, store.location(), e);
            return false;
        }
    }

    /** A target past its quota, or a directory target whose disk is nearly full, is alerted. */
    private static void checkSpace(BackupRun run, LifeboatConfig.Target t, BlobStore store, long stored) {
        if (t.quota() != null && stored > ByteSizes.parse(t.quota())) {
            run.note("target-quota", "target " + t.name() + " holds " + stored + " bytes, over its quota of " + t.quota(),
                    false);
        }
        if (store instanceof LocalBlobStore directory) {
            long free;
            long total;
            try {
                FileStore disk = Files.getFileStore(directory.root());
                free = disk.getUsableSpace();
                total = disk.getTotalSpace();
            } catch (IOException e) {
                LOG.warn("the free space under target {} could not be read: {}", t.name(), e.getMessage());
                return;
            }
            int minFree = t.minFree() == null ? DEFAULT_MIN_FREE : t.minFree();
            if (free * 100 < (long) minFree * total) {
                run.note("target-disk-full", "the disk under target " + t.name() + " (" + t.path() + ") has " + free
                        + " of " + total + " bytes free, under its minFree of " + minFree + "%", false);
            }
        }
    }

    /** Shown as failed in the catalog and the metrics, and alerted. */
    private void failed(BackupRun run, LifeboatConfig.Target t, String location, Exception e) {
        catalog.copyFailed(t.name(), location, reason(e));
        metrics.get().copyFailed(t.name());
        run.note("copy-failed", "copy to " + t.name() + " failed: " + reason(e), false);
    }

    private static String reason(Exception e) {
        return e.getMessage() == null ? e.toString() : e.getMessage();
    }
}
