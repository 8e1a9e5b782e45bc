package io.lifeboat.service;

import io.lifeboat.config.ConfigException;
import io.lifeboat.config.ConfigLoader;
import io.lifeboat.config.LifeboatConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The configuration the service runs on, replaced live when an operator's edit of lifeboat.yaml
 * validates. Sources and databases (added, removed, enabled, rescheduled, retention) apply at
 * once, and so do targets and the repository's whenUnreachable policy; the repository's place, the
 * catalog and the drop folder are opened at start-up, so edits to them wait for a restart and the
 * reload says so. An edit that does not validate changes nothing.
 */
public final class LiveConfig {
    static final String KIND = "configuration";
    private final Path dir;
    private final Reloads reloads;
    private final List<Listener> listeners = new CopyOnWriteArrayList<>();
    private volatile LifeboatConfig current;

    LiveConfig(Path dir, LifeboatConfig initial, Reloads reloads) {
        this.dir = dir;
        this.current = initial;
        this.reloads = reloads;
    }

    public LifeboatConfig get() {
        return current;
    }

    /** An enabled file source; IllegalArgumentException saying so otherwise. */
    LifeboatConfig.FileSource fileSource(String name) {
        return current.files().stream().filter(f -> f.name().equals(name) && f.active()).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no enabled file source named '" + name + "'"));
    }

    /** An enabled configuration source; IllegalArgumentException saying so otherwise. */
    LifeboatConfig.ConfigSource configSource(String name) {
        return current.configs().stream().filter(c -> c.name().equals(name) && c.active()).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no enabled configuration source named '" + name + "'"));
    }

    List<String> configSources() {
        return current.configs().stream().filter(LifeboatConfig.ConfigSource::active)
                .map(LifeboatConfig.ConfigSource::name).toList();
    }

    /** An enabled database; IllegalArgumentException saying so otherwise. */
    LifeboatConfig.Database database(String name) {
        return current.databases().stream().filter(d -> d.name().equals(name) && d.active()).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no enabled database named '" + name + "'"));
    }

    List<String> fileSources() {
        return current.files().stream().filter(LifeboatConfig.FileSource::active).map(LifeboatConfig.FileSource::name)
                .toList();
    }

    List<String> databases() {
        return current.databases().stream().filter(LifeboatConfig.Database::active).map(LifeboatConfig.Database::name)
                .toList();
    }

    Path file() {
        return dir.resolve("lifeboat.yaml");
    }

    /** What applies a new configuration (routes, WAL receivers). */
    @FunctionalInterface
    interface Listener {
        void changed(LifeboatConfig config) throws Exception;
    }

    /** Called with the new configuration after each reload that validated. */
    void onChange(Listener listener) {
        listeners.add(listener);
    }

    /**
     * Reads lifeboat.yaml again and applies it when it validates; true when it did. A file that is
     * gone (deleted, being replaced) changes nothing: the embedded defaults are for a first start.
     */
    synchronized boolean reload() {
        if (!Files.exists(file())) {
            reloads.refused(KIND, file().toString(), "the file is missing; the running configuration stays");
            return false;
        }
        LifeboatConfig loaded;
        try {
            loaded = ConfigLoader.load(dir);
        } catch (ConfigException e) {
            reloads.refused(KIND, file().toString(), e.getMessage());
            return false;
        }
        LifeboatConfig running = current;
        List<String> later = new ArrayList<>();
        LifeboatConfig.Repository repository = running.repository().whenUnreachable(loaded.repository().whenUnreachable());
        if (!Objects.equals(loaded.repository(), repository)) {
            later.add("repository");
        }
        if (!Objects.equals(loaded.catalog(), running.catalog())) {
            later.add("catalog");
        }
        if (!Objects.equals(loaded.dropFolder(), running.dropFolder())) {
            later.add("dropFolder");
        }
        if (!Objects.equals(loaded.configKey(), running.configKey())) {
            later.add("configKey");
        }
        current = new LifeboatConfig(repository, running.catalog(), loaded.files(), loaded.databases(),
                loaded.configs(), running.configKey(), running.dropFolder(), loaded.targets(), loaded.recovery());
        try {
            for (Listener listener : listeners) {
                listener.changed(current);
            }
        } catch (Exception e) {
            reloads.failed(KIND, file().toString(), "validated, but applying it failed (the next edit tries again): "
                    + e.getMessage());
            return false;
        }
        reloads.applied(KIND, file().toString(), "sources and databases applied" + (later.isEmpty() ? ""
                : "; changes to " + String.join(", ", later) + " take effect after a restart"));
        return true;
    }
}
