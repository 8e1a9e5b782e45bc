package io.lifeboat.source.config;

import io.lifeboat.config.LifeboatConfig;
import io.lifeboat.crypto.MasterKey;
import io.lifeboat.crypto.SealingKeyFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.BooleanSupplier;

/**
 * The configuration key as configKey in lifeboat.yaml gives it: a file or an environment variable.
 * Only a backup makes a missing key file (with configKey.create): anything that reads backups needs
 * the key they were sealed under, and a new one would open none of them.
 */
public final class ConfigKeys {
    private ConfigKeys() {
    }

    /** The key; IOException saying where to put it back when it is not there. */
    public static MasterKey open(LifeboatConfig.ConfigKey k) throws IOException {
        return open(k, () -> false);
    }

    /**
     * The key for a backup: a missing key file is made (with configKey.create) only when
     * firstBackup says the repository holds no configuration backup yet; asked only then.
     */
    public static MasterKey openForBackup(LifeboatConfig.ConfigKey k, BooleanSupplier firstBackup) throws IOException {
        return open(k, firstBackup);
    }

    private static MasterKey open(LifeboatConfig.ConfigKey k, BooleanSupplier mayCreate) throws IOException {
        if (k.env() != null) {
            String value = System.getenv(k.env());
            if (value == null) {
                throw new IOException("configKey.env: environment variable " + k.env() + " is not set");
            }
            return SealingKeyFile.parse(value, "environment variable " + k.env());
        }
        Path file = Path.of(k.file());
        return SealingKeyFile.load(file, !Files.exists(file) && k.createIfMissing() && mayCreate.getAsBoolean());
    }
}
