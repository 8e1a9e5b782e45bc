package io.lifeboat.source.files;

import static io.lifeboat.TestSupport.cli;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lifeboat.TestSupport;
import java.io.RandomAccessFile;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A backed-up tree comes back byte for byte and with its metadata, whatever its shape. */
class RoundTripTest {
    @TempDir
    Path tmp;

    @Test
    void restoreEqualsSourceInBytesAndMetadata() throws Exception {
        Path src = tmp.resolve("src");
        TestSupport.writeRandom(src.resolve("media/clip.mp4"), 1, 23L << 20);
        Files.write(src.resolve("media/small.bin"), TestSupport.random(2, 1000));
        Files.createDirectories(src.resolve("app"));
        Files.writeString(src.resolve("app/config.yaml"), "key: value\n".repeat(5000));
        Files.createFile(src.resolve("app/empty-file"));
        Files.createDirectories(src.resolve("empty/nested-empty"));
        Files.writeString(Files.createDirectories(src.resolve("odd names")).resolve("café menü ファイル.txt"), "unicode\n");
        Files.writeString(src.resolve("odd names/with space.conf"), "space\n");
        Files.writeString(src.resolve("odd names/new\nline"), "newline\n");
        Files.writeString(src.resolve("odd names/tab\tname"), "tab\n");
        Files.writeString(src.resolve("odd names/-leading-dash"), "dash\n");
        Path notUtf8 = RawNames.path(bytes(src + "/odd names/latin1-caf\u00e9-", (byte) 0xe9, (byte) 0xff));
        Files.writeString(notUtf8, "a name that is not UTF-8\n");
        Files.createSymbolicLink(src.resolve("odd names/link-to-latin1"), RawNames.path(bytes("latin1-caf\u00e9-", (byte) 0xe9, (byte) 0xff)));
        Files.createSymbolicLink(src.resolve("current.yaml"), Path.of("app/config.yaml"));
        Files.createSymbolicLink(src.resolve("dangling"), Path.of("does-not-exist"));
        Files.createLink(src.resolve("app/config-hardlink.yaml"), src.resolve("app/config.yaml"));
        Path sparse = src.resolve("sparse.img");
        try (RandomAccessFile f = new RandomAccessFile(sparse.toFile(), "rw")) {
            f.write("start".getBytes());
            f.seek(40L << 20);
            f.write("end of sparse file\n".getBytes());
        }
        Files.setPosixFilePermissions(src.resolve("media/small.bin"), PosixFilePermissions.fromString("rw-------"));
        Files.setPosixFilePermissions(src.resolve("app"), PosixFilePermissions.fromString("rwxr-x---"));
        Files.setLastModifiedTime(src.resolve("app/config.yaml"), FileTime.from(Instant.parse("2023-11-14T22:13:20.123456789Z")));
        Files.setLastModifiedTime(src.resolve("empty"), FileTime.from(Instant.parse("2020-01-01T00:00:00Z")));
        Files.setAttribute(src.resolve("odd names/tab\tname"), "unix:gid", 1234);

        Path repo = tmp.resolve("repo");
        String pw = TestSupport.passwordFile(tmp, "secret").toString();
        assertEquals(0, cli("init", "--repo", repo.toString(), "--password-file", pw).exit());
        TestSupport.Run backup = cli("backup", "--repo", repo.toString(), "--password-file", pw, src.toString());
        assertEquals(0, backup.exit(), backup::toString);

        Path restored = restoreLatestAsItWas(repo, pw, src);
        Map<String, String> expected = TestSupport.describe(src);
        assertTrue(expected.get("app/config.yaml").contains("nlink=2"), "hard link kept as a link");
        assertEquals(Files.getAttribute(restored.resolve("app/config.yaml"), "unix:ino"),
                Files.getAttribute(restored.resolve("app/config-hardlink.yaml"), "unix:ino"));
        assertTrue(TestSupport.allocatedBlocks(restored.resolve("sparse.img")) < 1024,
                "sparse file restored sparse, not 40 MiB of written zeros");
        Path restoredRaw = RawNames.path(bytes(restored + "/odd names/latin1-caf\u00e9-", (byte) 0xe9, (byte) 0xff));
        assertEquals("a name that is not UTF-8\n", Files.readString(restoredRaw), "name bytes kept exactly");
        assertEquals(RawNames.bytes(Files.readSymbolicLink(src.resolve("odd names/link-to-latin1"))).length,
                RawNames.bytes(Files.readSymbolicLink(restored.resolve("odd names/link-to-latin1"))).length);
        assertTrue(Files.isRegularFile(restored.resolve("odd names/link-to-latin1")), "link target resolves");
    }

    @Test
    void specialFilesAndSetuidSetgidStickyBitsComeBackAsTheyWere() throws Exception {
        Path src = tmp.resolve("src");
        Path bin = Files.createDirectories(src.resolve("bin"));
        Files.writeString(bin.resolve("counter-agent"), "#!/bin/sh\n");
        Files.setAttribute(bin.resolve("counter-agent"), "unix:mode", 04755);
        Files.setAttribute(Files.createDirectories(src.resolve("shared")), "unix:mode", 02775);
        Files.setAttribute(Files.createDirectories(src.resolve("spool")), "unix:mode", 01777);
        Path run = Files.createDirectories(src.resolve("run"));
        TestSupport.runProcess(new ProcessBuilder("mkfifo", "-m", "0640", run.resolve("events.fifo").toString()), 30);
        try (var socket = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            socket.bind(UnixDomainSocketAddress.of(run.resolve("agent.sock")));
        }
        Path dev = Files.createDirectories(src.resolve("dev"));
        boolean root = "root".equals(System.getProperty("user.name"));
        if (root) {
            assertEquals(0, TestSupport.runProcess(new ProcessBuilder("mknod", dev.resolve("null").toString(), "c", "1",
                    "3"), 30).exit());
            assertEquals(0, TestSupport.runProcess(new ProcessBuilder("mknod", dev.resolve("loop200").toString(), "b",
                    "7", "200"), 30).exit());
        }
        // touch, since the JDK opens a file to set its times, and opening a fifo waits for a writer
        assertEquals(0, TestSupport.runProcess(new ProcessBuilder("touch", "-m", "-d", "2024-02-29T12:00:00.5Z",
                run.resolve("events.fifo").toString()), 30).exit());

        Path repo = tmp.resolve("repo");
        String pw = TestSupport.passwordFile(tmp, "secret").toString();
        assertEquals(0, cli("init", "--repo", repo.toString(), "--password-file", pw).exit());
        TestSupport.Run backup = cli("backup", "--repo", repo.toString(), "--password-file", pw, "--json", src.toString());
        assertEquals(0, backup.exit(), backup::toString);
        var snapshot = io.lifeboat.repository.Repository.JSON.readTree(backup.out());
        assertEquals("success", snapshot.get("status").asText(), "special files make no backup partial");
        assertEquals(root ? 4 : 2, snapshot.at("/summary/specialFiles").asLong(), backup.out());

        restoreLatestAsItWas(repo, pw, src);
        Map<String, String> expected = TestSupport.describe(src);
        assertTrue(expected.get("bin/counter-agent").startsWith("mode=104755"), expected.toString());
        assertTrue(expected.get("shared").startsWith("mode=42775") && expected.get("spool").startsWith("mode=41777"),
                expected.toString());
        assertTrue(expected.get("run/events.fifo").startsWith("mode=10640"), "a fifo: " + expected);
        assertTrue(expected.get("run/agent.sock").startsWith("mode=14"), "a socket: " + expected);
        if (root) {
            assertTrue(expected.get("dev/null").startsWith("mode=20") && expected.get("dev/loop200").startsWith("mode=60"),
                    "devices: " + expected);
        }
        assertEquals(0, cli("verify", "--repo", repo.toString(), "--password-file", pw).exit());
    }

    /** Restores the latest snapshot and checks that src came back exactly; returns where it did. */
    private Path restoreLatestAsItWas(Path repo, String pw, Path src) throws Exception {
        Path target = tmp.resolve("restored");
        TestSupport.Run restore = cli("restore", "--repo", repo.toString(), "--password-file", pw, "latest",
                "--target", target.toString());
        assertEquals(0, restore.exit(), restore::toString);
        Path restored = target.resolve(src.toString().substring(1));
        assertEquals(TestSupport.describe(src), TestSupport.describe(restored));
        return restored;
    }

    /** UTF-8 of the text followed by raw bytes that are not UTF-8. */
    private static byte[] bytes(String text, byte... raw) {
        byte[] head = text.getBytes(StandardCharsets.UTF_8);
        byte[] all = Arrays.copyOf(head, head.length + raw.length);
        System.arraycopy(raw, 0, all, head.length, raw.length);
        return all;
    }

    @Test
    void includeRestoresOnlyTheChosenSubtree() throws Exception {
        Path src = tmp.resolve("src");
        Files.createDirectories(src.resolve("logs"));
        Files.writeString(src.resolve("logs/a.log"), "a\n");
        Files.createDirectories(src.resolve("config"));
        Files.writeString(src.resolve("config/c.yaml"), "c\n");
        Path repo = tmp.resolve("repo");
        String pw = TestSupport.passwordFile(tmp, "pw").toString();
        cli("init", "--repo", repo.toString(), "--password-file", pw);
        cli("backup", "--repo", repo.toString(), "--password-file", pw, src.toString());
        Path target = tmp.resolve("t");
        TestSupport.Run r = cli("restore", "--repo", repo.toString(), "--password-file", pw, "latest", "--target",
                target.toString(), "--include", src.resolve("config").toString());
        assertEquals(0, r.exit(), r::toString);
        Path restored = target.resolve(src.toString().substring(1));
        assertEquals("c\n", Files.readString(restored.resolve("config/c.yaml")));
        assertTrue(Files.notExists(restored.resolve("logs")), "logs were not asked for");
    }
}
