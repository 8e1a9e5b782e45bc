package io.lifeboat.source.config;

/**
 * One piece of configuration as it was read: a file, a directory or a symbolic link at its own path, or what a
 * program answered (kubectl, a command, a process's environment) at a path under /captured.
 * mtime is in nanoseconds since the epoch.
 */
public record ConfigItem(String path, String origin, byte[] content, String linkTarget, int mode, int uid, int gid,
                         long mtime) {
    public static final String FILE = "file";
    public static final String LINK = "link";
    /** A directory: its mode and owner (a private key's directory is 0700), and that it exists when empty. */
    public static final String DIR = "dir";
    public static final String KUBECTL = "kubectl";
    public static final String COMMAND = "command";
    public static final String ENVIRONMENT = "environment";
    /** Where what programs answered is kept in a backup; never a place on disk. */
    public static final String CAPTURED = "/captured/";

    public boolean captured() {
        return path.startsWith(CAPTURED);
    }

    /** What a program answered, owner-only, stamped now. */
    static ConfigItem answer(String path, String origin, byte[] content) {
        return new ConfigItem(path, origin, content, null, 0600, 0, 0, System.currentTimeMillis() * 1_000_000L);
    }
}
