package io.lifeboat.repository;

import java.lang.reflect.Field;
import java.nio.ByteBuffer;
import sun.misc.Unsafe;

/**
 * Lets go of a memory-mapped buffer now rather than when the collector gets to it: a chunk index
 * that doubles would otherwise keep every smaller mapping resident until then (the JDK has no
 * public unmap; sun.misc.Unsafe's invokeCleaner is the supported way, as Lucene and Netty use it).
 */
final class Unmapper {
    private static final Unsafe UNSAFE = unsafe();

    private Unmapper() {
    }

    /** Unmaps a direct buffer nobody uses any more; heap buffers and a JDK without Unsafe are left to the collector. */
    static void unmap(ByteBuffer buffer) {
        if (UNSAFE != null && buffer.isDirect()) {
            UNSAFE.invokeCleaner(buffer);
        }
    }

    private static Unsafe unsafe() {
        try {
            Field f = Unsafe.class.getDeclaredField("theUnsafe");
            f.setAccessible(true);
            return (Unsafe) f.get(null);
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }
}
