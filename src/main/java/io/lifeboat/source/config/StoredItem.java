package io.lifeboat.source.config;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * A piece of configuration as a backup keeps it, and its entry in the backup's manifest: where it
 * came from, its metadata, a keyed hash (tag) of its real content, how many secret values were
 * sealed out of it, whether it is sealed whole (the security kind), and the certificates in it.
 * stored is what the repository holds: the masked text, the sealed envelope, or the content.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record StoredItem(String path, String origin, String target, int mode, int uid, int gid, long mtime, long size,
                         String tag, int secrets, boolean sealed, List<Certificates.Certificate> certificates,
                         @JsonIgnore byte[] stored) {
    StoredItem withStored(byte[] content) {
        return new StoredItem(path, origin, target, mode, uid, gid, mtime, size, tag, secrets, sealed, certificates,
                content);
    }

    @JsonIgnore
    public boolean link() {
        return ConfigItem.LINK.equals(origin);
    }

    @JsonIgnore
    public boolean dir() {
        return ConfigItem.DIR.equals(origin);
    }

    /** A piece with content (a file, or a program's answer); not a link or a directory. */
    @JsonIgnore
    public boolean hasContent() {
        return !link() && !dir();
    }

    @JsonIgnore
    public boolean captured() {
        return path.startsWith(ConfigItem.CAPTURED);
    }
}
