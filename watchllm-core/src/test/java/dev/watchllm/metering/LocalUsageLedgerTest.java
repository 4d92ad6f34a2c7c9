package dev.watchllm.metering;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalUsageLedgerTest {
    @TempDir
    Path dir;

    static UsageRecord rec(String time, String project, String cache, long in, long out, long cost, long potential) {
        return new UsageRecord(Instant.parse(time), "r", project, "k", "/chat/completions", "gpt-4o-mini", "gpt-4o-mini", "fake", false,
                cache, Double.NaN, in, 0, out, 0, false, false, cost, potential, 5, 200);
    }

    @Test
    void closeAndReopenKeepsMonthsAndDays() {
        LocalUsageLedger l = new LocalUsageLedger(dir);
        l.add(rec("2026-02-28T23:59:59Z", "p1", "MISS", 10, 5, 100, 100));
        l.add(rec("2026-03-01T00:00:00Z", "p1", "MISS", 20, 6, 200, 200));
        l.add(rec("2026-03-01T08:00:00Z", "p1", "HIT", 20, 6, 0, 200));
        l.add(rec("2026-03-02T08:00:00Z", "p2", "HIT-SEMANTIC", 1, 1, 0, 7));
        UsageTotals feb = l.month("p1", YearMonth.of(2026, 2));
        UsageTotals mar = l.month("p1", YearMonth.of(2026, 3));
        UsageTotals mar1 = l.day("p1", LocalDate.of(2026, 3, 1));
        UsageTotals p2 = l.month("p2", YearMonth.of(2026, 3));
        assertEquals(2, mar.requests());
        assertEquals(200, mar.savingsMicros());
        l.close();
        assertTrue(Files.exists(dir.resolve("usage/totals-2026-02.json")));
        assertTrue(Files.exists(dir.resolve("usage/totals-2026-03.json")));

        LocalUsageLedger again = new LocalUsageLedger(dir);
        assertEquals(feb, again.month("p1", YearMonth.of(2026, 2)));
        assertEquals(mar, again.month("p1", YearMonth.of(2026, 3)));
        assertEquals(mar1, again.day("p1", LocalDate.of(2026, 3, 1)));
        assertEquals(p2, again.month("p2", YearMonth.of(2026, 3)));
        assertEquals(UsageTotals.EMPTY, again.day("p1", LocalDate.of(2026, 3, 2)));
        // and it keeps counting on top of what it loaded
        again.add(rec("2026-03-03T08:00:00Z", "p1", "MISS", 1, 1, 1, 1));
        again.close();
        assertEquals(3, new LocalUsageLedger(dir).month("p1", YearMonth.of(2026, 3)).requests());
    }

    @Test
    void concurrentAddsAndFlushesLoseNothing() throws Exception {
        LocalUsageLedger l = new LocalUsageLedger(dir);
        int threads = 4;
        int each = 2_000;
        ExecutorService pool = Executors.newFixedThreadPool(threads + 1);
        CountDownLatch done = new CountDownLatch(threads);
        for (int t = 0; t < threads; t++) {
            pool.execute(() -> {
                for (int i = 0; i < each; i++) l.add(rec("2026-03-10T10:00:00Z", "p1", "MISS", 1, 1, 3, 3));
                done.countDown();
            });
        }
        pool.execute(() -> {
            while (done.getCount() > 0) l.flush();
        });
        assertTrue(done.await(30, TimeUnit.SECONDS));
        pool.shutdown();
        assertTrue(pool.awaitTermination(30, TimeUnit.SECONDS));
        l.close();
        UsageTotals t = new LocalUsageLedger(dir).month("p1", YearMonth.of(2026, 3));
        assertEquals(threads * each, t.requests());
        assertEquals(3L * threads * each, t.costMicros());
    }

    @Test
    void anUnreadableFileIsMovedAsideNotOverwritten() throws Exception {
        Files.createDirectories(dir.resolve("usage"));
        Files.writeString(dir.resolve("usage/totals-2026-01.json"), "{ not json", StandardCharsets.UTF_8);
        LocalUsageLedger l = new LocalUsageLedger(dir);
        assertEquals(UsageTotals.EMPTY, l.month("p1", YearMonth.of(2026, 1)));
        assertTrue(Files.exists(dir.resolve("usage/totals-2026-01.json.unreadable")));
        assertEquals(List.of("{ not json"), Files.readAllLines(dir.resolve("usage/totals-2026-01.json.unreadable")));
    }
}
