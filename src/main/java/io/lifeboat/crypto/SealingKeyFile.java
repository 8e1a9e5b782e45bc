package io.lifeboat.crypto;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;

/**
 * A key kept apart from the repository's passphrase, for what that passphrase alone must not open
 * (configuration secrets, the security kind): 64 random bytes (AES-256 and HMAC-SHA256, as
 * {@link MasterKey}), written once as base64 in a file readable by its owner only.
 */
public final class SealingKeyFile {
    private SealingKeyFile() {
    }

    /** The key in the file; made (owner-only) when it is missing and create is set. */
    public static MasterKey load(Path file, boolean create) throws IOException {
        if (!Files.exists(file)) {
            if (!create) {
                throw new IOException("the sealing key " + file + " does not exist: put the key kept off this host"
                        + " back there (a new one is made only by a first backup, and opens no earlier backup)");
            }
            Path dir = file.toAbsolutePath().getParent();
            Files.createDirectories(dir);
            // written whole beside it, then linked to its name: a reader never sees half a key, and of
            // two processes making one at once, both end up with the first one linked
            Path temp = Files.createTempFile(dir, ".sealing-key", ".tmp", PosixFilePermissions.asFileAttribute(
                    PosixFilePermissions.fromString("rw-------")));
            try {
                Files.writeString(temp, Base64.getEncoder().encodeToString(MasterKey.generate().material()) + "\n");
                Files.createLink(file, temp);
            } catch (FileAlreadyExistsException madeMeanwhile) {
                // another process made it first: use that one
            } finally {
                Files.delete(temp);
            }
        }
        return parse(Files.readString(file, StandardCharsets.US_ASCII), file.toString());
    }

    /** A key given as text (an environment variable's value); where names it in an error. */
    public static MasterKey parse(String text, String where) {
        byte[] material;
        try {
            material = Base64.getDecoder().decode(text.strip());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + " does not hold a sealing key (base64 of " + MasterKey.LENGTH
                    + " bytes)");
        }
        if (material.length != MasterKey.LENGTH) {
            throw new IllegalArgumentException(where + " does not hold a sealing key (" + material.length + " bytes, not "
                    + MasterKey.LENGTH + ")");
        }
        return new MasterKey(material);
    }
}
