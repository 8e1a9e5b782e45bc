package io.lifeboat.cli;

import io.lifeboat.catalog.Catalog;
import io.lifeboat.config.ConfigLoader;
import io.lifeboat.config.LifeboatConfig;
import io.lifeboat.service.CatalogRebuild;
import io.lifeboat.service.RepositoryAccess;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "catalog", mixinStandardHelpOptions = true, description = "Maintain the catalog of backup runs.",
        subcommands = {CatalogCommand.Rebuild.class})
final class CatalogCommand {

    @Command(name = "rebuild", mixinStandardHelpOptions = true,
            description = "Recreate the catalog's runs from the repository alone (one per snapshot).")
    static final class Rebuild implements Callable<Integer> {
        @Option(names = "--config", paramLabel = "DIR", defaultValue = "config",
                description = "configuration directory; default ${DEFAULT-VALUE}")
        Path config;

        @Option(names = "--json", description = "print machine-readable JSON")
        boolean json;

        @Override
        public Integer call() throws Exception {
            LifeboatConfig c = ConfigLoader.load(config);
            try (Catalog catalog = Catalog.open(c.catalog().url(), c.catalog().user(),
                    c.catalog().passwordEnv() == null ? null : System.getenv(c.catalog().passwordEnv()))) {
                int runs = CatalogRebuild.run(new RepositoryAccess(c.repository()).open(), catalog, c);
                if (json) {
                    Output.json(Map.of("runs", runs));
                } else {
                    System.out.println("catalog rebuilt from " + c.repository().path() + ": " + runs + " runs");
                }
            }
            return 0;
        }
    }
}
