package io.lifeboat.config;

import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Sizes as operators write them: 500GiB, 2TB, 1.5 TiB, 800MB (binary and decimal units). */
public final class ByteSizes {
    private static final Pattern SIZE = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*([KMGTP]I?B|B)");
    private static final Map<String, Double> UNITS = Map.ofEntries(Map.entry("B", 1.0),
            Map.entry("KB", 1e3), Map.entry("MB", 1e6), Map.entry("GB", 1e9), Map.entry("TB", 1e12), Map.entry("PB", 1e15),
            Map.entry("KIB", 1024.0), Map.entry("MIB", Math.pow(1024, 2)), Map.entry("GIB", Math.pow(1024, 3)),
            Map.entry("TIB", Math.pow(1024, 4)), Map.entry("PIB", Math.pow(1024, 5)));

    private ByteSizes() {
    }

    /** The size in bytes; IllegalArgumentException saying what a size looks like. */
    public static long parse(String text) {
        Matcher m = SIZE.matcher(text == null ? "" : text.strip().toUpperCase(Locale.ROOT));
        if (!m.matches()) {
            throw new IllegalArgumentException("'" + text + "' is not a size; write e.g. 500GiB, 2TB or 800MB");
        }
        return Math.round(Double.parseDouble(m.group(1)) * UNITS.get(m.group(2)));
    }
}
