package io.lifeboat.config;

import java.text.ParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.quartz.CronExpression;

/**
 * Schedules as operators write them: 5-field Unix cron ("0 2 * * 1-6") or a Quartz
 * expression (6-7 fields, seconds first). Unix cron becomes Quartz: a seconds field in front, "?"
 * in the day field that is not restricted, and days of the week as names, because Unix counts
 * Sunday as 0 (or 7) and Quartz as 1.
 */
public final class UnixCron {
    private static final Pattern NUMBER = Pattern.compile("\\d+");
    private static final String[] DAY_NAMES = {"SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN"};

    private UnixCron() {
    }

    /** The Quartz form of a schedule; IllegalArgumentException names what is wrong. */
    public static String toQuartz(String schedule) {
        if (schedule == null || schedule.isBlank()) {
            throw new IllegalArgumentException("the schedule is empty");
        }
        String[] f = schedule.trim().split("\\s+");
        String quartz;
        if (f.length == 5) {
            String dayOfMonth = f[2];
            String dayOfWeek = dayNames(f[4]);
            if (!dayOfWeek.equals("*") && dayOfMonth.equals("*")) {
                dayOfMonth = "?";
            } else if (dayOfWeek.equals("*")) {
                dayOfWeek = "?";
            } else {
                throw new IllegalArgumentException("'" + schedule + "' restricts both day of month and day of week,"
                        + " which Quartz cannot express; use a Quartz expression");
            }
            quartz = String.join(" ", "0", f[0], f[1], dayOfMonth, f[3], dayOfWeek);
        } else if (f.length == 6 || f.length == 7) {
            quartz = String.join(" ", f);
        } else {
            throw new IllegalArgumentException("'" + schedule + "' has " + f.length
                    + " fields; expected 5 (Unix cron) or 6-7 (Quartz)");
        }
        try {
            checkRanges(quartz.split(" "));
            CronExpression.validateExpression(quartz);
        } catch (ParseException | IllegalArgumentException e) {
            throw new IllegalArgumentException("'" + schedule + "' is not a valid schedule: " + e.getMessage());
        }
        return quartz;
    }

    /**
     * Every number in the seconds, minutes, hours, day-of-month and month fields within its range
     * (Quartz's own check lets some through: it takes "0 99 * * * ?").
     */
    private static void checkRanges(String[] quartz) {
        String[] names = {"second", "minute", "hour", "day of month", "month"};
        int[][] ranges = {{0, 59}, {0, 59}, {0, 23}, {1, 31}, {1, 12}};
        for (int i = 0; i < names.length; i++) {
            for (String part : quartz[i].split(",")) {
                Matcher number = NUMBER.matcher(part.split("/", 2)[0]);
                while (number.find()) {
                    int n = Integer.parseInt(number.group());
                    if (n < ranges[i][0] || n > ranges[i][1]) {
                        throw new IllegalArgumentException(names[i] + " " + n + " is not between " + ranges[i][0]
                                + " and " + ranges[i][1]);
                    }
                }
            }
        }
    }

    /** Rewrites Unix day-of-week numbers (0-7, Sunday both ends) as names, keeping ranges, lists and steps. */
    private static String dayNames(String field) {
        if (field.equals("*") || field.equals("?")) {
            return "*";
        }
        StringBuilder out = new StringBuilder();
        for (String part : field.split(",", -1)) {
            if (out.length() > 0) {
                out.append(',');
            }
            String[] step = part.split("/", 2);
            String range = step[0];
            String[] ends = range.split("-", 2);
            if (range.equals("*")) {
                out.append("*");
            } else if (ends.length == 2 && ends[1].equals("7") && !ends[0].equals("7")) {
                // "5-7" ends on Sunday, which Quartz reaches from the other side: FRI-SAT,SUN
                out.append(day(ends[0])).append('-').append("SAT,SUN");
                if (step.length == 2) {
                    throw new IllegalArgumentException("day-of-week '" + field + "': a step on a range ending in 7 is not supported");
                }
                continue;
            } else {
                out.append(day(ends[0]));
                if (ends.length == 2) {
                    out.append('-').append(day(ends[1]));
                }
            }
            if (step.length == 2) {
                out.append('/').append(step[1]);
            }
        }
        return out.toString();
    }

    private static String day(String token) {
        if (token.matches("[0-7]")) {
            return DAY_NAMES[Integer.parseInt(token)];
        }
        String upper = token.toUpperCase(Locale.ROOT);
        if (upper.matches("SUN|MON|TUE|WED|THU|FRI|SAT")) {
            return upper;
        }
        throw new IllegalArgumentException("day of week '" + token + "' must be 0-7 or SUN-SAT");
    }
}
