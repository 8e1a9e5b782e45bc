package io.lifeboat.cli;

import io.lifeboat.security.ManifestSignatures;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The keystore whose key signs exports (export), or whose certificate checks them (import). */
final class SigningKeyOptions {
    @Option(names = "--keystore", required = true, paramLabel = "FILE",
            description = "PKCS12 keystore: the signing key pair for export, its certificate (at least) for import")
    Path keystore;

    @Option(names = "--alias", defaultValue = "lifeboat", paramLabel = "NAME",
            description = "the key's name in the keystore; default ${DEFAULT-VALUE}")
    String alias;

    @Option(names = "--keystore-password-file", paramLabel = "FILE",
            description = "read the keystore's password from this file (its first line); default $LIFEBOAT_KEYSTORE_PASSWORD")
    Path passwordFile;

    ManifestSignatures open() throws IOException {
        String password = new String(Passphrases.read(passwordFile, "LIFEBOAT_KEYSTORE_PASSWORD", "keystore password",
                false), StandardCharsets.UTF_8);
        return ManifestSignatures.open(keystore, alias, password);
    }
}
