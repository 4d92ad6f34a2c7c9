package dev.watchllm.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.watchllm.auth.ApiKeyRecord;
import dev.watchllm.auth.KeyStore;
import dev.watchllm.cache.CachedAnswer;
import dev.watchllm.cache.ResponseCache;
import dev.watchllm.limit.MonthQuota;
import dev.watchllm.limit.RateBucket;
import dev.watchllm.limit.RateLimitStore;
import dev.watchllm.metering.UsageLedger;
import dev.watchllm.metering.UsageRecord;
import dev.watchllm.metering.UsageTotals;
import io.github.bucket4j.ConsumptionProbe;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The store test kit: the same specs for every backend of the engine's shared state (limit
 * counters, response cache, usage ledger, keys), in the manner of Bucket4j's tck. A backend's test
 * extends it and says how to open its stores; "reopen" means a new handle on the same backing
 * state after the previous one was closed (the local store's directory, the same Redis).
 */
public abstract class AbstractStoreTest {
    protected final TestClock clock = new TestClock("2026-03-10T12:00:00Z");

    /** The stores one engine would use, over the backing state of this test. */
    public record Stores(RateLimitStore limits, ResponseCache cache, UsageLedger ledger, KeyStore keys, AutoCloseable closer)
            implements AutoCloseable {
        @Override
        public void close() throws Exception {
            limits.flush();
            ledger.close();
            keys.close();
            cache.close();
            limits.close();
            if (closer != null) closer.close();
        }
    }

    /** Opens a handle on this test's backing state (the same each time within one test method). */
    protected abstract Stores open() throws Exception;

    @Test
    void bucketAdmitsExactlyItsCapacityThenTellsTheWait() throws Exception {
        try (Stores s = open()) {
            RateBucket b = s.limits().bucket("p1", "requests", 6);
            for (int i = 5; i >= 0; i--) {
                ConsumptionProbe p = b.tryConsumeAndReturnRemaining(1);
                assertTrue(p.isConsumed());
                assertEquals(i, p.getRemainingTokens());
            }
            ConsumptionProbe rejected = b.tryConsumeAndReturnRemaining(1);
            assertFalse(rejected.isConsumed());
            long wait = rejected.getNanosToWaitForRefill();
            assertTrue(wait > 0 && wait <= Duration.ofSeconds(10).toNanos(), "one token of 6/min refills within 10 s: " + wait);
            assertEquals(0, b.getAvailableTokens());
            clock.advance(Duration.ofSeconds(10));
            assertTrue(b.tryConsumeAndReturnRemaining(1).isConsumed(), "refilled by the clock");
        }
    }

    @Test
    void bucketsOfProjectsAndLimitsAreSeparate() throws Exception {
        try (Stores s = open()) {
            RateBucket a = s.limits().bucket("p1", "requests", 1);
            RateBucket b = s.limits().bucket("p2", "requests", 1);
            RateBucket t = s.limits().bucket("p1", "tokens", 1);
            assertTrue(a.tryConsumeAndReturnRemaining(1).isConsumed());
            assertTrue(b.tryConsumeAndReturnRemaining(1).isConsumed());
            assertTrue(t.tryConsumeAndReturnRemaining(1).isConsumed());
            assertFalse(a.tryConsumeAndReturnRemaining(1).isConsumed());
        }
    }

    @Test
    void refundsAndDebt() throws Exception {
        try (Stores s = open()) {
            RateBucket b = s.limits().bucket("p1", "tokens", 100);
            assertTrue(b.tryConsumeAndReturnRemaining(100).isConsumed());
            b.addTokens(10);
            assertEquals(10, b.getAvailableTokens());
            b.consumeIgnoringRateLimits(40);
            assertEquals(-30, b.getAvailableTokens());
            assertTrue(b.nanosToWaitFor(1) >= Duration.ofSeconds(18).toNanos(), "31 tokens of 100/min take over 18 s");
        }
    }

    @Test
    void monthCountsUpToTheQuotaAndGivesBack() throws Exception {
        try (Stores s = open()) {
            MonthQuota m = s.limits().month("p1", YearMonth.of(2026, 3));
            assertEquals(YearMonth.of(2026, 3), m.period());
            assertTrue(m.tryCountRequest(2));
            assertTrue(m.tryCountRequest(2));
            assertFalse(m.tryCountRequest(2));
            assertEquals(2, m.requests());
            m.uncountRequest();
            assertEquals(1, m.requests());
            assertEquals(0, s.limits().month("p1", YearMonth.of(2026, 4)).requests(), "a new month starts at zero");
            assertEquals(0, s.limits().month("p2", YearMonth.of(2026, 3)).requests(), "another project's month is its own");
        }
    }

    @Test
    void budgetReservesThenSettlesInMicroDollars() throws Exception {
        try (Stores s = open()) {
            MonthQuota m = s.limits().month("p1", YearMonth.of(2026, 3));
            assertTrue(m.tryReserve(600_000, 1_000_000));
            assertTrue(m.tryReserve(600_000, 1_000_000), "checked against what was committed before: 0.6 < 1.0");
            assertFalse(m.tryReserve(1, 1_000_000), "1.2 committed");
            m.settle(600_000, 250_001);
            assertEquals(250_001, m.spentMicros());
            assertEquals(850_001, m.committedMicros());
            assertTrue(m.tryReserve(1, 1_000_000));
        }
    }

    @Test
    void admissionsEarlyChecksSaySpentExactlyWhenSpent() throws Exception {
        try (Stores s = open()) {
            MonthQuota m = s.limits().month("p1", YearMonth.of(2026, 3));
            assertFalse(m.requestsSpent(2));
            assertTrue(m.tryCountRequest(2));
            assertTrue(m.tryCountRequest(2));
            assertTrue(m.requestsSpent(2));
            m.uncountRequest();
            assertFalse(m.requestsSpent(2), "a request given back frees its place");
            assertFalse(m.budgetSpent(1_000));
            assertTrue(m.tryReserve(1_000, 1_000));
            assertTrue(m.budgetSpent(1_000));
            m.settle(1_000, 400);
            assertFalse(m.budgetSpent(1_000), "settled below the reservation");
        }
    }

    @Test
    void monthCountersSurviveReopening() throws Exception {
        try (Stores s = open()) {
            MonthQuota m = s.limits().month("p1", YearMonth.of(2026, 3));
            assertTrue(m.tryCountRequest(10));
            assertTrue(m.tryReserve(500, 10_000));
            m.settle(500, 123);
        }
        try (Stores s = open()) {
            MonthQuota m = s.limits().month("p1", YearMonth.of(2026, 3));
            assertEquals(1, m.requests());
            assertEquals(123, m.spentMicros());
        }
    }

    @Test
    void concurrentCountsNeverPassTheQuota() throws Exception {
        try (Stores s = open()) {
            MonthQuota m = s.limits().month("p1", YearMonth.of(2026, 3));
            int threads = 8;
            int each = 250;
            long limit = 1_000;
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            CountDownLatch go = new CountDownLatch(1);
            List<Future<Integer>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                Callable<Integer> c = () -> {
                    go.await();
                    int n = 0;
                    for (int i = 0; i < each; i++) if (m.tryCountRequest(limit)) n++;
                    return n;
                };
                done.add(pool.submit(c));
            }
            go.countDown();
            int admitted = 0;
            for (Future<Integer> f : done) admitted += f.get(60, TimeUnit.SECONDS);
            pool.shutdown();
            assertEquals(limit, admitted);
            assertEquals(limit, m.requests());
        }
    }

    @Test
    void cacheRoundTripsPlainAndStreamedAnswers() throws Exception {
        try (Stores s = open()) {
            long now = clock.millis();
            CachedAnswer plain = CachedAnswer.plain("p1", "openai", now, now + 60_000, "{\"id\":\"x\"}".getBytes(StandardCharsets.UTF_8));
            StringBuilder big = new StringBuilder();
            for (int i = 0; i < 2_000; i++) big.append("data: {\"choices\":[{\"delta\":{\"content\":\"word ").append(i).append("\"}}]}\n\n");
            CachedAnswer stream = CachedAnswer.stream("p1", "openai", now, now + 60_000,
                    List.of("data: {\"a\":1}\n\n".getBytes(StandardCharsets.UTF_8), big.toString().getBytes(StandardCharsets.UTF_8)));
            assertNull(s.cache().get("k-plain"));
            s.cache().put("k-plain", plain);
            s.cache().put("k-stream", stream);
            assertEquals(plain, s.cache().get("k-plain"));
            CachedAnswer back = s.cache().get("k-stream");
            assertNotNull(back);
            assertEquals(stream, back);
            assertArrayEquals(stream.events(null).get(1), back.events(null).get(1));
            s.cache().remove("k-plain");
            assertNull(s.cache().get("k-plain"));
        }
    }

    @Test
    void ledgerAddsPerProjectMonthAndDayAndKeepsThem() throws Exception {
        try (Stores s = open()) {
            s.ledger().add(rec("2026-03-01T10:00:00Z", "p1", "MISS", 10, 5, 100, 100));
            s.ledger().add(rec("2026-03-01T11:00:00Z", "p1", "HIT", 10, 5, 0, 100));
            s.ledger().add(rec("2026-03-02T11:00:00Z", "p1", "MISS", 1, 2, 3, 3));
            s.ledger().add(rec("2026-03-02T11:00:00Z", "p2", "MISS", 7, 7, 7, 7));
            s.ledger().flush();
            UsageTotals m = s.ledger().month("p1", YearMonth.of(2026, 3));
            assertEquals(3, m.requests());
            assertEquals(1, m.cacheHits());
            assertEquals(11, m.inputTokens(), "a hit bills no tokens");
            assertEquals(103, m.costMicros());
            assertEquals(203, m.potentialCostMicros());
            assertEquals(2, s.ledger().day("p1", LocalDate.of(2026, 3, 1)).requests());
            assertEquals(1, s.ledger().month("p2", YearMonth.of(2026, 3)).requests());
            assertEquals(UsageTotals.EMPTY, s.ledger().month("p3", YearMonth.of(2026, 3)));
        }
        try (Stores s = open()) {
            assertEquals(3, s.ledger().month("p1", YearMonth.of(2026, 3)).requests());
            assertEquals(103, s.ledger().month("p1", YearMonth.of(2026, 3)).costMicros());
        }
    }

    @Test
    void keysAreFoundByHashRevokedAndKept() throws Exception {
        String hash = "a".repeat(64);
        try (Stores s = open()) {
            s.keys().add(new ApiKeyRecord("p1-dev-1", "p1", hash, "lgw_dev_ab12…", Instant.parse("2026-03-01T00:00:00Z"), false));
            s.keys().add(new ApiKeyRecord("p2-dev-1", "p2", "b".repeat(64), null, Instant.parse("2026-03-01T00:00:00Z"), false));
            assertEquals("p1", s.keys().findByHash(hash).projectId());
            assertEquals(1, s.keys().list("p1").size());
            assertTrue(s.keys().revoke("p1-dev-1"));
            assertFalse(s.keys().revoke("nope"));
            assertTrue(s.keys().findByHash(hash).revoked());
        }
        try (Stores s = open()) {
            ApiKeyRecord r = s.keys().findByHash(hash);
            assertNotNull(r);
            assertTrue(r.revoked());
            assertFalse(s.keys().findByHash("b".repeat(64)).revoked());
            assertNull(s.keys().findByHash("c".repeat(64)));
        }
    }

    protected static UsageRecord rec(String time, String project, String cache, long in, long out, long cost, long potential) {
        return new UsageRecord(Instant.parse(time), "r", project, "k", "/chat/completions", "gpt-4o-mini", "gpt-4o-mini", "fake", false,
                cache, Double.NaN, in, 0, out, 0, false, false, cost, potential, 5, 200);
    }
}
