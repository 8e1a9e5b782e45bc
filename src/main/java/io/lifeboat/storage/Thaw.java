package io.lifeboat.storage;

import java.util.Locale;
import java.util.Map;

/**
 * Where the objects a read needs stand in an archive storage class (S3 GLACIER or DEEP_ARCHIVE,
 * which answer a GET only after a RestoreObject has brought a temporary copy back): how many are
 * archived, how many of those are readable now, their bytes, the slowest class among them and the
 * retrieval tier asked for. The store's published delays and list prices give the wait and the cost.
 */
public record Thaw(String storageClass, String tier, int archived, int readable, long archivedBytes) {
    /** Nothing archived: a directory, or a bucket without an archive class. */
    public static final Thaw NONE = new Thaw(null, null, 0, 0, 0);

    /** AWS's typical delay of a retrieval, by class and tier (docs: "Understanding archive retrieval options"). */
    private static final Map<String, String> DELAYS = Map.of(
            "GLACIER/Expedited", "1-5 minutes", "GLACIER/Standard", "3-5 hours", "GLACIER/Bulk", "5-12 hours",
            "DEEP_ARCHIVE/Standard", "up to 12 hours", "DEEP_ARCHIVE/Bulk", "up to 48 hours");
    /** US East list prices of a retrieval: dollars per GB, dollars per 1,000 requests. */
    private static final Map<String, double[]> PRICES = Map.of(
            "GLACIER/Expedited", new double[] {0.03, 10.0}, "GLACIER/Standard", new double[] {0.01, 0.05},
            "GLACIER/Bulk", new double[] {0.0, 0.0}, "DEEP_ARCHIVE/Standard", new double[] {0.02, 0.10},
            "DEEP_ARCHIVE/Bulk", new double[] {0.0025, 0.025});

    public boolean ready() {
        return readable == archived;
    }

    public int waiting() {
        return archived - readable;
    }

    /** The store's typical delay for this class and tier. */
    public String expectedDelay() {
        return DELAYS.getOrDefault(storageClass + "/" + tier, "unknown (" + tier + " from " + storageClass + ")");
    }

    /** What retrieving the archived objects costs at list prices, in dollars. */
    public double cost() {
        double[] price = PRICES.getOrDefault(storageClass + "/" + tier, new double[] {0, 0});
        return archivedBytes / 1e9 * price[0] + archived / 1000.0 * price[1];
    }

    /** "3 objects (48.0 MiB) in GLACIER, retrieval tier Standard (typically 3-5 hours, about $0.0005)". */
    public String describe() {
        return String.format(Locale.ROOT, "%d objects (%.1f MiB) in %s, retrieval tier %s (typically %s, about $%.4f"
                + " at list prices)", archived, archivedBytes / 1048576.0, storageClass, tier, expectedDelay(), cost());
    }
}
