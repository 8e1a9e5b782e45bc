package io.lifeboat.api;

import io.lifeboat.config.LifeboatConfig;
import io.lifeboat.source.config.ConfigBackups;
import java.io.IOException;
import java.util.List;

/** What the configuration endpoints need of the service: the configured sources and their backups. */
public interface ConfigSources {
    /** The configuration backups, opened with the configuration key (never made here). */
    ConfigBackups backups() throws IOException;

    /** The configuration backups, to list them: no key needed. */
    ConfigBackups listing() throws IOException;

    /** The configured source of that name, or null. */
    LifeboatConfig.ConfigSource source(String name);

    List<String> sources();
}
