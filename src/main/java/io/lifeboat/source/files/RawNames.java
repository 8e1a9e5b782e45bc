package io.lifeboat.source.files;

import io.lifeboat.repository.RepositoryException;
import java.lang.reflect.Constructor;
import java.lang.reflect.Method;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Path;

/**
 * File names are bytes on Linux, and not always UTF-8. Java's Path keeps those bytes but only
 * shows them as a lossy string, so names that are not valid UTF-8 are read and recreated through
 * the JDK's Unix path class (opened to us by {@code --add-opens java.base/sun.nio.fs=ALL-UNNAMED},
 * which bin/lifeboat passes). Without that option such names are reported, never silently mangled.
 */
final class RawNames {
    private static final Method AS_BYTES;
    private static final Constructor<?> FROM_BYTES;

    static {
        Method asBytes = null;
        Constructor<?> fromBytes = null;
        try {
            Class<?> unixPath = Class.forName("sun.nio.fs.UnixPath");
            asBytes = unixPath.getDeclaredMethod("asByteArray");
            fromBytes = unixPath.getDeclaredConstructor(Class.forName("sun.nio.fs.UnixFileSystem"), byte[].class);
            asBytes.setAccessible(true);
            fromBytes.setAccessible(true);
        } catch (ReflectiveOperationException | RuntimeException e) {
            asBytes = null;
            fromBytes = null;
        }
        AS_BYTES = asBytes;
        FROM_BYTES = fromBytes;
    }

    private RawNames() {
    }

    static boolean available() {
        return AS_BYTES != null;
    }

    /** The path's bytes when they are not valid UTF-8 (its string form would lose them), else null. */
    static byte[] nonUtf8Bytes(Path path) {
        String text = path.toString();
        if (text.indexOf('\uFFFD') < 0 || !available()) {
            return null;
        }
        byte[] raw = bytes(path);
        try {
            StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(raw));
            return null;
        } catch (CharacterCodingException e) {
            return raw;
        }
    }

    static byte[] bytes(Path path) {
        try {
            return (byte[]) AS_BYTES.invoke(path);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot read the bytes of a file name", e);
        }
    }

    /** A path made of exactly these bytes. */
    static Path path(byte[] raw) {
        if (FROM_BYTES == null) {
            throw new RepositoryException("this file name is not valid UTF-8 and can only be restored when Java runs "
                    + "with --add-opens java.base/sun.nio.fs=ALL-UNNAMED (bin/lifeboat does)");
        }
        try {
            return (Path) FROM_BYTES.newInstance(FileSystems.getDefault(), raw);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot make a file name from bytes", e);
        }
    }
}
