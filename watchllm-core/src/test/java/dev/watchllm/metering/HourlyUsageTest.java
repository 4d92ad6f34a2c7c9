package dev.watchllm.metering;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Hourly totals: per project and UTC hour, written per day, carried on across restarts. */
class HourlyUsageTest {
    @TempDir
    Path dir;

    static UsageRecord rec(String time, String project, String cache, long costMicros) {
        boolean hit = cache.startsWith("HIT");
        return new UsageRecord(Instant.parse(time), "r", project, "k", "/chat/completions", "gpt-4o-mini", "gpt-4o-mini", "fake", false,
                cache, Double.NaN, 10, 0, 5, 0, false, false, hit ? 0 : costMicros, costMicros, 3, 200);
    }

    @Test
    void recordsAddUpPerProjectAndHour() throws Exception {
        HourlyUsage h = new HourlyUsage(dir);
        h.accept(rec("2026-03-10T00:00:00Z", "a", "MISS", 6));
        h.accept(rec("2026-03-10T00:59:59Z", "a", "HIT", 6));
        h.accept(rec("2026-03-10T23:30:00Z", "a", "MISS", 6));
        h.accept(rec("2026-03-10T23:30:00Z", "b", "MISS", 9));
        UsageTotals[] a = h.hours("a", LocalDate.parse("2026-03-10"));
        assertEquals(2, a[0].requests());
        assertEquals(1, a[0].cacheHits());
        assertEquals(6, a[0].costMicros());
        assertEquals(12, a[0].potentialCostMicros());
        assertEquals(UsageTotals.EMPTY, a[1]);
        assertEquals(1, a[23].requests());
        assertEquals(9, h.hours("b", LocalDate.parse("2026-03-10"))[23].costMicros());
        assertEquals(UsageTotals.EMPTY, h.hours("c", LocalDate.parse("2026-03-10"))[0]);
        assertEquals(UsageTotals.EMPTY, h.hours("a", LocalDate.parse("2026-03-11"))[0]);
        assertFalse(Files.exists(HourlyUsage.file(dir, LocalDate.parse("2026-03-10"))), "written lazily, not per record");
        h.close();
        assertTrue(Files.exists(HourlyUsage.file(dir, LocalDate.parse("2026-03-10"))));
    }

    @Test
    void aRestartCarriesOnFromTheFile() throws Exception {
        HourlyUsage first = new HourlyUsage(dir);
        first.accept(rec("2026-03-10T09:10:00Z", "a", "MISS", 6));
        first.close();
        HourlyUsage second = new HourlyUsage(dir);
        assertEquals(1, second.hours("a", LocalDate.parse("2026-03-10"))[9].requests(), "read from the file");
        second.accept(rec("2026-03-10T09:20:00Z", "a", "MISS", 6));
        second.accept(rec("2026-03-10T10:20:00Z", "a", "MISS", 6));
        second.close();
        UsageTotals[] a = new HourlyUsage(dir).hours("a", LocalDate.parse("2026-03-10"));
        assertEquals(2, a[9].requests());
        assertEquals(12, a[9].costMicros());
        assertEquals(1, a[10].requests());
    }

    @Test
    void oldDaysLeaveMemoryWrittenAndStayReadable() throws Exception {
        HourlyUsage h = new HourlyUsage(dir);
        h.accept(rec("2026-03-08T05:00:00Z", "a", "MISS", 6));
        h.accept(rec("2026-03-09T05:00:00Z", "a", "MISS", 6));
        assertFalse(Files.exists(HourlyUsage.file(dir, LocalDate.parse("2026-03-08"))), "yesterday stays in memory");
        h.accept(rec("2026-03-10T05:00:00Z", "a", "MISS", 6));
        assertTrue(Files.exists(HourlyUsage.file(dir, LocalDate.parse("2026-03-08"))), "the day before yesterday went to disk");
        assertEquals(1, h.hours("a", LocalDate.parse("2026-03-08"))[5].requests());
        // a late record of an evicted day merges with its file
        h.accept(rec("2026-03-08T06:00:00Z", "a", "MISS", 6));
        h.close();
        UsageTotals[] d = new HourlyUsage(dir).hours("a", LocalDate.parse("2026-03-08"));
        assertEquals(1, d[5].requests());
        assertEquals(1, d[6].requests());
    }

    @Test
    void anUnreadableFileIsMovedAsideAndTheDayStartsFromZero() throws Exception {
        Files.createDirectories(dir.resolve("usage"));
        Files.writeString(HourlyUsage.file(dir, LocalDate.parse("2026-03-10")), "{ not json");
        HourlyUsage h = new HourlyUsage(dir);
        h.accept(rec("2026-03-10T01:00:00Z", "a", "MISS", 6));
        h.close();
        assertTrue(Files.exists(dir.resolve("usage/hours-2026-03-10.json.unreadable")));
        assertEquals(1, new HourlyUsage(dir).hours("a", LocalDate.parse("2026-03-10"))[1].requests());
    }
}
