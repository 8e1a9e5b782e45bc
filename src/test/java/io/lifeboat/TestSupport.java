package io.lifeboat;

import io.lifeboat.cli.Lifeboat;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** What the tests share: running the command line, making data, and describing trees to compare them. */
public final class TestSupport {
    private TestSupport() {
    }

    /** The outcome of one command: exit code and what it printed. */
    public record Run(int exit, String out, String err) {
        @Override
        public String toString() {
            return "exit " + exit + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }

    /** Runs the command line in this JVM (fast), capturing its output. Not for concurrent use. */
    public static synchronized Run cli(String... args) {
        PrintStream out = System.out;
        PrintStream err = System.err;
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
        try {
            int code = Lifeboat.run(args);
            return new Run(code, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
    }

    /** A command line in its own JVM, for what needs a separate process (kill -9, heap limits). */
    public static ProcessBuilder process(List<String> jvmOptions, String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("--add-opens");
        cmd.add("java.base/sun.nio.fs=ALL-UNNAMED");
        cmd.addAll(jvmOptions);
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add("io.lifeboat.cli.Lifeboat");
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd);
    }

    /**
     * `serve` in a JVM of its own on the runtime class path alone (what bin/lifeboat runs, without
     * the test libraries), from the project directory so that it finds routes/.
     */
    public static ProcessBuilder serveProcess(List<String> jvmOptions, Path config) throws IOException {
        String classpath = Path.of("target/classes").toAbsolutePath() + File.pathSeparator
                + Files.readString(Path.of("target/runtime-classpath.txt")).strip();
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(jvmOptions);
        cmd.addAll(List.of("--add-opens", "java.base/sun.nio.fs=ALL-UNNAMED", "-cp", classpath,
                "io.lifeboat.cli.Lifeboat", "serve", "--config", config.toString()));
        return new ProcessBuilder(cmd);
    }

    /** A TCP port nothing listens on now. */
    public static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    public static Run runProcess(ProcessBuilder pb, long timeoutSeconds) throws IOException, InterruptedException {
        Path out = Files.createTempFile("lifeboat-out", ".txt");
        Path err = Files.createTempFile("lifeboat-err", ".txt");
        try {
            Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("command did not finish in " + timeoutSeconds + " s: " + pb.command());
            }
            return new Run(p.exitValue(), Files.readString(out), Files.readString(err));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    public static Path passwordFile(Path dir, String passphrase) throws IOException {
        Path f = dir.resolve("pw-" + passphrase.hashCode());
        Files.writeString(f, passphrase + "\n");
        return f;
    }

    /** Incompressible bytes from a seed: the same seed gives the same bytes. */
    public static byte[] random(long seed, int size) {
        byte[] b = new byte[size];
        SplittableRandom r = new SplittableRandom(seed);
        for (int i = 0; i < size; i += 8) {
            long v = r.nextLong();
            for (int k = 0; k < 8 && i + k < size; k++) {
                b[i + k] = (byte) (v >>> (8 * k));
            }
        }
        return b;
    }

    /** Writes size incompressible bytes without holding them all in memory. */
    public static void writeRandom(Path file, long seed, long size) throws IOException {
        Files.createDirectories(file.getParent());
        try (var out = Files.newOutputStream(file)) {
            long left = size;
            long block = 0;
            while (left > 0) {
                int n = (int) Math.min(left, 1 << 20);
                out.write(random(seed * 1_000_003L + block++, n));
                left -= n;
            }
        }
    }

    /**
     * Every entry below root, by relative path: type and permissions (st_mode), owner, mtime, size,
     * content hash, link target, device number. Two trees are restored alike exactly when their descriptions are equal.
     */
    public static Map<String, String> describe(Path root) throws IOException {
        Map<String, String> all = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : (Iterable<Path>) walk::iterator) {
                if (p.equals(root)) {
                    continue;
                }
                Map<String, Object> a = Files.readAttributes(p, "unix:*", LinkOption.NOFOLLOW_LINKS);
                StringBuilder d = new StringBuilder();
                int mode = (Integer) a.get("mode");
                d.append("mode=").append(Integer.toOctalString(mode)).append(" uid=").append(a.get("uid"))
                        .append(" gid=").append(a.get("gid"));
                if (Files.isSymbolicLink(p)) {
                    d.append(" -> ").append(Files.readSymbolicLink(p));
                } else if (!Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS) && !Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                    d.append(" rdev=").append(a.get("rdev")).append(" mtime=").append(a.get("lastModifiedTime"));
                } else {
                    d.append(" mtime=").append(a.get("lastModifiedTime"));
                    if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                        d.append(" nlink=").append(a.get("nlink")).append(" size=").append(a.get("size"))
                                .append(" sha256=").append(sha256(p));
                    }
                }
                all.put(root.relativize(p).toString(), d.toString());
            }
        }
        return all;
    }

    public static String sha256(Path file) throws IOException {
        try (var in = Files.newInputStream(file)) {
            java.security.MessageDigest md = java.security.MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) {
                md.update(buf, 0, n);
            }
            return java.util.HexFormat.of().formatHex(md.digest());
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Disk blocks (512 bytes) actually allocated to a file, from stat(1). */
    public static long allocatedBlocks(Path file) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("stat", "-c", "%b", file.toString()).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        p.waitFor();
        return Long.parseLong(out);
    }

    /** Removes a directory tree if it exists. */
    public static void deleteTree(Path dir) throws IOException {
        if (Files.exists(dir)) {
            try (Stream<Path> walk = Files.walk(dir)) {
                walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /** Sum of the sizes of every file below dir. */
    public static long sizeOf(Path dir) throws IOException {
        try (Stream<Path> walk = Files.walk(dir)) {
            return walk.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
        }
    }
}
