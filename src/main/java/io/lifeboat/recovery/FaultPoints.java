package io.lifeboat.recovery;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Named points inside a recovery where a fault-injection test holds the service to kill it at a
 * moment it chose (as PostgreSQL's injection points): started with -Dlifeboat.hold-at=POINT and
 * -Dlifeboat.hold-file=FILE, the service writes POINT to FILE on reaching it and waits there until
 * it is killed. Without those properties a point costs one comparison.
 */
final class FaultPoints {
    private static final String HOLD_AT = System.getProperty("lifeboat.hold-at");

    private FaultPoints() {
    }

    /** The recovery reached this point: held here when a test asked for it. */
    static void reach(String point) {
        if (!point.equals(HOLD_AT)) {
            return;
        }
        try {
            Files.writeString(Path.of(System.getProperty("lifeboat.hold-file")), point);
            while (true) {
                Thread.sleep(60_000);
            }
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException("held at " + point + ": " + e, e);
        }
    }
}
