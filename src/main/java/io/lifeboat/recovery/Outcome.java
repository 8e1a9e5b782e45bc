package io.lifeboat.recovery;

/** What a recovery step did: done with its findings, or skipped with the reason. */
record Outcome(String status, String detail) {
    static Outcome done(String detail) {
        return new Outcome(Recovery.Step.DONE, detail);
    }

    static Outcome skipped(String reason) {
        return new Outcome(Recovery.Step.SKIPPED, reason);
    }
}
