package io.lifeboat.service;

import io.lifeboat.catalog.Catalog;
import io.lifeboat.config.LifeboatConfig;
import io.lifeboat.monitoring.BackupMetrics;
import io.lifeboat.repository.Repository;
import io.lifeboat.repository.RepositoryCopy;
import io.lifeboat.storage.BlobStore;
import io.lifeboat.storage.BlobStores;
import java.util.List;
import java.util.function.Supplier;
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
        if (!targets.isEmpty()) {
            metrics.get().storedBytes("primary", repo.store().bytesByClass());
        }
        for (LifeboatConfig.Target t : targets) {
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

    /** One target brought up to date and recorded; false (alerted, recorded as failed) when that failed. */
    private boolean copy(BackupRun run, Repository repo, LifeboatConfig.Target t, BlobStore store)
            throws InterruptedException {
        try {
            RepositoryCopy.Result copied = RepositoryCopy.run(repo, store);
            catalog.copyChecked(t.name(), store.location(), copied.snapshots(), copied.objectsSent(), copied.bytesSent());
            metrics.get().copyChecked(t.name(), copied.snapshots().size(), copied.bytesSent());
            metrics.get().storedBytes(t.name(), store.bytesByClass());
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
