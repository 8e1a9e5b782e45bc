import io.lifeboat.repository.FastCdc;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * What inserting 1 MiB into the middle of a 100 MiB file costs the next backup, over many
 * repository keys (each key gives other chunk boundaries). Run after a build:
 *   java -cp target/classes bench/ChunkerShift.java [keys]
 */
public class ChunkerShift {
    public static void main(String[] args) {
        int keys = args.length > 0 ? Integer.parseInt(args[0]) : 80;
        Random random = new Random(1);
        byte[] original = new byte[100 << 20];
        random.nextBytes(original);
        byte[] inserted = new byte[1 << 20];
        random.nextBytes(inserted);
        int middle = original.length / 2;
        byte[] edited = new byte[original.length + inserted.length];
        System.arraycopy(original, 0, edited, 0, middle);
        System.arraycopy(inserted, 0, edited, middle, inserted.length);
        System.arraycopy(original, middle, edited, middle + inserted.length, original.length - middle);

        long total = 0;
        long worst = 0;
        int over4 = 0;
        for (int k = 0; k < keys; k++) {
            FastCdc cdc = new FastCdc(new byte[] {(byte) k, (byte) (k >> 8)}, FastCdc.DEFAULT_MIN,
                    FastCdc.DEFAULT_AVG, FastCdc.DEFAULT_MAX);
            Set<String> stored = new HashSet<>();
            for (byte[] chunk : chunks(cdc, original)) {
                stored.add(key(chunk));
            }
            long added = 0;
            for (byte[] chunk : chunks(cdc, edited)) {
                if (!stored.contains(key(chunk))) {
                    added += chunk.length;
                }
            }
            total += added;
            worst = Math.max(worst, added);
            over4 += added >= 4 << 20 ? 1 : 0;
        }
        System.out.printf("keys %d: mean added %.2f MiB, worst %.2f MiB, %d above 4 MiB%n", keys,
                total / (double) keys / (1 << 20), worst / (double) (1 << 20), over4);
    }

    private static List<byte[]> chunks(FastCdc cdc, byte[] data) {
        List<byte[]> out = new ArrayList<>();
        for (int offset = 0; offset < data.length; ) {
            int n = cdc.cut(data, offset, data.length - offset, true);
            out.add(Arrays.copyOfRange(data, offset, offset + n));
            offset += n;
        }
        return out;
    }

    private static String key(byte[] chunk) {
        return Arrays.hashCode(chunk) + ":" + chunk.length;
    }
}
