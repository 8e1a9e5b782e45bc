package io.lifeboat.compress;

import com.github.luben.zstd.Zstd;
import java.io.ByteArrayOutputStream;
import java.util.Locale;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

/**
 * Per-chunk compression. The code byte is stored in front of every chunk so a reader needs no
 * other context; a chunk that does not shrink is stored raw (code 0).
 */
public enum Compression {
    NONE(0), GZIP(1), ZSTD(2);

    /** Below this ratio of saved bytes a chunk is kept raw: decoding it would cost more than it saves. */
    private static final double MIN_SAVING = 0.03;
    private static final int SAMPLE = 64 * 1024;

    public final int code;

    Compression(int code) {
        this.code = code;
    }

    public static Compression ofCode(int code) {
        for (Compression c : values()) {
            if (c.code == code) {
                return c;
            }
        }
        throw new IllegalArgumentException("unknown compression code " + code);
    }

    /** Parses "gzip", "zstd", "none", optionally with a level ("zstd:3"). */
    public static Setting parse(String text) {
        String[] parts = text.trim().toLowerCase(Locale.ROOT).split(":", 2);
        Compression c = switch (parts[0]) {
            case "gzip" -> GZIP;
            case "zstd" -> ZSTD;
            case "none", "off" -> NONE;
            default -> throw new IllegalArgumentException("unknown compression '" + text + "': use gzip, zstd or none");
        };
        int level = c.defaultLevel();
        if (parts.length == 2) {
            try {
                level = Integer.parseInt(parts[1]);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("compression level in '" + text + "' is not a number");
            }
        }
        if (c == GZIP && (level < 1 || level > 9) || c == ZSTD && (level < 1 || level > 19)) {
            throw new IllegalArgumentException("compression level " + level + " is out of range for " + parts[0]);
        }
        return new Setting(c, level);
    }

    int defaultLevel() {
        return switch (this) {
            case GZIP -> 6;
            case ZSTD -> 3;
            case NONE -> 0;
        };
    }

    /** A compression and its level, as configured for a backup. */
    public record Setting(Compression method, int level) {
        @Override
        public String toString() {
            return method == NONE ? "none" : method.name().toLowerCase(Locale.ROOT) + ":" + level;
        }

        /**
         * Returns [code byte][payload]: compressed if that saves at least 3 %, raw otherwise. A sample
         * of a large chunk is tried first, so camera media (already compressed) costs little CPU.
         */
        public byte[] encode(byte[] data) {
            if (method != NONE && (data.length <= 4 * SAMPLE || worthCompressing(data))) {
                byte[] packed = compress(data);
                if (packed.length < data.length * (1 - MIN_SAVING)) {
                    return withCode(method.code, packed, packed.length);
                }
            }
            return withCode(NONE.code, data, data.length);
        }

        private boolean worthCompressing(byte[] data) {
            byte[] sample = java.util.Arrays.copyOfRange(data, data.length / 2, data.length / 2 + SAMPLE);
            return compress(sample).length < SAMPLE * (1 - MIN_SAVING);
        }

        private byte[] compress(byte[] data) {
            if (method == ZSTD) {
                return Zstd.compress(data, level);
            }
            Deflater deflater = new Deflater(level, true);
            try {
                deflater.setInput(data);
                deflater.finish();
                ByteArrayOutputStream out = new ByteArrayOutputStream(data.length / 2 + 64);
                byte[] buf = new byte[64 * 1024];
                while (!deflater.finished()) {
                    int n = deflater.deflate(buf);
                    out.write(buf, 0, n);
                }
                return out.toByteArray();
            } finally {
                deflater.end();
            }
        }
    }

    private static byte[] withCode(int code, byte[] payload, int length) {
        byte[] out = new byte[length + 1];
        out[0] = (byte) code;
        System.arraycopy(payload, 0, out, 1, length);
        return out;
    }

    /** Reverses Setting.encode; rawLength is the chunk's original size, known from the index. */
    public static byte[] decode(byte[] encoded, int rawLength) {
        if (encoded.length == 0) {
            throw new IllegalArgumentException("chunk has no compression code");
        }
        Compression c = ofCode(encoded[0] & 0xff);
        int length = encoded.length - 1;
        switch (c) {
            case NONE:
                return java.util.Arrays.copyOfRange(encoded, 1, encoded.length);
            case ZSTD: {
                byte[] out = new byte[rawLength];
                long n = Zstd.decompressByteArray(out, 0, rawLength, encoded, 1, length);
                if (Zstd.isError(n) || n != rawLength) {
                    throw new IllegalStateException("zstd chunk does not decode to " + rawLength + " bytes");
                }
                return out;
            }
            default: {
                Inflater inflater = new Inflater(true);
                try {
                    inflater.setInput(encoded, 1, length);
                    byte[] out = new byte[rawLength];
                    int n = 0;
                    while (n < rawLength && !inflater.finished()) {
                        int k = inflater.inflate(out, n, rawLength - n);
                        if (k == 0 && (inflater.needsInput() || inflater.needsDictionary())) {
                            break;
                        }
                        n += k;
                    }
                    if (n != rawLength) {
                        throw new IllegalStateException("gzip chunk does not decode to " + rawLength + " bytes");
                    }
                    return out;
                } catch (DataFormatException e) {
                    throw new IllegalStateException("gzip chunk is damaged: " + e.getMessage(), e);
                } finally {
                    inflater.end();
                }
            }
        }
    }
}
