package io.lifeboat.cli;

import io.lifeboat.catalog.Catalog;
import io.lifeboat.config.ConfigLoader;
import io.lifeboat.config.LifeboatConfig;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The options of commands that act on the service's state: its configuration directory, and --json. */
final class ServiceOptions {
    @Option(names = "--config", paramLabel = "DIR", defaultValue = "config",
            description = "configuration directory; default ${DEFAULT-VALUE}")
    Path config;

    @Option(names = "--json", description = "print machine-readable JSON")
    boolean json;

    LifeboatConfig load() {
        return ConfigLoader.load(config);
    }

    Catalog openCatalog() {
        return Catalog.open(load().catalog());
    }
}
