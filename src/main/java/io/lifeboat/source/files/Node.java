package io.lifeboat.source.files;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * One entry of a snapshot's node stream. Times are nanoseconds since the epoch. dev, inode and
 * ctime serve the next backup's unchanged-file check and hard-link detection; rdev is a device
 * node's device number. Access times are
 * not kept (as in Kopia): reading a file for backup changes it, so keeping it would make every
 * file list differ from the last and defeat its deduplication. A path or link
 * target whose bytes are not valid UTF-8 also comes as base64 of its exact bytes (rawPath,
 * rawTarget); path and target then hold a readable approximation.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_DEFAULT)
public record Node(String path, String type, int mode, int uid, int gid, long mtime, long ctime,
                   long size, long dev, long inode, long rdev, List<String> chunks, String target, boolean changed,
                   String rawPath, String rawTarget) {
    public static final String FILE = "file";
    public static final String DIR = "dir";
    public static final String SYMLINK = "symlink";
    /** A further name of a file already in the stream; target is that file's path. */
    public static final String HARDLINK = "hardlink";
    /** Special files: no content, recreated by type (devices with their number, rdev). */
    public static final String FIFO = "fifo";
    public static final String SOCKET = "socket";
    public static final String CHAR_DEVICE = "chardev";
    public static final String BLOCK_DEVICE = "blockdev";

    /** The special-file type of an st_mode (file type bits included), or null for any other kind. */
    static String specialType(int stMode) {
        return switch (stMode & 0170000) {
            case 0010000 -> FIFO;
            case 0140000 -> SOCKET;
            case 0020000 -> CHAR_DEVICE;
            case 0060000 -> BLOCK_DEVICE;
            default -> null;
        };
    }

    boolean special() {
        return FIFO.equals(type) || SOCKET.equals(type) || CHAR_DEVICE.equals(type) || BLOCK_DEVICE.equals(type);
    }

    Node withContent(List<String> newChunks, boolean changedWhileRead) {
        return new Node(path, type, mode, uid, gid, mtime, ctime, size, dev, inode, rdev, newChunks, target,
                changedWhileRead, rawPath, rawTarget);
    }

    /** The same entry as another type, pointing at target (raw bytes base64 when not UTF-8). */
    Node as(String newType, String newTarget, String newRawTarget) {
        return new Node(path, newType, mode, uid, gid, mtime, ctime, FILE.equals(newType) ? size : 0, dev,
                inode, rdev, chunks, newTarget, changed, rawPath, newRawTarget);
    }
}
