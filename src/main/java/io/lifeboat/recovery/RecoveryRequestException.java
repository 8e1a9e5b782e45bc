package io.lifeboat.recovery;

/** A recovery that cannot be planned as asked: the field at fault, and 400 (bad value) or 404 (names nothing). */
public final class RecoveryRequestException extends IllegalArgumentException {
    private final int status;

    RecoveryRequestException(int status, String message) {
        super(message);
        this.status = status;
    }

    public int status() {
        return status;
    }
}
