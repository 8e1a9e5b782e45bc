package io.lifeboat.cli;

import io.lifeboat.catalog.Catalog;
import io.lifeboat.config.LifeboatConfig;
import io.lifeboat.service.CatalogRebuild;
import io.lifeboat.service.RepositoryAccess;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

@Command(name = "catalog", mixinStandardHelpOptions = true, description = "Maintain the catalog of backup runs.",
        subcommands = {CatalogCommand.Rebuild.class})
final class CatalogCommand {

    @Command(name = "rebuild", mixinStandardHelpOptions = true,
            description = "Recreate the catalog's runs from the repository alone (one per snapshot).")
    static final class Rebuild implements Callable<Integer> {
        @picocli.CommandLine.Mixin
        ServiceOptions options;

        @Override
        public Integer call() throws Exception {
            LifeboatConfig c = options.load();
            try (Catalog catalog = Catalog.open(c.catalog())) {
                int runs = CatalogRebuild.run(new RepositoryAccess(c.repository(), c::targets, () -> false).openForReading(), catalog, c);
                if (options.json) {
                    Output.json(Map.of("runs", runs));
                } else {
                    System.out.println("catalog rebuilt from " + c.repository().path() + ": " + runs + " runs");
                }
            }
            return 0;
        }
    }
}
