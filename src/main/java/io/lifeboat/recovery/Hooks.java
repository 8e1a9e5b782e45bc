package io.lifeboat.recovery;

import io.lifeboat.config.LifeboatConfig;
import io.lifeboat.source.Tool;
import io.lifeboat.source.postgres.PgRecovery;
import io.lifeboat.source.postgres.PgRestore;
import io.lifeboat.source.postgres.PgTools;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Stops and starts the platform's components (and a database after an in-place restore) the way
 * lifeboat.yaml says: systemd, docker compose, kubectl or a command.
 */
final class Hooks {
    private Hooks() {
    }

    /** The command line a hook runs, to start (or stop) the component. */
    static List<String> command(LifeboatConfig.Hook hook, boolean start) {
        if (hook.systemd() != null) {
            return List.of("systemctl", start ? "start" : "stop", hook.systemd());
        }
        if (hook.compose() != null) {
            List<String> cmd = new ArrayList<>(List.of("docker-compose", "-f", hook.compose().file()));
            cmd.addAll(start ? List.of("up", "-d", hook.compose().service()) : List.of("stop", hook.compose().service()));
            return cmd;
        }
        if (hook.kubectl() != null) {
            List<String> cmd = new ArrayList<>(List.of("kubectl"));
            if (hook.kubectl().namespace() != null) {
                cmd.addAll(List.of("-n", hook.kubectl().namespace()));
            }
            int replicas = start ? (hook.kubectl().replicas() == null ? 1 : hook.kubectl().replicas()) : 0;
            cmd.addAll(List.of("scale", hook.kubectl().resource(), "--replicas=" + replicas));
            return cmd;
        }
        return List.of("sh", "-c", hook.command());
    }

    /** Runs the hook to its end; IOException naming the component and what it said when it fails or overruns. */
    static void run(String component, LifeboatConfig.Hook hook, boolean start, Duration timeout)
            throws IOException, InterruptedException {
        List<String> cmd = command(hook, start);
        Tool.Result result = Tool.run(cmd.get(0), Tool.of(cmd), timeout);
        if (!result.ok()) {
            throw new IOException((start ? "start" : "stop") + " of " + component + " (" + String.join(" ", cmd)
                    + ") failed: " + result.failure());
        }
    }
}
