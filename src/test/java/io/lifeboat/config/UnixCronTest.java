package io.lifeboat.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.DayOfWeek;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.Date;
import java.util.TimeZone;
import org.junit.jupiter.api.Test;
import org.quartz.CronExpression;

/** The platform's schedules fire when Unix cron would fire them. */
class UnixCronTest {
    @Test
    void specSchedulesConvertToQuartz() {
        assertEquals("0 0 2 ? * SUN", UnixCron.toQuartz("0 2 * * 0"));
        assertEquals("0 0 2 ? * MON-SAT", UnixCron.toQuartz("0 2 * * 1-6"));
        assertEquals("0 */15 * * * ?", UnixCron.toQuartz("*/15 * * * *"));
        assertEquals("0 0 3 * * ?", UnixCron.toQuartz("0 3 * * *"));
        assertEquals("0 0 8 ? * SUN", UnixCron.toQuartz("0 8 * * 0"));
        assertEquals("0 0/3 * * * ?", UnixCron.toQuartz("0 0/3 * * * ?"), "Quartz passes through");
    }

    @Test
    void convertedSchedulesFireOnTheRightDays() throws Exception {
        // 2026-11-22 is a Sunday.
        ZonedDateTime saturday = ZonedDateTime.of(2026, 11, 21, 12, 0, 0, 0, ZoneOffset.UTC);
        assertEquals(ZonedDateTime.of(2026, 11, 22, 2, 0, 0, 0, ZoneOffset.UTC), next("0 2 * * 0", saturday));
        assertEquals(ZonedDateTime.of(2026, 11, 22, 2, 0, 0, 0, ZoneOffset.UTC), next("0 2 * * 7", saturday));
        ZonedDateTime sunday = ZonedDateTime.of(2026, 11, 22, 12, 0, 0, 0, ZoneOffset.UTC);
        ZonedDateTime incremental = next("0 2 * * 1-6", sunday);
        assertEquals(DayOfWeek.MONDAY, incremental.getDayOfWeek());
        assertEquals(DayOfWeek.SATURDAY, next("0 2 * * 1-6", ZonedDateTime.of(2026, 11, 27, 3, 0, 0, 0,
                ZoneOffset.UTC)).getDayOfWeek(), "Friday 03:00 → Saturday, not Sunday");
        assertEquals(ZonedDateTime.of(2026, 11, 22, 12, 15, 0, 0, ZoneOffset.UTC), next("*/15 * * * *", sunday));
        assertEquals(ZonedDateTime.of(2026, 11, 29, 8, 0, 0, 0, ZoneOffset.UTC), next("0 8 * * 0", sunday));
    }

    @Test
    void badSchedulesAreRefusedWithTheReason() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> UnixCron.toQuartz("0 2 * *")).getMessage()
                .contains("4 fields"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> UnixCron.toQuartz("0 25 * * *")).getMessage()
                .contains("not a valid schedule"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> UnixCron.toQuartz("0 2 * * 8")).getMessage()
                .contains("day of week"));
        assertThrows(IllegalArgumentException.class, () -> UnixCron.toQuartz("0 2 1 * 1"));
        assertThrows(IllegalArgumentException.class, () -> UnixCron.toQuartz(""));
        // values Quartz's own check lets through
        assertTrue(assertThrows(IllegalArgumentException.class, () -> UnixCron.toQuartz("99 * * * *")).getMessage()
                .contains("minute 99 is not between 0 and 59"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> UnixCron.toQuartz("0 99 * * *")).getMessage()
                .contains("hour 99"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> UnixCron.toQuartz("0 2 1,40 * *")).getMessage()
                .contains("day of month 40"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> UnixCron.toQuartz("0 0 99 * * ?")).getMessage()
                .contains("hour 99"));
    }

    private static ZonedDateTime next(String unix, ZonedDateTime after) throws Exception {
        CronExpression cron = new CronExpression(UnixCron.toQuartz(unix));
        cron.setTimeZone(TimeZone.getTimeZone("UTC"));
        return cron.getNextValidTimeAfter(Date.from(after.toInstant())).toInstant().atZone(ZoneOffset.UTC);
    }
}
