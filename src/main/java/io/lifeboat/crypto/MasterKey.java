package io.lifeboat.crypto;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The repository's secret: an AES-256 key that seals every object and chunk, and an HMAC-SHA256
 * key that names chunks (so chunk ids reveal nothing about content to someone without the key).
 * Sealed form: 12-byte random nonce, then AES-256-GCM ciphertext with its 16-byte tag.
 */
public final class MasterKey {
    public static final int LENGTH = 64;
    public static final int NONCE = 12;
    public static final int TAG = 16;
    public static final int OVERHEAD = NONCE + TAG;
    private static final int SLICE = 4096;
    private static final java.util.concurrent.atomic.AtomicBoolean WARMED = new java.util.concurrent.atomic.AtomicBoolean();

    private static final SecureRandom RANDOM = new SecureRandom();
    /** Keeps the nonces of deterministic sealing apart from every other keyed hash of this key. */
    private static final byte[] DETERMINISTIC = "lifeboat deterministic nonce\0".getBytes(StandardCharsets.US_ASCII);

    private final SecretKeySpec encryption;
    private final SecretKeySpec authentication;
    private final byte[] material;
    private final ThreadLocal<Cipher> ciphers = ThreadLocal.withInitial(() -> newInstance("AES/GCM/NoPadding"));
    private final ThreadLocal<Mac> macs;

    public MasterKey(byte[] material) {
        if (material.length != LENGTH) {
            throw new IllegalArgumentException("master key must be " + LENGTH + " bytes");
        }
        this.material = material.clone();
        this.encryption = new SecretKeySpec(material, 0, 32, "AES");
        this.authentication = new SecretKeySpec(material, 32, 32, "HmacSHA256");
        this.macs = ThreadLocal.withInitial(() -> {
            try {
                Mac mac = Mac.getInstance("HmacSHA256");
                mac.init(authentication);
                return mac;
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    public static MasterKey generate() {
        byte[] material = new byte[LENGTH];
        RANDOM.nextBytes(material);
        return new MasterKey(material);
    }

    /** The raw key, only for wrapping it under a key-encryption key. */
    public byte[] material() {
        return material.clone();
    }

    /** HMAC-SHA256 of the data under the repository's id key. */
    public byte[] id(byte[] data, int offset, int length) {
        Mac mac = macs.get();
        mac.update(data, offset, length);
        return mac.doFinal();
    }

    /** Encrypts and authenticates; aad binds the ciphertext to its name or role. */
    public byte[] seal(byte[] plaintext, byte[] aad) {
        return seal(encryption, plaintext, aad, ciphers.get());
    }

    /**
     * As {@link #seal}, but the nonce is a keyed hash of the aad and the plaintext (as in SIV modes):
     * the same input seals to the same bytes, so that what did not change deduplicates; it shows
     * only that two sealed inputs are equal.
     */
    public byte[] sealDeterministic(byte[] plaintext, byte[] aad) {
        Mac mac = macs.get();
        mac.update(DETERMINISTIC);
        // the aad's length first: (aad, plaintext) pairs that concatenate alike must not share a nonce
        mac.update(new byte[] {(byte) (aad.length >>> 24), (byte) (aad.length >>> 16), (byte) (aad.length >>> 8),
                (byte) aad.length});
        mac.update(aad);
        byte[] nonce = Arrays.copyOf(mac.doFinal(plaintext), NONCE);
        return seal(encryption, plaintext, aad, ciphers.get(), nonce);
    }

    /** Decrypts; throws {@link CorruptDataException} when the data or its aad was altered. */
    public byte[] open(byte[] sealed, byte[] aad) {
        return open(encryption, sealed, 0, sealed.length, aad, ciphers.get());
    }

    static byte[] seal(SecretKeySpec key, byte[] plaintext, byte[] aad, Cipher cipher) {
        byte[] nonce = new byte[NONCE];
        RANDOM.nextBytes(nonce);
        return seal(key, plaintext, aad, cipher, nonce);
    }

    private static byte[] seal(SecretKeySpec key, byte[] plaintext, byte[] aad, Cipher cipher, byte[] nonce) {
        byte[] out = new byte[NONCE + plaintext.length + TAG];
        System.arraycopy(nonce, 0, out, 0, NONCE);
        try {
            cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG * 8, nonce));
            if (aad != null) {
                cipher.updateAAD(aad);
            }
            // Many small calls rather than one big one: HotSpot switches to its AES-GCM intrinsic
            // only once the calling code is hot, and a 1 MiB call counts once (measured: 60 MiB/s
            // for the first GiB as one call per chunk, ~3 GiB/s within the first 200 MiB this way).
            int in = 0;
            int o = NONCE;
            while (plaintext.length - in > SLICE) {
                o += cipher.update(plaintext, in, SLICE, out, o);
                in += SLICE;
            }
            cipher.doFinal(plaintext, in, plaintext.length - in, out, o);
            return out;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("encryption failed: " + e.getMessage(), e);
        }
    }

    static byte[] open(SecretKeySpec key, byte[] sealed, int offset, int length, byte[] aad, Cipher cipher) {
        if (length < OVERHEAD) {
            throw new CorruptDataException("sealed data is too short (" + length + " bytes)");
        }
        try {
            cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG * 8, sealed, offset, NONCE));
            if (aad != null) {
                cipher.updateAAD(aad);
            }
            return cipher.doFinal(sealed, offset + NONCE, length - NONCE);
        } catch (AEADBadTagException e) {
            throw new CorruptDataException("authentication failed: the data was altered or the key is wrong");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("decryption failed: " + e.getMessage(), e);
        }
    }

    static Cipher newInstance(String transformation) {
        try {
            return Cipher.getInstance(transformation);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Makes HotSpot compile AES-GCM (GHASH and AES, shared by sealing and opening) before the first
     * real chunk, on a background thread. One call per 1 MiB chunk rarely makes its caller hot
     * enough for the intrinsic (measured: ~70 MiB/s cold, GiB/s once compiled), which matters most
     * to short runs such as a WAL push; the warm-up uses blocks of some KiB because tiny inputs take
     * another path in the JDK. For data commands only: it costs a few hundred milliseconds of CPU.
     */
    public static void warmUp() {
        if (!WARMED.compareAndSet(false, true)) {
            return;
        }
        Thread t = new Thread(() -> {
            MasterKey key = generate();
            byte[] block = new byte[8 * 1024];
            byte[] aad = {1};
            byte[] sealed = key.seal(block, aad);
            for (int i = 0; i < 3000; i++) {
                key.open(sealed, aad);
            }
        }, "crypto-warm-up");
        t.setDaemon(true);
        t.setPriority(Thread.MIN_PRIORITY);
        t.start();
    }

    /** Wipes the key material this object holds; the JCE key specs keep their own copies. */
    public void destroy() {
        Arrays.fill(material, (byte) 0);
    }
}
