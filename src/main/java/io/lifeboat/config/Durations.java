package io.lifeboat.config;

import java.time.Duration;
import java.time.format.DateTimeParseException;

/** A length of time as lifeboat.yaml writes it: "90s", "10m", "4h", "1d", or ISO 8601 ("PT4H"). */
public final class Durations {
    private Durations() {
    }

    /** A length of time longer than zero (a timeout, a target, a poll interval: none of them can be zero). */
    public static Duration parse(String text) {
        String t = text == null ? "" : text.trim();
        Duration d = null;
        if (t.matches("\\d+[smhd]")) {
            long n = Long.parseLong(t.substring(0, t.length() - 1));
            d = switch (t.charAt(t.length() - 1)) {
                case 's' -> Duration.ofSeconds(n);
                case 'm' -> Duration.ofMinutes(n);
                case 'h' -> Duration.ofHours(n);
                default -> Duration.ofDays(n);
            };
        } else {
            try {
                d = Duration.parse(t);
            } catch (DateTimeParseException e) {
                // said below, with what was written
            }
        }
        if (d == null) {
            throw new IllegalArgumentException("'" + text + "' is not a length of time; write a number with s, m, h or d "
                    + "(90s, 4h) or ISO 8601 (PT4H)");
        }
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException("'" + text + "' must be longer than zero");
        }
        return d;
    }
}
