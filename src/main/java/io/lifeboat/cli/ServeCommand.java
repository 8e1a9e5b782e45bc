package io.lifeboat.cli;

import io.lifeboat.service.LifeboatConfiguration;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.apache.camel.main.Main;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "serve", mixinStandardHelpOptions = true,
        description = "Run the service: the routes in routes/, their schedules, the drop folder and the HTTP API.")
final class ServeCommand implements Callable<Integer> {
    @Option(names = "--config", paramLabel = "DIR", defaultValue = "config",
            description = "configuration directory (lifeboat.yaml, application.properties); default ${DEFAULT-VALUE}")
    Path config;

    @Override
    public Integer call() throws Exception {
        Main main = new Main();
        main.configure().addConfiguration(LifeboatConfiguration.class);
        // The first location that sets a property wins: the operator's file over the embedded defaults.
        main.setPropertyPlaceholderLocations("file:" + config.resolve("application.properties")
                + ";optional=true,classpath:application.properties;optional=true");
        main.addOverrideProperty("lifeboat.config-dir", config.toString());
        main.run();
        return main.getExitCode();
    }
}
