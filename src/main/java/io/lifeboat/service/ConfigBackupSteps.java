package io.lifeboat.service;

import io.lifeboat.api.ConfigSources;
import io.lifeboat.compress.Compression;
import io.lifeboat.config.LifeboatConfig;
import io.lifeboat.config.Retention;
import io.lifeboat.crypto.MasterKey;
import io.lifeboat.maintenance.KeepPolicy;
import io.lifeboat.monitoring.CertificateMetrics;
import io.lifeboat.repository.Repository;
import io.lifeboat.source.config.Certificates;
import io.lifeboat.source.config.ConfigBackups;
import io.lifeboat.source.config.ConfigKeys;
import io.lifeboat.source.config.ConfigSnapshots;
import io.lifeboat.source.config.StoredItem;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.Supplier;

/**
 * What the steps of the config-backup flow do for a configuration source: back it up, record the
 * expiry of the certificates it holds, apply its retention.
 */
public final class ConfigBackupSteps implements ConfigSources {
    /** A certificate that expires sooner than this is alerted with each backup. */
    static final Duration EXPIRING = Duration.ofDays(30);
    private final LiveConfig config;
    private final RepositoryAccess repository;
    private final Supplier<CertificateMetrics> metrics;

    ConfigBackupSteps(LiveConfig config, RepositoryAccess repository, Supplier<CertificateMetrics> metrics) {
        this.config = config;
        this.repository = repository;
        this.metrics = metrics;
    }

    void backup(BackupRun run) throws Exception {
        Repository repo = repository.openForBackup(run::writtenTo);
        // a key is made only for the first configuration backup: later, a missing key is one to put back
        MasterKey key = ConfigKeys.openForBackup(config.get().configKey(), () -> noConfigurationBackup(repo));
        run.snapshot(new ConfigBackups(repo, key).backup(config.configSource(run.getSource()), List.of("run:" + run.getId()),
                Compression.parse(config.get().repository().compression())), repo);
    }

    /** The expiry of every certificate the backup holds into the metrics; one expiring within 30 days, alerted. */
    void certificates(BackupRun run) throws Exception {
        if (run.getSnapshot() == null) {
            return;
        }
        Instant soon = Instant.now().plus(EXPIRING);
        for (StoredItem item : ConfigSnapshots.manifest(run.repository(repository), run.getSnapshot()).items()) {
            for (Certificates.Certificate c : item.certificates() == null ? List.<Certificates.Certificate>of()
                    : item.certificates()) {
                Instant notAfter = Instant.parse(c.notAfter());
                metrics.get().expires(run.getSource(), item.path(), c.subject(), notAfter);
                if (notAfter.isBefore(soon)) {
                    run.note("certificate-expiring", "certificate " + c.subject() + " in " + item.path()
                            + (notAfter.isBefore(Instant.now()) ? " expired " : " expires ") + c.notAfter(), false);
                }
            }
        }
    }

    /** How long the source's backups are kept: its retention. */
    Duration kept(BackupRun run) {
        return Retention.parse(config.configSource(run.getSource()).retention());
    }

    /** The source's retention as a keep policy over its own backups; returns how many were forgotten. */
    int retention(BackupRun run, Repository repo) throws IOException {
        return new KeepPolicy(1, Retention.parse(config.configSource(run.getSource()).retention()))
                .forget(repo, ConfigBackups.of(run.getSource()));
    }

    private static boolean noConfigurationBackup(Repository repo) {
        try {
            return repo.snapshots().stream().noneMatch(s -> s.tags() != null && s.tags().contains(ConfigBackups.TAG));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public ConfigBackups backups() throws IOException {
        return new ConfigBackups(repository.open(), ConfigKeys.open(config.get().configKey()));
    }

    @Override
    public ConfigBackups listing() throws IOException {
        return new ConfigBackups(repository.open(), null);
    }

    @Override
    public LifeboatConfig.ConfigSource source(String name) {
        return config.configSource(name);
    }

    @Override
    public List<String> sources() {
        return config.configSources();
    }
}
