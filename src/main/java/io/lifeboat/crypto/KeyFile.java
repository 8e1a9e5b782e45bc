package io.lifeboat.crypto;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Base64;
import javax.crypto.spec.SecretKeySpec;
import de.mkammerer.argon2.Argon2Advanced;
import de.mkammerer.argon2.Argon2Factory;

/**
 * One way into a repository: the master key sealed under a key derived from a passphrase with
 * Argon2id (memory-hard, so guessing passphrases on GPUs is costly). A repository may hold several;
 * each opens the same master key. Stored as JSON under keys/.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record KeyFile(int version, String created, String host, String user, String kdf,
                      int memoryKiB, int iterations, int parallelism, String salt, String data) {

    public static final int DEFAULT_MEMORY_KIB = 64 * 1024;
    public static final int DEFAULT_ITERATIONS = 3;
    public static final int DEFAULT_PARALLELISM = 2;
    private static final byte[] AAD = "lifeboat master key".getBytes(StandardCharsets.US_ASCII);

    /** Seals the master key under the passphrase, with fresh salt. */
    public static KeyFile create(MasterKey key, byte[] passphrase, String host, String user) {
        byte[] salt = new byte[16];
        new SecureRandom().nextBytes(salt);
        byte[] kek = derive(passphrase, salt, DEFAULT_MEMORY_KIB, DEFAULT_ITERATIONS, DEFAULT_PARALLELISM);
        byte[] sealed = MasterKey.seal(new SecretKeySpec(kek, "AES"), key.material(), AAD,
                MasterKey.newInstance("AES/GCM/NoPadding"));
        Base64.Encoder b64 = Base64.getEncoder();
        return new KeyFile(1, Instant.now().toString(), host, user, "argon2id", DEFAULT_MEMORY_KIB,
                DEFAULT_ITERATIONS, DEFAULT_PARALLELISM, b64.encodeToString(salt), b64.encodeToString(sealed));
    }

    /** The master key, or {@link CorruptDataException} when the passphrase is not this key's. */
    public MasterKey unlock(byte[] passphrase) {
        if (!"argon2id".equals(kdf)) {
            throw new IllegalArgumentException("key uses unknown key derivation '" + kdf + "'");
        }
        byte[] kek = derive(passphrase, Base64.getDecoder().decode(salt), memoryKiB, iterations, parallelism);
        byte[] sealed = Base64.getDecoder().decode(data);
        byte[] material = MasterKey.open(new SecretKeySpec(kek, "AES"), sealed, 0, sealed.length, AAD,
                MasterKey.newInstance("AES/GCM/NoPadding"));
        return new MasterKey(material);
    }

    /**
     * Argon2id (version 1.3) in native code: the same bytes as any conforming implementation, in a
     * quarter of the time a pure-Java one takes on a cold JVM, where every command starts.
     */
    private static byte[] derive(byte[] passphrase, byte[] salt, int memoryKiB, int iterations, int parallelism) {
        if (memoryKiB < 8 * parallelism || memoryKiB > 4 * 1024 * 1024 || iterations < 1 || iterations > 100
                || parallelism < 1 || parallelism > 64) {
            throw new CorruptDataException("key has out-of-range Argon2 parameters");
        }
        Argon2Advanced argon2 = Argon2Factory.createAdvanced(Argon2Factory.Argon2Types.ARGON2id, salt.length, 32);
        return argon2.rawHash(iterations, memoryKiB, parallelism, passphrase, salt);
    }
}
