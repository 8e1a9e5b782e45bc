package io.lifeboat.cli;

import com.fasterxml.jackson.databind.SerializationFeature;
import io.lifeboat.repository.Progress;
import io.lifeboat.repository.Repository;
import java.io.IOException;
import java.io.PrintStream;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/** How commands speak: JSON on request, and a progress line on a terminal. */
final class Output {
    private Output() {
    }

    static void json(Object value) throws IOException {
        System.out.println(Repository.JSON.copy().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(value));
    }

    /** Shows the counters on stderr twice a second while the action runs, only on a terminal. */
    static AutoCloseable progress(Progress p, String verb, boolean quiet) {
        if (quiet || System.console() == null) {
            return () -> { };
        }
        PrintStream err = System.err;
        long start = System.nanoTime();
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "progress");
            t.setDaemon(true);
            return t;
        });
        timer.scheduleAtFixedRate(() -> err.printf("\r%s: %d files, %s processed, %s unchanged, %d problems, %ds   ",
                verb, p.files.get(), bytes(p.bytes.get()), bytes(p.bytesSkipped.get()), p.problems.get(),
                (System.nanoTime() - start) / 1_000_000_000L), 500, 500, TimeUnit.MILLISECONDS);
        return () -> {
            timer.shutdownNow();
            err.print("\r\033[K");
        };
    }

    static String bytes(long n) {
        if (n < 1024) {
            return n + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double v = n;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format("%.1f %s", v, units[u]);
    }
}
