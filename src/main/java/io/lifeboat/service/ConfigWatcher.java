package io.lifeboat.service;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import org.apache.camel.support.service.ServiceSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches lifeboat.yaml and reloads it once an edit has settled: a change is acted on when the
 * file's content stayed the same for one more look, so a file still being written is not read
 * half way, and an edit that puts back what runs changes nothing.
 */
final class ConfigWatcher extends ServiceSupport {
    private static final Logger LOG = LoggerFactory.getLogger(ConfigWatcher.class);
    private static final Duration LOOK_EVERY = Duration.ofMillis(500);
    private final LiveConfig config;
    private volatile Thread thread;

    ConfigWatcher(LiveConfig config) {
        this.config = config;
    }

    @Override
    protected void doStart() {
        Thread t = new Thread(this::watch, "config-watcher");
        t.setDaemon(true);
        thread = t;
        t.start();
    }

    @Override
    protected void doStop() throws InterruptedException {
        Thread t = thread;
        thread = null;
        if (t != null) {
            t.interrupt();
            t.join(5000);
        }
    }

    private void watch() {
        Path file = config.file();
        byte[] loaded = content(file);
        byte[] seen = loaded;
        while (thread == Thread.currentThread()) {
            try {
                Thread.sleep(LOOK_EVERY.toMillis());
            } catch (InterruptedException e) {
                return;
            }
            byte[] now = content(file);
            if (Arrays.equals(now, seen) && !Arrays.equals(now, loaded)) {
                try {
                    config.reload();
                } catch (RuntimeException e) {
                    LOG.error("reloading {} failed: {}", file, e.getMessage(), e);
                }
                loaded = now;
            }
            seen = now;
        }
    }

    /** The file's bytes (a configuration file is small), or null while it is absent (reload refuses that). */
    private static byte[] content(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            return null;
        }
    }
}
