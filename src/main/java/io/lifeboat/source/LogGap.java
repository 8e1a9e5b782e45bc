package io.lifeboat.source;

/**
 * Log files (WAL segments, binlogs) missing from the archive between two it has: the first and
 * last of the run and how many. Recovery stops at a gap, so it must be found and reported.
 */
public record LogGap(String first, String last, long count) {
    @Override
    public String toString() {
        return count == 1 ? first : first + " .. " + last + " (" + count + " files)";
    }
}
