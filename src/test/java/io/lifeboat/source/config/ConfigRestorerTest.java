package io.lifeboat.source.config;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lifeboat.TestSupport;
import io.lifeboat.crypto.MasterKey;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A restore below a target stays below it, whatever links the backup or the target hold. */
class ConfigRestorerTest {
    private Path work;

    @AfterEach
    void clean() throws Exception {
        TestSupport.deleteTree(work);
    }

    @Test
    void aLinkInTheBackupDoesNotLeadARestoreOutOfItsTarget() throws Exception {
        work = Files.createTempDirectory("lifeboat-restorer");
        Path outside = work.resolve("outside");
        Files.createDirectories(outside);
        Path target = work.resolve("target");
        StoredItem link = new StoredItem("/etc/app", ConfigItem.LINK, outside.toString(), 0777, 0, 0, 0, 0, "t", 0,
                false, null, new byte[0]);
        StoredItem dir = new StoredItem("/etc/app/conf.d", ConfigItem.DIR, null, 0700, 0, 0, 0, 0, "t", 0, false, null,
                new byte[0]);
        StoredItem file = new StoredItem("/etc/app/conf.d/x.conf", ConfigItem.FILE, null, 0600, 0, 0, 0, 2, "t", 0,
                false, null, "x\n".getBytes());
        ConfigSnapshots.Loaded backup = new ConfigSnapshots.Loaded(new ConfigSnapshots.Manifest(1, "app", "system",
                null, List.of(link, dir, file), List.of()), List.of(link, dir, file), null);
        ConfigRestorer.PartlyWritten refused = assertThrows(ConfigRestorer.PartlyWritten.class,
                () -> ConfigRestorer.restore(backup, MasterKey.generate(), target));
        assertTrue(refused.getMessage().contains("is a link"), refused.getMessage());
        assertFalse(Files.exists(outside.resolve("conf.d")), "nothing was made outside the target");
        assertTrue(Files.isSymbolicLink(target.resolve("etc/app")), "the link itself is restored, as a link");
    }
}
