package io.lifeboat.cli;

import io.lifeboat.repository.Repository;
import io.lifeboat.repository.Snapshot;
import io.lifeboat.storage.BlobStore;
import io.lifeboat.storage.BlobStores;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "cost", mixinStandardHelpOptions = true,
        description = "What the repository and its copies cost a month: bytes stored per place and storage class, "
                + "times a price list (AWS S3 list prices by default; --price to change one), against the protected "
                + "data (the newest backup of each source) — the effective $ per GB-month the platform pays.")
final class CostCommand implements Callable<Integer> {
    /** USD per GiB-month, AWS S3 list prices (us-east-1); a directory costs what --price says (its disks are yours). */
    static final Map<String, Double> LIST_PRICES = Map.of("STANDARD", 0.023, "INTELLIGENT_TIERING", 0.023,
            "STANDARD_IA", 0.0125, "ONEZONE_IA", 0.01, "GLACIER_IR", 0.004, "GLACIER", 0.0036, "DEEP_ARCHIVE", 0.00099,
            "directory", 0.0);
    /** The SPEC's bound on the storage cost of protected data. */
    static final double TARGET = 0.02;
    private static final double GIB = 1024.0 * 1024 * 1024;

    @Mixin
    RepositoryOptions repo;

    @Option(names = "--copy", paramLabel = "URI", description = "a copy of the repository to count too; repeat for several")
    List<String> copies;

    @Option(names = "--price", paramLabel = "CLASS=USD", description = "USD per GiB-month of a storage class "
            + "(STANDARD, GLACIER_IR, …, or directory), instead of the list price")
    Map<String, Double> prices;

    public record Place(String location, String storageClass, long bytes, double usdPerMonth) {
    }

    public record Cost(List<Place> places, long protectedBytes, int sources, double usdPerMonth,
            double usdPerGibMonth, double target, boolean met) {
    }

    @Override
    public Integer call() throws Exception {
        Map<String, Double> price = new TreeMap<>(LIST_PRICES);
        if (prices != null) {
            price.putAll(prices);
        }
        Repository r = repo.openForReading();
        List<BlobStore> stores = new ArrayList<>(List.of(r.store()));
        for (String copy : copies == null ? List.<String>of() : copies) {
            stores.add(BlobStores.open(copy, false));
        }
        List<Place> places = new ArrayList<>();
        for (BlobStore store : stores) {
            for (Map.Entry<String, Long> c : store.bytesByClass().entrySet()) {
                Double usd = price.get(c.getKey());
                if (usd == null) {
                    throw new IllegalArgumentException(store.location() + " stores " + c.getKey() + ", which has no "
                            + "price: give --price " + c.getKey() + "=USD");
                }
                places.add(new Place(store.location(), c.getKey(), c.getValue(), c.getValue() / GIB * usd));
            }
        }
        Map<String, Long> newest = new LinkedHashMap<>();
        for (Snapshot s : r.snapshots()) {
            newest.put(sourceOf(s), s.summary() == null ? 0 : s.summary().bytes()); // oldest first: the newest wins
        }
        long protectedBytes = newest.values().stream().mapToLong(Long::longValue).sum();
        double monthly = places.stream().mapToDouble(Place::usdPerMonth).sum();
        double perGib = protectedBytes == 0 ? 0 : monthly / (protectedBytes / GIB);
        Cost cost = new Cost(places, protectedBytes, newest.size(), monthly, perGib, TARGET, perGib < TARGET);
        if (repo.json) {
            Output.json(cost);
            return 0;
        }
        for (Place p : places) {
            System.out.printf("%-50s %-12s %10s  $%.4f/month%n", p.location(), p.storageClass(), Output.bytes(p.bytes()),
                    p.usdPerMonth());
        }
        System.out.printf("protected data: %s (the newest backup of each of %d sources)%n", Output.bytes(protectedBytes),
                newest.size());
        System.out.printf("effective: $%.4f per GB-month of protected data (target < $%.2f: %s)%n", perGib, TARGET,
                cost.met() ? "met" : "not met");
        return 0;
    }

    /** What a backup protects: its configured source or database, else its paths on its host. */
    private static String sourceOf(Snapshot s) {
        return s.tags().stream().filter(t -> t.startsWith("source:") || t.startsWith("db:")).findFirst()
                .orElse(s.hostname() + ":" + String.join(",", s.paths()));
    }
}
