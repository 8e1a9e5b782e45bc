package io.lifeboat.recovery;

import io.lifeboat.storage.LocalBlobStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Puts a restored copy where the live one is. What is there is never deleted: it is renamed aside
 * as NAME.before-recovery-ID, a name fixed by the recovery. Each place is written down before
 * anything moves, and each move is made durable (its directory fsynced); how far a hand-over got
 * is then read from the disk — the restored copy still waiting, what was there aside — so that a
 * recovery killed anywhere, a power cut or a lost record included, goes on from where it was or
 * puts everything back.
 */
final class InPlace {
    private static final Logger LOG = LoggerFactory.getLogger(InPlace.class);
    /** Writes the recovery's state to the catalog (flushed to disk). */
    @FunctionalInterface
    interface Save {
        void save();
    }

    private InPlace() {
    }

    /** Where the restored copy of a live place is written first: beside it, so that the rename stays on one filesystem. */
    static Path staging(Path live, String recoveryId) {
        return live.resolveSibling("." + live.getFileName() + ".lifeboat-restoring-" + recoveryId.substring(0, 8));
    }

    /** Where what was at the live place is kept while the recovery's copy takes its place. */
    static Path aside(Path live, Recovery r) {
        return live.resolveSibling(live.getFileName() + ".before-recovery-" + r.getId().substring(0, 8));
    }

    /** Moves what is at the live place aside and the restored copy in, resuming a hand-over a stop cut short. */
    static void swap(Path restored, Path live, Recovery r, Recovery.Item item, Save save) throws IOException {
        Path aside = aside(live, r);
        if (item.swap(live) == null) {
            item.swaps.add(new Recovery.Swap(live.toString(), restored.toString()));
            save.save();
            FaultPoints.reach(item.kind + ":swap-planned");
        }
        if (!exists(restored)) {
            if (!exists(live)) {
                throw new IOException("the restored copy " + restored + " is gone before it took the place of " + live
                        + (exists(aside) ? "; what was there is kept in " + aside : "; nothing was moved"));
            }
            recordAside(item, aside, save); // handed over before a stop: the disk says so
            return;
        }
        if (exists(live)) {
            if (exists(aside)) {
                throw new IOException(live + " was made again while the recovery held it aside (in " + aside
                        + "); the restored copy is left in " + restored + ", nothing was moved");
            }
            Files.move(live, aside);
            LocalBlobStore.syncDirectory(aside.getParent());
            LOG.info("recovery {}: {} moved aside to {}", r.getId(), live, aside);
            FaultPoints.reach(item.kind + ":moved-aside");
        }
        recordAside(item, aside, save);
        try {
            Files.createDirectories(live.getParent());
            Files.move(restored, live);
        } catch (IOException e) {
            putBack(item.swap(live), item, r, save);
            throw new IOException("the restored copy " + restored + " could not take the place of " + live + " ("
                    + e + "; on another filesystem?); what was there is back in place", e);
        }
        LocalBlobStore.syncDirectory(live.getParent());
        LOG.info("recovery {}: the restored copy took the place of {}", r.getId(), live);
        FaultPoints.reach(item.kind + ":renamed-in");
    }

    private static void recordAside(Recovery.Item item, Path aside, Save save) {
        if (exists(aside) && !item.movedAside.contains(aside.toString())) {
            item.movedAside.add(aside.toString());
            save.save();
        }
    }

    /**
     * Undoes every hand-over of the item, the last first: a restored copy that took a place is kept
     * aside as NAME.aborted-recovery-ID (never deleted: services may have written to it) and what
     * was there is put back. Answers what it did, one line per place.
     */
    static List<String> undo(Recovery r, Recovery.Item item, Save save) throws IOException {
        List<String> done = new ArrayList<>();
        for (int i = item.swaps.size() - 1; i >= 0; i--) {
            done.add(putBack(item.swaps.get(i), item, r, save));
        }
        return done;
    }

    private static String putBack(Recovery.Swap s, Recovery.Item item, Recovery r, Save save) throws IOException {
        Path live = Path.of(s.live);
        Path aside = aside(live, r);
        String restored = "";
        if (!exists(Path.of(s.restored)) && exists(live)) { // the restored copy took the place
            Path keep = freeName(live, ".aborted-recovery-", r);
            Files.move(live, keep);
            restored = "; the restored copy is kept in " + keep;
        }
        String said;
        if (exists(aside)) {
            Files.move(aside, live);
            said = live + ": put back from " + aside + restored;
        } else {
            said = live + (restored.isEmpty() ? ": as it was" : ": nothing was there before" + restored);
        }
        LocalBlobStore.syncDirectory(live.getParent());
        item.swaps.remove(s);
        item.movedAside.remove(aside.toString());
        save.save();
        return said;
    }

    private static boolean exists(Path p) {
        return Files.exists(p, LinkOption.NOFOLLOW_LINKS);
    }

    private static Path freeName(Path live, String infix, Recovery r) {
        String base = live.getFileName() + infix + r.getId().substring(0, 8);
        Path free = live.resolveSibling(base);
        for (int n = 2; exists(free); n++) {
            free = live.resolveSibling(base + "-" + n);
        }
        return free;
    }
}
