package io.lifeboat.recovery;

import com.fasterxml.jackson.annotation.JsonAutoDetect;
import com.fasterxml.jackson.annotation.PropertyAccessor;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.lifeboat.catalog.Catalog;
import io.lifeboat.config.Durations;
import io.lifeboat.config.LifeboatConfig;
import io.lifeboat.monitoring.Alerts;
import io.lifeboat.monitoring.RecoveryMetrics;
import io.lifeboat.source.DirectoryTrees;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.apache.camel.ProducerTemplate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Recoveries and drills from their plan to their end: planned against the configuration, the
 * repository and the route they run through; kept in the catalog as they go; ended with their
 * measured RTO (and, for a drill, the achieved RPO), alerted when they fail or miss a target.
 */
public final class Recoveries {
    private static final Logger LOG = LoggerFactory.getLogger(Recoveries.class);
    /** A recovery's state as stored: its fields, not its getters (which compute progress and estimates). */
    static final ObjectMapper JSON = JsonMapper.builder().addModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .visibility(PropertyAccessor.ALL, JsonAutoDetect.Visibility.NONE)
            .visibility(PropertyAccessor.FIELD, JsonAutoDetect.Visibility.ANY).build();

    private final Supplier<LifeboatConfig> config;
    private final RecoverySteps.RepositoryOpener repository;
    private final Catalog catalog;
    private final Alerts alerts;
    private final ProducerTemplate producer;
    private final Supplier<RecoveryMetrics> metrics;
    /** The service's own configuration directory, which a disaster recovery in place leaves alone. */
    private final Path serviceConfig;
    private final Abort abort;
    /** Running recoveries an abort was asked for. */
    private final Set<String> aborting = ConcurrentHashMap.newKeySet();

    public Recoveries(Supplier<LifeboatConfig> config, Path serviceConfig, RecoverySteps.RepositoryOpener repository,
                      Catalog catalog, Alerts alerts, ProducerTemplate producer, Supplier<RecoveryMetrics> metrics,
                      Protection protection) {
        this.metrics = metrics;
        this.serviceConfig = serviceConfig;
        this.config = config;
        this.abort = new Abort(config, protection);
        this.repository = repository;
        this.catalog = catalog;
        this.alerts = alerts;
        this.producer = producer;
    }

    /** A recovery as asked, with its steps as its route has them and their estimates; nothing is touched. */
    public Recovery plan(String type, String backupId, String target, List<String> paths, String pointInTime)
            throws IOException {
        Recovery r = planner(null).plan(type, backupId, target, paths, pointInTime);
        listSteps(r);
        return r;
    }

    /**
     * Plans and records a recovery; its route then runs it. One that would restore a source a
     * running recovery restores in place, or write to its target, is refused (409).
     */
    public synchronized Recovery initiate(String type, String backupId, String target, List<String> paths,
                                          String pointInTime) throws IOException {
        Recovery r = plan(type, backupId, target, paths, pointInTime);
        refuseWhileAnotherRestores(r);
        save(r);
        LOG.info("recovery {} ({} from {}) begins", r.id, r.type, r.backupId);
        return r;
    }

    private void refuseWhileAnotherRestores(Recovery r) {
        for (Catalog.StoredRecovery stored : catalog.recoveriesInProgress()) {
            if (!stored.drill() && !stored.id().equals(r.id)) {
                Recovery running = read(stored);
                boolean sameTarget = r.target != null && r.target.equals(running.target);
                boolean samePlace = r.items.stream().anyMatch(i -> i.inPlace() && running.items.stream()
                        .anyMatch(o -> o.inPlace() && o.source.equals(i.source)));
                if (sameTarget || samePlace) {
                    throw new RecoveryRequestException(409, "recovery " + running.id + " (" + running.type
                            + ") is restoring the same " + (sameTarget ? "target" : "source") + "; wait for it to end");
                }
            }
        }
    }

    /**
     * A failed recovery goes on through its route from the step that failed (finished steps and
     * finished items are skipped, a staged copy is handed over without restoring it again).
     */
    public synchronized Recovery resume(String id) {
        Recovery r = existing(id);
        if (r.drill || !Recovery.FAILED.equals(r.status)) {
            throw new RecoveryRequestException(409, "recovery " + id + " is " + (r.drill ? "a drill" : r.status)
                    + "; only a failed recovery can be resumed");
        }
        refuseWhileAnotherRestores(r);
        r.status = Recovery.IN_PROGRESS;
        r.error = null;
        r.finishedAt = null;
        r.rtoMs = null;
        r.steps.stream().filter(s -> Recovery.Step.FAILED.equals(s.status)).forEach(s -> s.status = Recovery.Step.PENDING);
        r.resumed++;
        save(r);
        LOG.warn("recovery {} is resumed on request, from its failed step", id);
        return r;
    }

    /**
     * Stops a recovery and puts back what it changed. A failed one is put back now; a running one
     * stops before its next step (a wait for archived objects at once) and its route's end puts it
     * back. Answers the recovery, with what was put back so far.
     */
    public synchronized Recovery abort(String id) throws Exception {
        Recovery r = existing(id);
        if (Recovery.IN_PROGRESS.equals(r.status)) {
            aborting.add(id);
            LOG.warn("recovery {}: an abort was asked; it stops before its next step", id);
            return r;
        }
        if (!Recovery.FAILED.equals(r.status)) {
            throw new RecoveryRequestException(409, "recovery " + id + " is " + r.status + "; there is nothing to abort");
        }
        putBack(r);
        return r;
    }

    /**
     * The running recovery that restores this source in place, if any: its backups (but the ones
     * it makes itself) wait for it to end.
     */
    public Optional<String> restoringInPlace(String source) {
        return running(catalog).filter(r -> r.items.stream().anyMatch(i -> i.inPlace() && i.source.equals(source)))
                .map(Recovery::getId).findFirst();
    }

    /** Whether a running recovery holds this database's log streaming while it hands its data over. */
    public static boolean holdsStreaming(Catalog catalog, String database) {
        return running(catalog).anyMatch(r -> r.items.stream().anyMatch(i -> i.streamingHeld && i.source.equals(database)));
    }

    private static Stream<Recovery> running(Catalog catalog) {
        return catalog.recoveriesInProgress().stream().filter(s -> !s.drill()).map(Recoveries::read);
    }

    /** Whether an abort was asked for this running recovery. */
    boolean aborting(String id) {
        return aborting.contains(id);
    }

    private void putBack(Recovery r) throws Exception {
        r.putBack.addAll(abort.putBack(r, () -> save(r)));
        r.status = Recovery.ABORTED;
        if (r.finishedAt == null) {
            r.finishedAt = Instant.now(); // a running one ends here; a failed one keeps when it failed
        }
        aborting.remove(r.id);
        save(r);
        LOG.warn("recovery {} aborted: {}", r.id, r.putBack);
    }

    private Recovery existing(String id) {
        return load(id).orElseThrow(() -> new RecoveryRequestException(404, "no recovery '" + clip(id) + "'"));
    }

    private static String clip(String text) {
        return text.length() > 64 ? text.substring(0, 64) + "…" : text;
    }

    /**
     * Plans and records the configured drill, into a sandbox of its own; refused (409) while another
     * drill runs. A drill that cannot even
     * be planned (nothing backed up yet, say) is recorded as a failed drill and alerted: a week
     * without a drill must not pass unnoticed.
     */
    public synchronized Recovery beginDrill() throws IOException {
        for (Catalog.StoredRecovery stored : catalog.recoveriesInProgress()) {
            if (stored.drill()) {
                throw new RecoveryRequestException(409, "restore drill " + stored.id() + " is still running; one drill"
                        + " at a time");
            }
        }
        Recovery r;
        try {
            LifeboatConfig.Drills drills = config.get().recovery().drills();
            r = planner(drills.from()).drill(Path.of(drills.sandbox()));
            r.readFrom = drills.from();
            listSteps(r);
        } catch (IOException | RuntimeException e) {
            Recovery failed = RecoveryPlanner.unplannedDrill(e.getMessage());
            end(failed);
            throw e;
        }
        save(r);
        LOG.info("restore drill {} ({}) begins in {}", r.id, r.type, r.target);
        return r;
    }

    /** The route's steps in order, each with its estimate: the recovery passes through in planning mode. */
    private void listSteps(Recovery r) {
        r.planning = true;
        try {
            producer.requestBody("direct:recovery-" + r.type, r);
        } catch (RuntimeException e) {
            throw new IllegalStateException("the route recovery-" + r.type + " could not plan: " + e.getMessage(), e);
        } finally {
            r.planning = false;
        }
    }

    private RecoveryPlanner planner(String copy) throws IOException {
        return new RecoveryPlanner(config.get(), serviceConfig, repository.open(copy), catalog);
    }

    /** The end of a recovery's route: its status, RTO and RPO recorded, and alerts for what went wrong. */
    void end(Recovery r) {
        if (aborting(r.id)) {
            try {
                putBack(r);
            } catch (Exception e) {
                r.fail("aborted, but putting back failed: " + e.getMessage());
                aborting.remove(r.id);
            }
            if (Recovery.ABORTED.equals(r.status)) {
                return;
            }
        }
        r.finishedAt = Instant.now();
        r.status = r.error == null ? Recovery.COMPLETED : Recovery.FAILED;
        r.rtoMs = Duration.between(r.createdAt, r.finishedAt).toMillis();
        Instant stalest = r.items.stream().map(i -> i.newestPoint).filter(Objects::nonNull)
                .min(Instant::compareTo).orElse(null);
        if (r.drill && stalest != null) {
            r.rpoMs = Math.max(0, Duration.between(stalest, r.createdAt).toMillis());
        }
        if (r.drill) { // before the drill reads as ended
            try {
                DirectoryTrees.delete(Path.of(r.target));
            } catch (IOException e) {
                LOG.warn("drill sandbox {} not removed: {}", r.target, e.getMessage());
            }
        }
        String what = r.drill ? "restore drill" : "recovery";
        try {
            metrics.get().record(r.type, r.drill, r.error == null, Duration.ofMillis(r.rtoMs),
                    r.rpoMs == null ? null : Duration.ofMillis(r.rpoMs));
            if (r.error != null) {
                alerts.raise("recovery-failed", r.id, r.type, what + " " + r.id + " failed: " + r.error);
            }
            if (r.rtoTarget != null && r.rtoMs > Durations.parse(r.rtoTarget).toMillis()) {
                alerts.raise("rto-exceeded", r.id, r.type, what + " " + r.id + " took " + seconds(r.rtoMs)
                        + ", over the RTO target of " + r.rtoTarget);
            }
            if (r.rpoTarget != null && r.rpoMs != null && r.rpoMs > Durations.parse(r.rpoTarget).toMillis()) {
                alerts.raise("rpo-exceeded", r.id, r.type, what + " " + r.id + ": the newest restorable point was "
                        + seconds(r.rpoMs) + " old, over the RPO target of " + r.rpoTarget);
            }
        } finally {
            save(r); // last: whoever sees it ended sees its alerts and metrics too
        }
        LOG.info("{} {} {}: RTO {}{}", what, r.id, r.status, seconds(r.rtoMs), r.rpoMs == null ? ""
                : ", RPO " + seconds(r.rpoMs));
    }

    private static String seconds(long ms) {
        return String.format("%.1f s", ms / 1000.0);
    }

    /** A recovery that cannot go on: failed with the reason, and ended. */
    public void abandon(Recovery r, String reason) {
        r.fail(reason);
        end(r);
    }

    /** Writes the recovery's state to the catalog. */
    void save(Recovery r) {
        catalog.saveRecovery(new Catalog.StoredRecovery(r.id, r.type, r.drill, r.status, r.createdAt, r.finishedAt,
                null, json(r)));
    }

    public Optional<Recovery> load(String id) {
        return catalog.recovery(id).map(Recoveries::read);
    }

    /** Drills, newest first. */
    public List<Recovery> drills() {
        return catalog.recoveries(true).stream().map(Recoveries::read).toList();
    }

    /**
     * At start-up: this node's recoveries that a stop cut short, to send through their routes again
     * (finished steps are skipped); one whose route is gone is failed with that reason.
     */
    public List<Recovery> resumable() {
        List<Recovery> out = new ArrayList<>();
        for (Catalog.StoredRecovery stored : catalog.unfinishedRecoveries()) {
            Recovery r = read(stored);
            r.resumed++;
            save(r);
            LOG.warn("recovery {} was cut short by a stop; it continues from its last finished step (resumed {} times)",
                    r.id, r.resumed);
            out.add(r);
        }
        return out;
    }

    private static Recovery read(Catalog.StoredRecovery stored) {
        try {
            return JSON.readValue(stored.state(), Recovery.class);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("recovery " + stored.id() + " in the catalog is unreadable: " + e.getMessage());
        }
    }

    private static String json(Recovery r) {
        try {
            return JSON.writeValueAsString(r);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
