package io.lifeboat.repository;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * One entry of a snapshot's node stream. Times are nanoseconds since the epoch. dev, inode and
 * ctime serve the next backup's unchanged-file check and hard-link detection.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_DEFAULT)
public record Node(String path, String type, int mode, int uid, int gid, long mtime, long atime, long ctime,
                   long size, long dev, long inode, List<String> chunks, String target, boolean changed) {
    public static final String FILE = "file";
    public static final String DIR = "dir";
    public static final String SYMLINK = "symlink";
    /** A further name of a file already in the stream; target is that file's path. */
    public static final String HARDLINK = "hardlink";

    Node withContent(List<String> newChunks, boolean changedWhileRead) {
        return new Node(path, type, mode, uid, gid, mtime, atime, ctime, size, dev, inode, newChunks, target,
                changedWhileRead);
    }
}
