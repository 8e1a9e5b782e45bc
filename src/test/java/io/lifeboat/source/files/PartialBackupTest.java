package io.lifeboat.source.files;

import static io.lifeboat.TestSupport.cli;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lifeboat.TestSupport;
import io.lifeboat.repository.Repository;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What cannot be read is reported and the backup goes on; what changes while read is flagged. */
class PartialBackupTest {
    @TempDir
    Path tmp;

    @Test
    void unreadableEntriesAreReportedAndTheRestIsBackedUp() throws Exception {
        Path src = Files.createDirectories(tmp.resolve("src"));
        Files.writeString(src.resolve("readable.txt"), "fine\n");
        Path lockedFile = src.resolve("locked.key");
        Files.writeString(lockedFile, "secret\n");
        Files.setPosixFilePermissions(lockedFile, PosixFilePermissions.fromString("---------"));
        Path lockedDir = Files.createDirectories(src.resolve("locked-dir"));
        Files.writeString(lockedDir.resolve("inside.txt"), "hidden\n");
        Files.setPosixFilePermissions(lockedDir, PosixFilePermissions.fromString("---------"));
        Path repo = tmp.resolve("repo");
        Path pw = TestSupport.passwordFile(tmp, "pw");
        assertEquals(0, cli("init", "--repo", repo.toString(), "--password-file", pw.toString()).exit());

        ProcessBuilder backup = TestSupport.process(List.of(), "backup", "--repo", repo.toString(), "--password-file",
                pw.toString(), "--json", src.toString());
        TestSupport.Run r = TestSupport.runProcess(withoutRootOverride(backup), 120);
        assertEquals(3, r.exit(), r::toString);
        assertTrue(r.err().contains(lockedFile + ": cannot read file"), r::toString);
        assertTrue(r.err().contains(lockedDir + ": cannot list directory"), r::toString);
        var snapshot = Repository.JSON.readTree(r.out());
        assertEquals("partial", snapshot.get("status").asText());
        assertEquals(2, snapshot.get("problems").size());

        Path target = tmp.resolve("t");
        assertEquals(0, cli("restore", "--repo", repo.toString(), "--password-file", pw.toString(), "latest",
                "--target", target.toString()).exit());
        assertEquals("fine\n", Files.readString(target.resolve(src.toString().substring(1)).resolve("readable.txt")));
    }

    @Test
    void aFileThatChangesWhileReadIsRecordedAsSuch() throws Exception {
        Path src = tmp.resolve("src");
        Path growing = src.resolve("app.log");
        TestSupport.writeRandom(growing, 1, 200L << 20);
        Path repo = tmp.resolve("repo");
        Path pw = TestSupport.passwordFile(tmp, "pw");
        assertEquals(0, cli("init", "--repo", repo.toString(), "--password-file", pw.toString()).exit());
        AtomicBoolean done = new AtomicBoolean();
        Thread writer = new Thread(() -> {
            try (OutputStream out = Files.newOutputStream(growing, StandardOpenOption.APPEND)) {
                while (!done.get()) {
                    out.write("2026-11-25 INFO another line\n".getBytes());
                    out.flush();
                    Thread.sleep(1);
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        writer.start();
        TestSupport.Run r;
        try {
            r = cli("backup", "--repo", repo.toString(), "--password-file", pw.toString(), "--json", src.toString());
        } finally {
            done.set(true);
            writer.join();
        }
        assertEquals(0, r.exit(), r::toString);
        var snapshot = Repository.JSON.readTree(r.out());
        assertEquals(1, snapshot.at("/summary/changedWhileRead").asLong(), r::toString);
        assertEquals(growing.toString(), snapshot.at("/problems/0/path").asText());
        assertTrue(r.err().contains("changed while it was read"), r::toString);
    }

    /** As root, permissions do not stop reading: drop the capabilities that override them. */
    private static ProcessBuilder withoutRootOverride(ProcessBuilder pb) {
        if (!"root".equals(System.getProperty("user.name"))) {
            return pb;
        }
        List<String> cmd = new ArrayList<>(List.of("setpriv", "--bounding-set=-dac_override,-dac_read_search"));
        cmd.addAll(pb.command());
        return pb.command(cmd);
    }
}
