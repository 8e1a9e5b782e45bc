package io.lifeboat.storage;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** Turns a repository location given by a user into the store behind it. */
public final class BlobStores {
    private BlobStores() {
    }

    /**
     * Where a remote repository's index and snapshot objects are kept on this host: the system
     * property lifeboat.cache or the variable LIFEBOAT_CACHE (a directory, or "off"), else
     * $XDG_CACHE_HOME/lifeboat or ~/.cache/lifeboat; one directory per repository location.
     */
    static Path cacheDirectory(String address) {
        String chosen = System.getProperty("lifeboat.cache", System.getenv("LIFEBOAT_CACHE"));
        if ("off".equals(chosen)) {
            return null;
        }
        Path root;
        if (chosen != null && !chosen.isBlank()) {
            root = Path.of(chosen);
        } else if (System.getenv("XDG_CACHE_HOME") != null) {
            root = Path.of(System.getenv("XDG_CACHE_HOME"), "lifeboat");
        } else {
            root = Path.of(System.getProperty("user.home"), ".cache", "lifeboat");
        }
        return root.resolve(shortId(address, 16));
    }

    /** The first bytes of a text's SHA-256 in hex: a file name that stands for a location. */
    static String shortId(String text, int bytes) {
        try {
            byte[] id = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(id, 0, bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A plain path, a file: URI, or s3://BUCKET/PREFIX[?endpoint=URL&region=NAME&path-style=true]. */
    public static BlobStore open(String location) {
        return open(location, true);
    }

    /**
     * As {@link #open(String)}; without the local cache of a remote store when cache is false (verify
     * must read what the store holds, not a copy that may have outlived damage there).
     */
    public static BlobStore open(String location, boolean cache) {
        if (location == null || location.isBlank()) {
            throw new IllegalArgumentException("no repository given: use --repo PATH or set LIFEBOAT_REPOSITORY");
        }
        if (location.startsWith("s3://")) {
            S3BlobStore s3 = S3BlobStore.at(location);
            Path dir = cache ? cacheDirectory(s3.address()) : null;
            return dir == null ? s3 : new CachedBlobStore(s3, dir);
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
