package io.lifeboat.storage;

import java.net.URI;
import java.nio.file.Path;

/** Turns a repository location given by a user into the store behind it. */
public final class BlobStores {
    private BlobStores() {
    }

    /** Accepts a plain path or a file: URI; s3:// comes with the S3 driver. */
    public static BlobStore open(String location) {
        if (location == null || location.isBlank()) {
            throw new IllegalArgumentException("no repository given: use --repo PATH or set LIFEBOAT_REPOSITORY");
        }
        if (location.startsWith("file:")) {
            return new LocalBlobStore(Path.of(URI.create(location)));
        }
        if (location.matches("^[a-zA-Z][a-zA-Z0-9+.-]*://.*")) {
            throw new IllegalArgumentException("unsupported repository location '" + location
                    + "': use a directory path or a file: URI");
        }
        return new LocalBlobStore(Path.of(location));
    }
}
