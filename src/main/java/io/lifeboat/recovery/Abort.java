package io.lifeboat.recovery;

import io.lifeboat.config.Durations;
import io.lifeboat.config.LifeboatConfig;
import io.lifeboat.source.DirectoryTrees;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * Puts the platform back as it was before a recovery that did not complete: every place it handed
 * over gets back what was there (the restored copy kept beside it), a database server it stopped
 * runs again on its old data, its staging copies are removed, and services it stopped are started.
 */
final class Abort {
    private final Supplier<LifeboatConfig> config;
    private final Protection protection;

    Abort(Supplier<LifeboatConfig> config, Protection protection) {
        this.config = config;
        this.protection = protection;
    }

    /** Undoes what the recovery changed, the last item first; answers what it did, one line each. */
    List<String> putBack(Recovery r, InPlace.Save save) throws Exception {
        List<String> said = new ArrayList<>();
        Duration timeout = Durations.parse(config.get().recovery().hookTimeout());
        for (int i = r.items.size() - 1; i >= 0; i--) {
            Recovery.Item item = r.items.get(i);
            if (!item.inPlace()) {
                continue;
            }
            LifeboatConfig.Database d = Recovery.Item.DATABASE.equals(item.kind) ? config.get().database(item.source) : null;
            Path live = Path.of(item.live);
            if (item.historyRecorded) {
                // its binlogs are archived as a new history since: the old server would write the same names again
                said.add(item.source + ": kept restored — its server's binlogs are streamed from " + item.newHistory
                        + " on as a new history; put the old data back by hand (docs/RECOVERY.md)");
                continue;
            }
            boolean streamed = d != null && !item.swaps.isEmpty() && protection.holdStreaming(d.name());
            if (d != null && !item.swaps.isEmpty() && LiveDatabase.runsOn(d, live)) {
                LiveDatabase.stop(d, live, timeout); // the restored copy's server
            }
            said.addAll(InPlace.undo(r, item, save));
            DirectoryTrees.delete(InPlace.staging(live, r.id));
            item.staged = false;
            item.restored = false;
            if (d != null && item.stoppedServer) {
                LiveDatabase.start(d, live, timeout);
                item.stoppedServer = false;
                said.add(d.name() + ": started again on " + live);
            }
            if (streamed) {
                protection.resumeStreaming(d.name()); // from the old data's position, not the restored copy's
            }
            save.save();
        }
        if (r.step("stop-services").finished() && !r.sandboxed() && !Recovery.Step.DONE.equals(r.step("start-services").status)) {
            List<String> started = new ArrayList<>();
            for (LifeboatConfig.Service s : config.get().recovery().services()) {
                Hooks.run(s.name(), s.start(), true, timeout);
                started.add(s.name());
            }
            if (!started.isEmpty()) {
                said.add("services started again: " + String.join(", ", started));
            }
        }
        return said;
    }
}
