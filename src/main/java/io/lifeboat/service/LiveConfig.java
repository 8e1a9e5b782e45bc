package io.lifeboat.service;

import io.lifeboat.config.ConfigException;
import io.lifeboat.config.ConfigLoader;
import io.lifeboat.config.LifeboatConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * The configuration the service runs on, replaced live when an operator's edit of lifeboat.yaml
 * validates. Sources and databases (added, removed, enabled, rescheduled, retention) apply at
 * once; the repository, catalog and drop folder are opened at start-up, so edits to them wait for
 * a restart and the reload says so. An edit that does not validate changes nothing.
 */
public final class LiveConfig {
    static final String KIND = "configuration";
    private final Path dir;
    private final Reloads reloads;
    private final List<Consumer<LifeboatConfig>> listeners = new CopyOnWriteArrayList<>();
    private volatile LifeboatConfig current;

    LiveConfig(Path dir, LifeboatConfig initial, Reloads reloads) {
        this.dir = dir;
        this.current = initial;
        this.reloads = reloads;
    }

    public LifeboatConfig get() {
        return current;
    }

    Path file() {
        return dir.resolve("lifeboat.yaml");
    }

    /** Called with the new configuration after each applied reload. */
    void onChange(Consumer<LifeboatConfig> listener) {
        listeners.add(listener);
    }

    /** Reads lifeboat.yaml again and applies it when it validates; true when it did. */
    synchronized boolean reload() {
        LifeboatConfig loaded;
        try {
            loaded = ConfigLoader.load(dir);
        } catch (ConfigException e) {
            reloads.refused(KIND, file().toString(), e.getMessage());
            return false;
        }
        LifeboatConfig running = current;
        List<String> later = new ArrayList<>();
        if (!Objects.equals(loaded.repository(), running.repository())) {
            later.add("repository");
        }
        if (!Objects.equals(loaded.catalog(), running.catalog())) {
            later.add("catalog");
        }
        if (!Objects.equals(loaded.dropFolder(), running.dropFolder())) {
            later.add("dropFolder");
        }
        current = new LifeboatConfig(running.repository(), running.catalog(), loaded.files(), loaded.databases(),
                running.dropFolder(), loaded.storage());
        for (Consumer<LifeboatConfig> listener : listeners) {
            listener.accept(current);
        }
        reloads.applied(KIND, file().toString(), "sources and databases applied" + (later.isEmpty() ? ""
                : "; changes to " + String.join(", ", later) + " take effect after a restart"));
        return true;
    }
}
