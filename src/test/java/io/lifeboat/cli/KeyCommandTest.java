package io.lifeboat.cli;

import static io.lifeboat.TestSupport.cli;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lifeboat.TestSupport;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Several passphrases open one repository; each can be added, changed and removed on its own. */
class KeyCommandTest {
    @TempDir
    Path tmp;

    @Test
    void addChangeAndRemovePassphrases() throws Exception {
        Path repo = tmp.resolve("repo");
        String first = TestSupport.passwordFile(tmp, "first").toString();
        String second = TestSupport.passwordFile(tmp, "second").toString();
        String third = TestSupport.passwordFile(tmp, "third").toString();
        Path src = Files.createDirectories(tmp.resolve("src"));
        Files.writeString(src.resolve("f.txt"), "data\n");
        cli("init", "--repo", repo.toString(), "--password-file", first);
        assertEquals(0, cli("backup", "--repo", repo.toString(), "--password-file", first, src.toString()).exit());

        TestSupport.Run add = cli("key", "add", "--repo", repo.toString(), "--password-file", first,
                "--new-password-file", second);
        assertEquals(0, add.exit(), add::toString);
        TestSupport.Run list = cli("key", "list", "--repo", repo.toString(), "--password-file", second, "--json");
        assertEquals(2, io.lifeboat.repository.Repository.JSON.readTree(list.out()).size(), list::toString);
        assertEquals(0, cli("snapshots", "--repo", repo.toString(), "--password-file", second).exit(),
                "the added passphrase opens the same data");

        TestSupport.Run passwd = cli("key", "passwd", "--repo", repo.toString(), "--password-file", first,
                "--new-password-file", third);
        assertEquals(0, passwd.exit(), passwd::toString);
        assertTrue(cli("snapshots", "--repo", repo.toString(), "--password-file", first).err().contains("wrong password"),
                "the old passphrase no longer opens it");
        Path target = tmp.resolve("t");
        assertEquals(0, cli("restore", "--repo", repo.toString(), "--password-file", third, "latest", "--target",
                target.toString()).exit(), "the changed passphrase restores the data");
        assertEquals("data\n", Files.readString(target.resolve(src.toString().substring(1)).resolve("f.txt")));

        TestSupport.Run self = cli("key", "list", "--repo", repo.toString(), "--password-file", second, "--json");
        String current = null;
        String other = null;
        for (var k : io.lifeboat.repository.Repository.JSON.readTree(self.out())) {
            if (k.get("current").asBoolean()) {
                current = k.get("id").asText();
            } else {
                other = k.get("id").asText();
            }
        }
        TestSupport.Run refused = cli("key", "remove", "--repo", repo.toString(), "--password-file", second, current);
        assertEquals(1, refused.exit(), "the key in use is not removed: " + refused);
        assertEquals(0, cli("key", "remove", "--repo", repo.toString(), "--password-file", second, other).exit());
        assertTrue(cli("snapshots", "--repo", repo.toString(), "--password-file", third).err().contains("wrong password"),
                "the removed key no longer opens it");
    }
}
