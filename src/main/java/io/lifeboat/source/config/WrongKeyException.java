package io.lifeboat.source.config;

/** A configuration backup sealed under another configuration key than the one given. */
public final class WrongKeyException extends IllegalStateException {
    public WrongKeyException(String message) {
        super(message);
    }
}
