package io.lifeboat.service;

import io.lifeboat.api.ApiHttpEngine;
import io.lifeboat.api.Authorizer;
import io.lifeboat.api.BackupApi;
import io.lifeboat.api.ConfigApi;
import io.lifeboat.api.RecoveryApi;
import io.lifeboat.api.RoutesApi;
import io.lifeboat.catalog.Catalog;
import io.lifeboat.config.ConfigLoader;
import io.lifeboat.config.LifeboatConfig;
import io.lifeboat.config.UnixCron;
import io.lifeboat.monitoring.Alerts;
import io.lifeboat.monitoring.BackupMetrics;
import io.lifeboat.monitoring.CertificateMetrics;
import io.lifeboat.monitoring.RecoveryMetrics;
import io.lifeboat.recovery.Recoveries;
import io.lifeboat.recovery.Recovery;
import io.lifeboat.recovery.RecoverySteps;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.StartupListener;
import org.apache.camel.spi.PropertiesComponent;
import org.slf4j.LoggerFactory;

/**
 * Wires the service: reads config/lifeboat.yaml, opens the catalog and the repository, binds the
 * lifeboat: component and the beans the YAML routes call, and once the routes are loaded makes
 * the routes of each enabled source from the templates. Edits of the route files and of
 * lifeboat.yaml are applied while it runs. The config directory is the property
 * lifeboat.config-dir.
 */
public final class LifeboatConfiguration implements CamelConfiguration {
    @Override
    public void configure(CamelContext context) throws Exception {
        PropertiesComponent properties = context.getPropertiesComponent();
        Path dir = Path.of(properties.resolveProperty("lifeboat.config-dir").orElse("config"));
        Supplier<MeterRegistry> registry = once(() -> meterRegistry(context));
        Reloads reloads = new Reloads(registry);
        LiveConfig config = new LiveConfig(dir, ConfigLoader.load(dir), reloads);
        LifeboatConfig started = config.get();
        Files.createDirectories(Path.of(started.dropFolder().inbox()));
        Catalog catalog = Catalog.open(started.catalog());
        SharedSchedules.configure(context, catalog);
        RepositoryAccess repository = new RepositoryAccess(started.repository(), () -> config.get().targets(),
                () -> config.get().repository().writesToTargetWhenUnreachable());
        repository.createIfMissing();
        catalog.failUnfinishedRuns("interrupted: the service stopped while it ran");

        ProducerTemplate producer = context.createProducerTemplate();
        Alerts alerts = new Alerts(line -> producer.sendBody("direct:alert", line));
        Supplier<BackupMetrics> backupMetrics = once(() -> new BackupMetrics(registry.get()));
        Runs runs = new Runs(catalog, config, backupMetrics, alerts);
        runs.failRunsOfGoneNodes();
        ConfigBackupSteps configSteps = new ConfigBackupSteps(config, repository,
                once(() -> new CertificateMetrics(registry.get())));
        WalReceivers receivers = new WalReceivers(config, repository, db -> Recoveries.holdsStreaming(catalog, db));
        RecoveryBackups recoveryBackups = new RecoveryBackups(producer, receivers);
        Supplier<RecoveryMetrics> recoveryMetrics = once(() -> new RecoveryMetrics(registry.get()));
        Recoveries recoveries = new Recoveries(config::get, dir, repository::openForReading, catalog, alerts, producer,
                recoveryMetrics, recoveryBackups);
        FlowSteps flowSteps = new FlowSteps(repository, runs, new FileBackupSteps(config, repository),
                new DatabaseBackupSteps(config, repository, catalog, receivers), configSteps,
                new CopySteps(repository, catalog, backupMetrics), recoveries::restoringInPlace);
        LifeboatComponent steps = new LifeboatComponent(flowSteps, new RecoverySteps(config::get, repository::openForReading,
                catalog, recoveries, recoveryBackups, context::isStopping),
                new IntegrityCheck(repository, catalog, config::get, alerts, recoveryMetrics));
        context.addComponent("lifeboat", steps);
        context.getRegistry().bind("finishRunWhenDone", flowSteps.finishWhenDone());

        Authorizer authorizer = new Authorizer(catalog);
        int port = Integer.parseInt(properties.resolveProperty("camel.server.port").orElse("8080"));
        context.getRegistry().bind("platform-http-engine", new ApiHttpEngine(port));
        context.getRegistry().bind("apiJson", BackupApi.JSON);
        context.getRegistry().bind("lifeboatConfig", config);
        context.getRegistry().bind("catalog", catalog);
        context.getRegistry().bind("reloads", reloads);
        context.getRegistry().bind("authorizer", authorizer);
        context.getRegistry().bind("backupApi", new BackupApi(catalog, authorizer, new BackupTriggers(runs, config)));
        context.getRegistry().bind("configApi", new ConfigApi(configSteps, config::get, authorizer));
        context.getRegistry().bind("recoveries", recoveries);
        context.getRegistry().bind("recoveryApi", new RecoveryApi(recoveries, authorizer));
        LifeboatConfig.Drills drills = started.recovery().drills();
        properties.addInitialProperty("lifeboat.drills-enabled", String.valueOf(drills.active()));
        properties.addInitialProperty("lifeboat.drill-cron", UnixCron.toQuartz(drills.schedule()));
        LifeboatConfig.Verify verify = started.recovery().verify();
        properties.addInitialProperty("lifeboat.verify-enabled", String.valueOf(verify.active()));
        properties.addInitialProperty("lifeboat.verify-cron", UnixCron.toQuartz(verify.schedule()));
        context.getRegistry().bind("dropFolder", new DropFolder(Path.of(started.dropFolder().inbox()),
                Duration.ofSeconds(started.dropFolder().settleSeconds()), path -> producer.requestBodyAndHeaders(
                        "direct:file-backup", null, Map.of("source", BackupRun.DROP_FOLDER, "path", path.toString()),
                        BackupRun.class)));
        properties.addInitialProperty("lifeboat.inbox", started.dropFolder().inbox());
        properties.addInitialProperty("lifeboat.inbox-enabled", String.valueOf(started.dropFolder().active()));
        properties.addInitialProperty("lifeboat.inbox-settle-ms",
                String.valueOf(started.dropFolder().settleSeconds() * 1000L));

        context.addService(receivers);
        SourceRoutes sourceRoutes = new SourceRoutes(context);
        context.getRegistry().bind("routesApi", new RoutesApi(context, reloads::all, sourceRoutes::templateOf));
        if (Boolean.parseBoolean(properties.resolveProperty("lifeboat.routes-reload").orElse("true"))) {
            context.addService(new ValidatingRouteReload(properties.resolveProperty("lifeboat.routes-directory")
                    .orElse("routes"), "*.camel.yaml", reloads, steps, sourceRoutes));
            context.addService(new ConfigWatcher(config));
        }
        config.onChange(sourceRoutes::apply);
        config.onChange(receivers::apply);
        context.addStartupListener(new StartupListener() {
            @Override
            public void onCamelContextStarted(CamelContext ctx, boolean alreadyStarted) {
            }

            @Override
            public void onCamelContextFullyStarted(CamelContext ctx, boolean alreadyStarted) throws Exception {
                sourceRoutes.apply(config.get());
                // stopped with the context by its executor manager
                ctx.getExecutorServiceManager().newSingleThreadScheduledExecutor(sourceRoutes, "schedule-mender")
                        .scheduleWithFixedDelay(() -> {
                            try {
                                sourceRoutes.mendLostSchedules();
                            } catch (Exception e) {
                                LoggerFactory.getLogger(SourceRoutes.class).warn("checking the schedules failed: {}",
                                        e.getMessage());
                            }
                        }, 5, 5, TimeUnit.SECONDS);
                resume(ctx, recoveries, producer);
            }
        });
    }

    /**
     * Recoveries a stop cut short go on through their routes, skipping the steps they finished; one
     * whose route is gone ends failed, saying so.
     */
    private static void resume(CamelContext context, Recoveries recoveries, ProducerTemplate producer) {
        for (Recovery r : recoveries.resumable()) {
            if (context.getRoute("recovery-" + r.getType()) == null) {
                recoveries.abandon(r, "the service stopped during the recovery, and the route recovery-" + r.getType()
                        + " it ran through is gone");
            } else {
                producer.asyncSendBody("direct:recovery-" + r.getType(), r);
            }
        }
    }

    /** Made on first use, then the same: Camel's meter registry exists only once the context runs. */
    private static <T> Supplier<T> once(Supplier<T> make) {
        Object[] made = new Object[1];
        return () -> {
            synchronized (made) {
                if (made[0] == null) {
                    made[0] = make.get();
                }
                @SuppressWarnings("unchecked")
                T value = (T) made[0];
                return value;
            }
        };
    }

    /** Camel's Micrometer registry when metrics are on (so backup metrics are scraped with its own). */
    private static MeterRegistry meterRegistry(CamelContext context) {
        MeterRegistry registry = context.getRegistry().findSingleByType(MeterRegistry.class);
        return registry != null ? registry : new SimpleMeterRegistry();
    }
}
