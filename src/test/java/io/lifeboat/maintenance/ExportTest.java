package io.lifeboat.maintenance;

import static io.lifeboat.TestSupport.cli;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lifeboat.TestSupport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Backups exported to one signed archive (what goes to tape) and imported into an empty place
 * restore identically; a changed byte, a cut-off archive or a signature by another key is refused
 * with the reason, and nothing of such an archive reaches the repository.
 */
class ExportTest {
    @TempDir
    Path tmp;
    private String repo;
    private String pw;
    private Path src;
    private Path keys;
    private Path keysPassword;

    @BeforeEach
    void backUpTwice() throws Exception {
        repo = tmp.resolve("repo").toString();
        pw = TestSupport.passwordFile(tmp, "export").toString();
        src = tmp.resolve("src");
        TestSupport.writeRandom(src.resolve("media/clip-1.mp4"), 81, 3L << 20);
        Files.writeString(Files.createDirectories(src.resolve("app")).resolve("settings.yaml"), "cameras: 64\n");
        Files.createSymbolicLink(src.resolve("app/current.yaml"), Path.of("settings.yaml"));
        assertEquals(0, cli("init", "--repo", repo, "--password-file", pw).exit());
        assertEquals(0, cli("backup", "--repo", repo, "--password-file", pw, src.toString()).exit());
        TestSupport.writeRandom(src.resolve("media/clip-2.mp4"), 82, 2L << 20);
        assertEquals(0, cli("backup", "--repo", repo, "--password-file", pw, src.toString()).exit());
        keysPassword = Files.writeString(tmp.resolve("keystore-password"), "tape-keys\n");
        keys = keystore("signer");
    }

    @Test
    void anExportImportedIntoAnEmptyPlaceRestoresIdentically() throws Exception {
        Path tape = tmp.resolve("tape.tar");
        TestSupport.Run exported = cli("export", "--repo", repo, "--password-file", pw, "--to", tape.toString(),
                "--keystore", keys.toString(), "--keystore-password-file", keysPassword.toString(), "latest");
        assertEquals(0, exported.exit(), exported::toString);
        assertTrue(exported.out().startsWith("exported 1 backups"), exported.out());

        String imported = tmp.resolve("vault").toString();
        TestSupport.Run read = importInto(tape, imported, keys);
        assertEquals(0, read.exit(), read::toString);
        TestSupport.Run listed = cli("snapshots", "--repo", imported, "--password-file", pw);
        assertTrue(listed.out().contains("1 snapshots"), listed.out());
        assertEquals(0, cli("verify", "--repo", imported, "--password-file", pw, "--read-data").exit());
        Path restored = tmp.resolve("restored");
        assertEquals(0, cli("restore", "--repo", imported, "--password-file", pw, "latest", "--target",
                restored.toString()).exit());
        assertEquals(TestSupport.describe(src), TestSupport.describe(restored.resolve(src.toString().substring(1))));
    }

    @Test
    void aChangedByteACutOffArchiveOrAnotherKeyIsRefused() throws Exception {
        Path tape = tmp.resolve("tape.tar");
        assertEquals(0, cli("export", "--repo", repo, "--password-file", pw, "--to", tape.toString(), "--keystore",
                keys.toString(), "--keystore-password-file", keysPassword.toString()).exit());
        byte[] whole = Files.readAllBytes(tape);

        byte[] changed = whole.clone();
        changed[whole.length / 2] ^= 1;
        Path altered = Files.write(tmp.resolve("altered.tar"), changed);
        TestSupport.Run refused = importInto(altered, tmp.resolve("a").toString(), keys);
        assertEquals(1, refused.exit(), refused::toString);
        assertTrue(refused.err().contains("the export fails its signature check"), refused.err());

        Path cut = Files.write(tmp.resolve("cut.tar"), Arrays.copyOf(whole, whole.length / 3));
        TestSupport.Run truncated = importInto(cut, tmp.resolve("b").toString(), keys);
        assertEquals(1, truncated.exit(), truncated::toString);
        assertTrue(truncated.err().contains("the export is truncated"), truncated.err());

        TestSupport.Run stranger = importInto(tape, tmp.resolve("c").toString(), keystore("someone-else"));
        assertEquals(1, stranger.exit(), stranger::toString);
        assertTrue(stranger.err().contains("the export fails its signature check"), stranger.err());

        for (String place : List.of("a", "b", "c")) {
            assertFalse(Files.exists(tmp.resolve(place)), "nothing of a refused archive is written to " + place);
        }
    }

    private TestSupport.Run importInto(Path archive, String into, Path keystore) {
        return cli("import", archive.toString(), "--repo", into, "--password-file", pw, "--keystore", keystore.toString(),
                "--keystore-password-file", keysPassword.toString());
    }

    /** A PKCS12 keystore with an EC key pair under the alias lifeboat, made as an operator would. */
    private Path keystore(String name) throws Exception {
        Path file = tmp.resolve(name + ".p12");
        Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-keyalg", "EC", "-groupname", "secp256r1", "-storetype", "PKCS12", "-keystore",
                file.toString(), "-storepass", "tape-keys", "-alias", "lifeboat", "-dname", "CN=" + name,
                "-validity", "3650").redirectErrorStream(true).start();
        String out = new String(keytool.getInputStream().readAllBytes());
        assertEquals(0, keytool.waitFor(), out);
        return file;
    }
}
