package io.lifeboat.storage;

import java.net.URI;
import java.nio.file.Path;

/** Turns a repository location given by a user into the store behind it. */
public final class BlobStores {
    private BlobStores() {
    }

    /** A plain path, a file: URI, or s3://BUCKET/PREFIX[?endpoint=URL&region=NAME&path-style=true]. */
    public static BlobStore open(String location) {
        if (location == null || location.isBlank()) {
            throw new IllegalArgumentException("no repository given: use --repo PATH or set LIFEBOAT_REPOSITORY");
        }
        if (location.startsWith("s3://")) {
            return S3BlobStore.at(location);
        }
        if (location.startsWith("file:")) {
            return new LocalBlobStore(Path.of(URI.create(location)));
        }
        if (location.matches("^[a-zA-Z][a-zA-Z0-9+.-]*://.*")) {
            throw new IllegalArgumentException("unsupported repository location '" + location
                    + "': use a directory path, a file: URI or s3://BUCKET/PREFIX");
        }
        return new LocalBlobStore(Path.of(location));
    }
}
