package io.lifeboat.recovery;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/**
 * Puts a restored copy where the live one is. What is there is never deleted: it is renamed aside
 * (NAME.before-recovery-ID), recorded in the recovery at once so that a stop right after cannot
 * lose track of it, and put back when the restored copy cannot take its place.
 */
final class InPlace {
    /** Writes the recovery's state to the catalog. */
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

    static void swap(Path restored, Path live, Recovery r, Recovery.Item item, Save save) throws IOException {
        Path aside = moveAside(live, r);
        if (aside != null) {
            item.movedAside.add(aside.toString());
            save.save();
        }
        try {
            Files.createDirectories(live.getParent());
            Files.move(restored, live);
        } catch (IOException e) {
            if (aside != null) {
                Files.move(aside, live);
                item.movedAside.remove(aside.toString());
                save.save();
            }
            throw new IOException("the restored copy " + restored + " could not take the place of " + live + " ("
                    + e + "; on another filesystem?); what was there is back in place", e);
        }
    }

    private static Path moveAside(Path live, Recovery r) throws IOException {
        if (!Files.exists(live, LinkOption.NOFOLLOW_LINKS)) {
            return null;
        }
        String base = live.getFileName() + ".before-recovery-" + r.getId().substring(0, 8);
        Path aside = live.resolveSibling(base);
        for (int n = 2; Files.exists(aside, LinkOption.NOFOLLOW_LINKS); n++) {
            aside = live.resolveSibling(base + "-" + n);
        }
        Files.move(live, aside);
        return aside;
    }
}
