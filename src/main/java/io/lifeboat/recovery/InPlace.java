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
 * (NAME.before-recovery-ID). Each move is written down before it is made and made durable (its
 * directory fsynced) before the next is recorded, so that a recovery killed anywhere — a power cut
 * included — finds on its return exactly how far the hand-over got, goes on from there, or puts
 * everything back.
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

    /** Moves what is at the live place aside and the restored copy in, resuming a hand-over a stop cut short. */
    static void swap(Path restored, Path live, Recovery r, Recovery.Item item, Save save) throws IOException {
        Recovery.Swap s = item.swap(live);
        Path adopted = live.resolveSibling(live.getFileName() + ".before-recovery-" + r.getId().substring(0, 8));
        if (s == null && !exists(live) && exists(adopted)) {
            // moved aside under the name this recovery gives it, and the record of the plan lost with a kill
            s = new Recovery.Swap(live.toString(), adopted.toString());
            item.swaps.add(s);
            save.save();
        }
        if (s == null) {
            s = new Recovery.Swap(live.toString(), exists(live) ? freeName(live, ".before-recovery-", r).toString() : null);
            item.swaps.add(s);
            save.save();
            FaultPoints.reach(item.kind + ":swap-planned");
        }
        LOG.info("recovery {}: {} is {}", r.getId(), live, s.state);
        boolean bothMoved = !exists(restored) && exists(live) && s.aside != null && exists(Path.of(s.aside));
        if (Recovery.Swap.PLANNED.equals(s.state) && bothMoved) {
            s.state = Recovery.Swap.ASIDE; // both moves made, their records lost with a kill: what is where says so
            item.movedAside.add(s.aside);
        }
        if (Recovery.Swap.PLANNED.equals(s.state)) {
            if (!exists(restored)) {
                throw new IOException("the restored copy " + restored + " is gone before it took the place of " + live
                        + "; nothing was moved");
            }
            if (s.aside != null) {
                Path aside = Path.of(s.aside);
                if (exists(live) && !exists(aside)) {
                    Files.move(live, aside);
                    LocalBlobStore.syncDirectory(aside.getParent());
                    LOG.info("recovery {}: {} moved aside to {}", r.getId(), live, aside);
                    FaultPoints.reach(item.kind + ":moved-aside");
                } else if (!exists(aside)) {
                    s.aside = null; // removed by someone since it was planned: nothing to keep
                }
                if (s.aside != null) {
                    item.movedAside.add(s.aside);
                }
            }
            s.state = Recovery.Swap.ASIDE;
            save.save();
        }
        if (Recovery.Swap.ASIDE.equals(s.state)) {
            if (exists(restored)) {
                if (exists(live)) {
                    throw new IOException(live + " was made again while the recovery held it aside (in "
                            + s.aside + "); the restored copy is left in " + restored + ", nothing was moved");
                }
                try {
                    Files.createDirectories(live.getParent());
                    Files.move(restored, live);
                } catch (IOException e) {
                    putBack(s, item, r, save);
                    throw new IOException("the restored copy " + restored + " could not take the place of " + live + " ("
                            + e + "; on another filesystem?); what was there is back in place", e);
                }
                LocalBlobStore.syncDirectory(live.getParent());
                LOG.info("recovery {}: the restored copy took the place of {}", r.getId(), live);
                FaultPoints.reach(item.kind + ":renamed-in");
            } else if (!exists(live)) {
                throw new IOException("the restored copy " + restored + " is gone before it took the place of " + live
                        + (s.aside == null ? "" : "; what was there is kept in " + s.aside));
            }
            s.state = Recovery.Swap.IN;
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
        Path aside = s.aside == null ? null : Path.of(s.aside);
        String said;
        if (aside != null && !exists(aside)) {
            said = live + ": already back"; // put back before a stop cut the undo short
        } else {
            String restored = "";
            if (exists(live) && !Recovery.Swap.PLANNED.equals(s.state)) {
                Path keep = freeName(live, ".aborted-recovery-", r);
                Files.move(live, keep);
                restored = "; the restored copy is kept in " + keep;
            }
            if (aside != null) {
                Files.move(aside, live);
            }
            LocalBlobStore.syncDirectory(live.getParent());
            said = (aside != null ? live + ": put back from " + aside : live + ": nothing was there before") + restored;
        }
        item.swaps.remove(s);
        item.movedAside.remove(s.aside);
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
