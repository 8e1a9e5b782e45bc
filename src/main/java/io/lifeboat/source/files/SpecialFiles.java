package io.lifeboat.source.files;

import io.lifeboat.source.Tool;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Recreates named pipes, sockets and device nodes. None is ever opened: opening a fifo waits for a
 * writer, and opening a device may act on it. The JDK can make none of them but a socket (bound
 * once and closed, which leaves the socket file), so fifos and devices come from mkfifo and mknod,
 * and their times are set with touch (the JDK opens a file to set its times).
 */
final class SpecialFiles {
    private static final Duration TIMEOUT = Duration.ofMinutes(1);

    private SpecialFiles() {
    }

    static void create(Node node, Path dest) throws IOException, InterruptedException {
        Files.deleteIfExists(dest);
        switch (node.type()) {
            case Node.SOCKET -> {
                try (ServerSocketChannel socket = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
                    socket.bind(UnixDomainSocketAddress.of(dest));
                }
            }
            case Node.FIFO -> run(List.of("mkfifo", "--", dest.toString()));
            case Node.CHAR_DEVICE, Node.BLOCK_DEVICE -> run(List.of("mknod", "--", dest.toString(),
                    Node.CHAR_DEVICE.equals(node.type()) ? "c" : "b", String.valueOf(major(node.rdev())),
                    String.valueOf(minor(node.rdev()))));
            default -> throw new IllegalArgumentException(node.type() + " is not a special file");
        }
    }

    /** Sets the modification time without opening the file. */
    static void setModificationTime(Path file, long nanos) throws IOException, InterruptedException {
        run(List.of("touch", "-h", "-m", "-d", "@" + Math.floorDiv(nanos, 1_000_000_000L) + "."
                + String.format("%09d", Math.floorMod(nanos, 1_000_000_000L)), "--", file.toString()));
    }

    /** Linux's dev_t layout (glibc's gnu_dev_major / gnu_dev_minor). */
    static long major(long rdev) {
        return ((rdev >>> 8) & 0xfff) | ((rdev >>> 32) & ~0xfffL);
    }

    static long minor(long rdev) {
        return (rdev & 0xff) | ((rdev >>> 12) & 0xffffff00L);
    }

    private static void run(List<String> command) throws IOException, InterruptedException {
        Tool.run(command.get(0), Tool.of(command), TIMEOUT).orThrow();
    }
}
