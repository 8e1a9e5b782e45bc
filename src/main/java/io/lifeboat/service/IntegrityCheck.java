package io.lifeboat.service;

import io.lifeboat.catalog.Catalog;
import io.lifeboat.config.LifeboatConfig;
import io.lifeboat.maintenance.Checker;
import io.lifeboat.monitoring.Alerts;
import io.lifeboat.monitoring.RecoveryMetrics;
import io.lifeboat.repository.Progress;
import java.time.Instant;
import java.util.List;
import java.util.function.Supplier;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The step lifeboat:verify-repository (routes/verify.camel.yaml): the repository's structure, and
 * the next of recovery.verify.subsets groups of its packs read whole, in turn, recorded in the
 * catalog, set as metrics, and alerted (verify-failed) when anything is damaged.
 */
final class IntegrityCheck implements Processor {
    private static final Logger LOG = LoggerFactory.getLogger(IntegrityCheck.class);
    private final RepositoryAccess repository;
    private final Catalog catalog;
    private final Supplier<LifeboatConfig> config;
    private final Alerts alerts;
    private final Supplier<RecoveryMetrics> metrics;

    IntegrityCheck(RepositoryAccess repository, Catalog catalog, Supplier<LifeboatConfig> config, Alerts alerts,
                   Supplier<RecoveryMetrics> metrics) {
        this.repository = repository;
        this.catalog = catalog;
        this.config = config;
        this.alerts = alerts;
        this.metrics = metrics;
    }

    @Override
    public void process(Exchange exchange) throws Exception {
        int subsets = config.get().recovery().verify().subsets();
        List<Catalog.VerifyRun> runs = catalog.verifyRuns();
        // the group after the last one read; a changed number of groups starts again at the first
        int subset = runs.isEmpty() || runs.get(0).subsets() != subsets ? 1 : runs.get(0).subset() % subsets + 1;
        Instant started = Instant.now();
        Checker.Report report = new Checker(repository.open(), new Checker.Subset(subset, subsets), new Progress()).run();
        String first = report.errors().isEmpty() ? null
                : report.errors().get(0).object() + ": " + report.errors().get(0).message();
        catalog.verifyRecorded(new Catalog.VerifyRun(started, subset, subsets, report.packsRead(), report.errors().size(),
                first));
        metrics.get().verified(report.errors().size(), report.packsRead());
        String said = "integrity check " + subset + "/" + subsets + ": " + report.snapshots() + " snapshots, "
                + report.packsRead() + " of " + report.packs() + " packs read, " + report.errors().size() + " errors";
        if (!report.ok()) {
            alerts.raise("verify-failed", "repository", "verify", said + "; first: " + first);
        }
        LOG.info(said);
        exchange.getMessage().setBody(said);
    }
}
