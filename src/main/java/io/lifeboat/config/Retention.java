package io.lifeboat.config;

import java.time.Duration;

/** How long backups are kept: "30d", "24h", "12w" (R1, R2). */
public final class Retention {
    private Retention() {
    }

    public static Duration parse(String text) {
        if (text == null || !text.trim().matches("\\d+[hdw]")) {
            throw new IllegalArgumentException("'" + text + "' is not a retention; write a number with h, d or w, as 30d");
        }
        String t = text.trim();
        long n = Long.parseLong(t.substring(0, t.length() - 1));
        return switch (t.charAt(t.length() - 1)) {
            case 'h' -> Duration.ofHours(n);
            case 'd' -> Duration.ofDays(n);
            default -> Duration.ofDays(7 * n);
        };
    }
}
