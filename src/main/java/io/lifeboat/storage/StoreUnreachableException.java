package io.lifeboat.storage;

import java.io.IOException;

/**
 * The store did not answer (in time, or at all) or answered only with server errors after its
 * retries: the target counts as unreachable, and a reader may turn to another copy. A missing
 * object or a refused request is not this.
 */
public final class StoreUnreachableException extends IOException {
    public StoreUnreachableException(String message, Throwable cause) {
        super(message, cause);
    }
}
