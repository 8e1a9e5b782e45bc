package io.lifeboat.source.config;

import io.lifeboat.config.LifeboatConfig;
import io.lifeboat.crypto.MasterKey;
import io.lifeboat.crypto.SealingKeyFile;
import java.io.IOException;
import java.nio.file.Path;

/**
 * The configuration key as configKey in lifeboat.yaml gives it: a file or an environment variable.
 * Only a backup makes a missing key file (with configKey.create): anything that reads backups needs
 * the key they were sealed under, and a new one would open none of them.
 */
public final class ConfigKeys {
    private ConfigKeys() {
    }

    public static MasterKey open(LifeboatConfig.ConfigKey k, boolean mayCreate) throws IOException {
        if (k.env() != null) {
            String value = System.getenv(k.env());
            if (value == null) {
                throw new IOException("configKey.env: environment variable " + k.env() + " is not set");
            }
            return SealingKeyFile.parse(value, "environment variable " + k.env());
        }
        return SealingKeyFile.load(Path.of(k.file()), mayCreate && k.createIfMissing());
    }
}
