package io.lifeboat.service;

import io.lifeboat.api.ApiHttpEngine;
import io.lifeboat.api.Authorizer;
import io.lifeboat.api.BackupApi;
import io.lifeboat.catalog.Catalog;
import io.lifeboat.config.ConfigLoader;
import io.lifeboat.config.LifeboatConfig;
import io.lifeboat.config.UnixCron;
import io.lifeboat.monitoring.Alerts;
import io.lifeboat.monitoring.BackupMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.StartupListener;
import org.apache.camel.builder.TemplatedRouteBuilder;

/**
 * Wires the service: reads config/lifeboat.yaml, opens the catalog, binds the beans the YAML
 * routes call, and once the routes are loaded creates one route per enabled file source from the
 * file-backup template. The config directory is the property lifeboat.config-dir.
 */
public final class LifeboatConfiguration implements CamelConfiguration {

    @Override
    public void configure(CamelContext context) throws Exception {
        Path dir = Path.of(context.getPropertiesComponent().resolveProperty("lifeboat.config-dir").orElse("config"));
        LifeboatConfig config = ConfigLoader.load(dir);
        Files.createDirectories(Path.of(config.dropFolder().inbox()));
        Catalog catalog = Catalog.open(config.catalog());
        RepositoryAccess repository = new RepositoryAccess(config.repository());
        repository.createIfMissing();
        catalog.failUnfinishedRuns("interrupted: the service stopped while it ran");
        BackupMetrics[] metrics = new BackupMetrics[1];
        java.util.function.Supplier<BackupMetrics> metricsOnce = () -> {
            synchronized (metrics) {
                if (metrics[0] == null) {
                    metrics[0] = new BackupMetrics(meterRegistry(context));
                }
                return metrics[0];
            }
        };
        org.apache.camel.ProducerTemplate producer = context.createProducerTemplate();
        Alerts alerts = new Alerts(line -> producer.sendBody("direct:alert", line));
        FileBackups files = new FileBackups(config, repository, catalog, metricsOnce, alerts);
        DatabaseBackups databases = new DatabaseBackups(config, repository, catalog, metricsOnce, alerts);
        context.getRegistry().bind("databaseBackups", databases);
        context.addService(new WalReceivers(config, repository));
        int port = Integer.parseInt(context.getPropertiesComponent().resolveProperty("camel.server.port").orElse("8080"));
        context.getRegistry().bind("platform-http-engine", new ApiHttpEngine(port));
        context.getRegistry().bind("lifeboatConfig", config);
        context.getRegistry().bind("catalog", catalog);
        context.getRegistry().bind("fileBackups", files);
        context.getRegistry().bind("dropFolder", new DropFolder(Path.of(config.dropFolder().inbox()),
                java.time.Duration.ofSeconds(config.dropFolder().settleSeconds()), files));
        context.getRegistry().bind("authorizer", new Authorizer(catalog));
        context.getRegistry().bind("backupApi", new BackupApi(catalog, files, databases));
        context.getPropertiesComponent().addInitialProperty("lifeboat.inbox", config.dropFolder().inbox());
        context.getPropertiesComponent().addInitialProperty("lifeboat.inbox-enabled",
                String.valueOf(config.dropFolder().active()));
        context.getPropertiesComponent().addInitialProperty("lifeboat.inbox-settle-ms",
                String.valueOf(config.dropFolder().settleSeconds() * 1000L));
        if (Boolean.parseBoolean(context.getPropertiesComponent().resolveProperty("lifeboat.routes-reload")
                .orElse("true"))) {
            context.addService(new ValidatingRouteReload(context.getPropertiesComponent()
                    .resolveProperty("lifeboat.routes-directory").orElse("routes"), "*.camel.yaml"));
        }
        context.addStartupListener(new StartupListener() {
            @Override
            public void onCamelContextStarted(CamelContext ctx, boolean alreadyStarted) {
            }

            @Override
            public void onCamelContextFullyStarted(CamelContext ctx, boolean alreadyStarted) throws Exception {
                for (LifeboatConfig.FileSource s : config.files()) {
                    if (s.active()) {
                        TemplatedRouteBuilder.builder(ctx, "file-backup").routeId("file-backup-" + s.name())
                                .parameter("source", s.name()).parameter("cron", UnixCron.toQuartz(s.schedule())).add();
                    }
                }
                for (LifeboatConfig.Database d : config.databases()) {
                    for (String scope : java.util.List.of("full", "incremental", "log")) {
                        LifeboatConfig.Schedule s = switch (scope) {
                            case "full" -> d.full();
                            case "incremental" -> d.incremental();
                            default -> d.log();
                        };
                        if (d.active() && s != null) {
                            TemplatedRouteBuilder.builder(ctx, "database-backup")
                                    .routeId("database-" + scope + "-" + d.name()).parameter("source", d.name())
                                    .parameter("scope", scope).parameter("cron", UnixCron.toQuartz(s.schedule())).add();
                        }
                    }
                }
            }
        });
    }

    /** Camel's Micrometer registry when metrics are on (so backup metrics are scraped with its own). */
    private static MeterRegistry meterRegistry(CamelContext context) {
        MeterRegistry registry = context.getRegistry().findSingleByType(MeterRegistry.class);
        return registry != null ? registry : new SimpleMeterRegistry();
    }
}
