package io.lifeboat.crypto;

/** Stored data failed its authentication or hash check. */
public class CorruptDataException extends RuntimeException {
    public CorruptDataException(String message) {
        super(message);
    }
}
