package io.lifeboat.cli;

import static io.lifeboat.TestSupport.cli;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lifeboat.TestSupport;
import io.lifeboat.repository.Repository;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command-line contract: --help everywhere, --json that parses, one-line reasons and non-zero exits. */
class CommandLineTest {
    @TempDir
    Path tmp;

    @Test
    void everyCommandHasHelp() {
        for (String command : List.of("init", "backup", "snapshots", "restore", "verify", "key", "serve", "token",
                "demo")) {
            TestSupport.Run r = cli(command, "--help");
            assertEquals(0, r.exit(), command);
            assertTrue(r.out().startsWith("Usage: lifeboat " + command), r::toString);
        }
        for (String sub : List.of("add", "list", "remove", "passwd")) {
            assertEquals(0, cli("key", sub, "--help").exit(), sub);
        }
        for (String sub : List.of("create", "list", "revoke")) {
            assertEquals(0, cli("token", sub, "--help").exit(), sub);
        }
        for (String command : List.of("forget", "prune", "db")) {
            assertEquals(0, cli(command, "--help").exit(), command);
        }
        for (String sub : List.of("backup", "dump", "list", "restore", "restore-table", "wal-push", "wal-fetch",
                "wal-receive", "check", "forget")) {
            TestSupport.Run r = cli("db", sub, "--help");
            assertEquals(0, r.exit(), sub);
            assertTrue(!r.err().contains("WARN"), r::toString);
        }
    }

    @Test
    void theLauncherAnswersSegmentsPushedOrFetchedAheadWithoutJava() throws Exception {
        Path launcher = Path.of("bin/lifeboat").toAbsolutePath();
        Path walDir = tmp.resolve("pg_wal");
        Files.createDirectories(walDir.resolve("lifeboat-pushed"));
        String segment = "00000001000000000000002A";
        Files.writeString(walDir.resolve(segment), "wal");
        Files.writeString(walDir.resolve("lifeboat-pushed").resolve(segment), "");
        // a repository that does not exist: only the launcher's shortcut can answer with success
        Process push = new ProcessBuilder(launcher.toString(), "db", "wal-push", "--repo", tmp.resolve("none").toString(),
                "--source", "beCamera", walDir.resolve(segment).toString()).redirectErrorStream(true).start();
        assertEquals(0, push.waitFor(), new String(push.getInputStream().readAllBytes()));
        assertTrue(Files.notExists(walDir.resolve("lifeboat-pushed").resolve(segment)), "the marker has served");

        Path prefetched = tmp.resolve("prefetch");
        Files.createDirectories(prefetched);
        Files.writeString(prefetched.resolve(segment), "fetched ahead");
        Process fetch = new ProcessBuilder(launcher.toString(), "db", "wal-fetch", "--repo", tmp.resolve("none").toString(),
                "--source", "beCamera", "--prefetch-dir", prefetched.toString(), segment,
                walDir.resolve("RECOVERYXLOG").toString()).redirectErrorStream(true).start();
        assertEquals(0, fetch.waitFor(), new String(fetch.getInputStream().readAllBytes()));
        assertEquals("fetched ahead", Files.readString(walDir.resolve("RECOVERYXLOG")));
        assertTrue(Files.notExists(prefetched.resolve(segment)));

        // where the archive ended: that segment and a history file it lacked are "not archived", at once
        Files.write(prefetched.resolve("archive-end"), List.of("00000001000000000000002B", "00000002.history"));
        for (String missing : List.of("00000001000000000000002B", "00000003.history")) {
            Process end = new ProcessBuilder(launcher.toString(), "db", "wal-fetch", "--repo",
                    tmp.resolve("none").toString(), "--source", "beCamera", "--prefetch-dir", prefetched.toString(),
                    missing, walDir.resolve("RECOVERYXLOG").toString()).start();
            String err = new String(end.getErrorStream().readAllBytes());
            assertEquals(1, end.waitFor(), missing);
            assertEquals("", err, "answered by the launcher, not by Java (which would name the missing repository)");
        }
    }

    @Test
    void badInputGetsOneLineAndANonZeroExit() throws Exception {
        String pw = TestSupport.passwordFile(tmp, "pw").toString();
        Path repo = tmp.resolve("repo");
        assertFailsWith("no repository at", cli("snapshots", "--repo", repo.toString(), "--password-file", pw));
        assertFailsWith("does not exist", cli("init", "--repo", repo.toString(), "--password-file",
                tmp.resolve("missing").toString()));
        assertFailsWith("unknown compression", cli("init", "--repo", repo.toString(), "--password-file", pw,
                "--compression", "lz4"));
        Files.writeString(tmp.resolve("empty-pw"), "\n");
        assertFailsWith("is empty", cli("init", "--repo", repo.toString(), "--password-file",
                tmp.resolve("empty-pw").toString()));
        assertEquals(0, cli("init", "--repo", repo.toString(), "--password-file", pw).exit());
        assertFailsWith("already exists", cli("init", "--repo", repo.toString(), "--password-file", pw));
        assertFailsWith("no such file", cli("backup", "--repo", repo.toString(), "--password-file", pw,
                tmp.resolve("nothing-here").toString()));
        assertFailsWith("no snapshots", cli("restore", "--repo", repo.toString(), "--password-file", pw, "latest",
                "--target", tmp.resolve("t").toString()));
        assertFailsWith("unsupported repository location", cli("snapshots", "--repo", "ftp://host/x", "--password-file", pw));
    }

    @Test
    void serveRefusesAnInvalidScheduleNamingFileSourceAndField() throws Exception {
        Path config = Files.createDirectories(tmp.resolve("config"));
        Files.writeString(config.resolve("lifeboat.yaml"), "files:\n  - { name: media, path: " + tmp
                + ", schedule: '0 4 * * 9', retention: 90d }\n");
        TestSupport.Run r = cli("serve", "--config", config.toString());
        assertEquals(1, r.exit(), r::toString);
        assertTrue(r.err().lines().anyMatch(l -> l.startsWith("lifeboat serve: " + config.resolve("lifeboat.yaml"))
                && l.contains("files[media].schedule") && l.contains("day of week '9'")), r::toString);
    }

    @Test
    void tokensAreCreatedListedAndRevoked() throws Exception {
        Path config = Files.createDirectories(tmp.resolve("config"));
        Files.writeString(config.resolve("lifeboat.yaml"), "catalog: { url: 'jdbc:h2:file:" + tmp.resolve("catalog")
                + "' }\n");
        TestSupport.Run created = cli("token", "create", "--config", config.toString(), "--role", "auditor",
                "--name", "compliance");
        assertEquals(0, created.exit(), created::toString);
        assertTrue(created.out().startsWith("lb_"), created::toString);
        assertFailsWith("unknown role", cli("token", "create", "--config", config.toString(), "--role", "root"));
        TestSupport.Run list = cli("token", "list", "--config", config.toString());
        assertTrue(list.out().contains("Auditor") && list.out().contains("compliance")
                && !list.out().contains(created.out().trim()), "listed without its value: " + list);
        assertEquals(0, cli("token", "revoke", "--config", config.toString(), "compliance").exit());
        assertFailsWith("no live token", cli("token", "revoke", "--config", config.toString(), "compliance"));
    }

    @Test
    void jsonOutputDescribesTheBackup() throws Exception {
        String pw = TestSupport.passwordFile(tmp, "pw").toString();
        Path repo = tmp.resolve("repo");
        Path src = Files.createDirectories(tmp.resolve("src"));
        Files.writeString(src.resolve("a.txt"), "hello\n");
        Files.writeString(src.resolve("b.txt"), "world\n");
        cli("init", "--repo", repo.toString(), "--password-file", pw);
        TestSupport.Run backup = cli("backup", "--repo", repo.toString(), "--password-file", pw, "--json", "--tag",
                "nightly", src.toString());
        assertEquals(0, backup.exit(), backup::toString);
        var snapshot = Repository.JSON.readTree(backup.out());
        assertEquals("success", snapshot.get("status").asText());
        assertEquals(2, snapshot.at("/summary/files").asLong());
        assertEquals("nightly", snapshot.at("/tags/0").asText());
        var list = Repository.JSON.readTree(cli("snapshots", "--repo", repo.toString(), "--password-file", pw,
                "--json").out());
        assertEquals(snapshot.get("id").asText(), list.get(0).get("id").asText());
        var verify = Repository.JSON.readTree(cli("verify", "--repo", repo.toString(), "--password-file", pw,
                "--json", "--read-data").out());
        assertTrue(verify.get("errors").isEmpty());
    }

    private static void assertFailsWith(String reason, TestSupport.Run r) {
        assertEquals(1, r.exit(), r::toString);
        assertTrue(r.err().contains(reason), "expected '" + reason + "' in: " + r);
        assertEquals(1, r.err().strip().lines().count(), "one line on stderr: " + r.err());
    }
}
