package dev.watchllm.limit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.watchllm.auth.Caller;
import dev.watchllm.config.CacheSettings;
import dev.watchllm.config.PlanConfig;
import dev.watchllm.config.ProjectConfig;
import dev.watchllm.config.StoreConfig;
import dev.watchllm.config.WatchLlmConfig;
import dev.watchllm.http.Exchange;
import dev.watchllm.internal.CallResult;
import dev.watchllm.openai.Endpoint;
import dev.watchllm.openai.ParsedRequest;
import dev.watchllm.openai.RequestParser;
import dev.watchllm.testing.TestClock;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The limiter alone, with a hand-moved clock: every limit at its edge. */
class PlanLimiterTest {
    static final String CHAT = "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"max_tokens\":1000}";
    static final String USAGE_BODY = "{\"id\":\"x\",\"choices\":[],\"usage\":{\"prompt_tokens\":12,\"completion_tokens\":1000,\"total_tokens\":1012}}";

    @TempDir
    Path dir;
    final TestClock clock = new TestClock("2025-06-15T12:00:00Z");
    final List<PlanLimiter> opened = new ArrayList<>();

    @AfterEach
    void closeAll() {
        opened.forEach(PlanLimiter::close);
    }

    PlanLimiter limiter(PlanConfig plan, double budgetUsd, String... projects) {
        WatchLlmConfig.Builder b = WatchLlmConfig.builder().plan(plan).store(new StoreConfig("local", dir, null));
        for (String id : projects.length == 0 ? new String[] {"p1"} : projects) {
            b.project(new ProjectConfig(id, plan.name(), List.of(), CacheSettings.DEFAULT, budgetUsd));
        }
        PlanLimiter l = new PlanLimiter(b.build(), clock, new PricedBudget(dev.watchllm.metering.Pricing.builtIn()), null);
        opened.add(l);
        return l;
    }

    static Caller caller(String project, PlanConfig plan) {
        return new Caller("k-" + project, new ProjectConfig(project, plan.name(), List.of(), CacheSettings.DEFAULT, 0), plan);
    }

    static ParsedRequest chat() {
        return RequestParser.parse(Endpoint.CHAT_COMPLETIONS, CHAT.getBytes(StandardCharsets.UTF_8)).request();
    }

    static CallResult result(ParsedRequest req, int status, String body, List<byte[]> events, String cache) {
        return new CallResult("r", null, req, "fake", status, body == null ? null : body.getBytes(StandardCharsets.UTF_8), events,
                status == 200, cache, Double.NaN, 0);
    }

    static PlanConfig plan(long rpm, long perMonth, long tpm, int concurrent) {
        return new PlanConfig("tiny", rpm, perMonth, tpm, concurrent);
    }

    @Test
    void requestsPerMinuteAtTheEdge() {
        PlanConfig plan = plan(3, 1000, 0, 0);
        PlanLimiter l = limiter(plan, 0);
        Caller c = caller("p1", plan);
        for (int i = 2; i >= 0; i--) {
            Headers h = new Headers();
            assertTrue(l.admit(c, chat(), h).admitted());
            assertEquals("3", h.get("x-ratelimit-limit-requests"));
            assertEquals(Integer.toString(i), h.get("x-ratelimit-remaining-requests"));
            assertNull(h.get("x-ratelimit-limit-tokens"), "a plan without tokensPerMinute has no token headers");
        }
        Headers h = new Headers();
        Admission a = l.admit(c, chat(), h);
        assertFalse(a.admitted());
        assertEquals(429, a.error().status());
        assertEquals("rate_limit_exceeded", a.error().code());
        assertEquals("requests", a.error().type());
        assertTrue(a.error().message().contains("Limit 3") && a.error().message().contains("try again in 20s"), a.error().message());
        assertEquals("20", h.get("retry-after"));
        assertEquals("20000", h.get("retry-after-ms"));
        assertEquals("0", h.get("x-ratelimit-remaining-requests"));
        assertEquals("1m0s", h.get("x-ratelimit-reset-requests"));
        assertNull(h.get("x-should-retry"));

        clock.advance(Duration.ofMillis(19_999));
        assertFalse(l.admit(c, chat(), new Headers()).admitted(), "one millisecond early");
        clock.advance(Duration.ofMillis(1));
        assertTrue(l.admit(c, chat(), new Headers()).admitted());
        assertEquals(4, l.state("p1").requestsThisMonth(), "rejected requests are not counted");
    }

    @Test
    void tokensPerMinuteAdmitsWhileTokensRemainAndBurstsEndInDebt() {
        PlanConfig plan = plan(1000, 100_000, 600, 0); // 10 tokens a second
        PlanLimiter l = limiter(plan, 0);
        Caller c = caller("p1", plan);
        ParsedRequest a = chat();
        ParsedRequest b = chat();
        Headers h = new Headers();
        assertTrue(l.admit(c, a, h).admitted());
        assertEquals("600", h.get("x-ratelimit-limit-tokens"));
        assertEquals("600", h.get("x-ratelimit-remaining-tokens"));
        assertEquals("0s", h.get("x-ratelimit-reset-tokens"));
        assertTrue(l.admit(c, b, new Headers()).admitted(), "admitted while tokens remain, whatever it will use");
        l.accept(result(a, 200, USAGE_BODY, null, "MISS"));
        l.accept(result(b, 200, USAGE_BODY, null, "MISS"));
        assertEquals(600 - 2 * 1012, l.state("p1").tokensAvailable(), "real usage charged: a debt");

        Headers r = new Headers();
        Admission rejected = l.admit(c, chat(), r);
        assertFalse(rejected.admitted());
        assertEquals("tokens", rejected.error().type());
        assertEquals("rate_limit_exceeded", rejected.error().code());
        // 1424 tokens of debt plus the one needed, at 100 ms each
        assertEquals("142500", r.get("retry-after-ms"));
        assertEquals("143", r.get("retry-after"));
        assertEquals("0", r.get("x-ratelimit-remaining-tokens"));
        assertEquals("3m22.4s", r.get("x-ratelimit-reset-tokens"));
        assertTrue(rejected.error().message().contains("try again in 2m22.5s"), rejected.error().message());

        clock.advance(Duration.ofMillis(142_499));
        assertFalse(l.admit(c, chat(), new Headers()).admitted());
        clock.advance(Duration.ofMillis(1));
        assertTrue(l.admit(c, chat(), new Headers()).admitted(), "the debt is waited out");
    }

    @Test
    void streamUsageChunkIsCharged() {
        PlanConfig plan = plan(1000, 100_000, 600, 0);
        PlanLimiter l = limiter(plan, 0);
        ParsedRequest req = chat();
        assertTrue(l.admit(caller("p1", plan), req, new Headers()).admitted());
        List<byte[]> events = new ArrayList<>();
        for (String e : new String[] {
                "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"hi\"}}],\"usage\":null}\n\n",
                "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":20,\"completion_tokens\":30,\"total_tokens\":50}}\n\n",
                "data: [DONE]\n\n"}) {
            events.add(e.getBytes(StandardCharsets.UTF_8));
        }
        l.accept(result(req, 200, null, events, "MISS"));
        assertEquals(550, l.state("p1").tokensAvailable());
    }

    @Test
    void monthlyQuotaAtTheEdgeAndRollover() {
        clock.set(java.time.Instant.parse("2025-06-30T23:59:59Z"));
        PlanConfig plan = plan(1000, 2, 0, 0);
        PlanLimiter l = limiter(plan, 0);
        Caller c = caller("p1", plan);
        assertTrue(l.admit(c, chat(), new Headers()).admitted());
        assertTrue(l.admit(c, chat(), new Headers()).admitted());
        Headers h = new Headers();
        Admission a = l.admit(c, chat(), h);
        assertFalse(a.admitted());
        assertEquals("insufficient_quota", a.error().code());
        assertEquals("insufficient_quota", a.error().type());
        assertEquals("false", h.get("x-should-retry"));
        assertEquals("1", h.get("retry-after"), "the month resets in a second");
        assertEquals("1000", h.get("retry-after-ms"));
        assertTrue(a.error().message().contains("Limit 2 requests in 2025-06") && a.error().message().contains("2025-07-01"),
                a.error().message());
        assertEquals(YearMonth.of(2025, 6), l.state("p1").month());

        clock.advance(Duration.ofSeconds(1)); // 2025-07-01T00:00:00Z
        assertTrue(l.admit(c, chat(), new Headers()).admitted(), "a new month, a new quota");
        assertEquals(YearMonth.of(2025, 7), l.state("p1").month());
        assertEquals(1, l.state("p1").requestsThisMonth());
    }

    @Test
    void concurrencySlotsAreFreedOnEveryEnd() {
        PlanConfig plan = plan(1000, 100_000, 0, 2);
        PlanLimiter l = limiter(plan, 0);
        Caller c = caller("p1", plan);
        ParsedRequest a = chat();
        ParsedRequest b = chat();
        assertTrue(l.admit(c, a, new Headers()).admitted());
        assertTrue(l.admit(c, b, new Headers()).admitted());
        Headers h = new Headers();
        Admission third = l.admit(c, chat(), h);
        assertFalse(third.admitted());
        assertEquals("requests", third.error().type());
        assertEquals("1", h.get("retry-after"));
        assertTrue(third.error().message().contains("Limit 2 in flight"), third.error().message());
        assertEquals(998, l.state("p1").requestsAvailable(), "the rejected request took no request token");

        l.accept(result(a, 502, "{\"error\":{}}", null, "MISS")); // provider unreachable
        assertTrue(l.admit(c, chat(), new Headers()).admitted());
        l.accept(result(b, 0, null, null, "MISS")); // client gone before any answer
        ParsedRequest d = chat();
        assertTrue(l.admit(c, d, new Headers()).admitted());
        assertEquals(2, l.state("p1").inFlight());
    }

    @Test
    void budgetUnderFiftyConcurrentRequestsOvershootsByLessThanOneReservation() throws Exception {
        PlanConfig plan = plan(10_000, 100_000, 0, 0);
        long reservation = new PricedBudget(dev.watchllm.metering.Pricing.builtIn()).worstCaseMicros(chat());
        assertTrue(reservation > 600 && reservation < 620, "1000 output tokens at $0.60/M plus a small prompt: " + reservation);
        double budgetUsd = 0.01; // room for 16.x reservations
        PlanLimiter l = limiter(plan, budgetUsd);
        Caller c = caller("p1", plan);
        ExecutorService pool = Executors.newFixedThreadPool(50);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<ParsedRequest>> futures = new ArrayList<>();
        try {
            for (int i = 0; i < 50; i++) {
                futures.add(pool.submit(() -> {
                    ParsedRequest r = chat();
                    go.await();
                    return l.admit(c, r, new Headers()).admitted() ? r : null;
                }));
            }
            go.countDown();
            List<ParsedRequest> admitted = new ArrayList<>();
            for (Future<ParsedRequest> f : futures) {
                ParsedRequest r = f.get(10, TimeUnit.SECONDS);
                if (r != null) admitted.add(r);
            }
            long budget = 10_000;
            long n = admitted.size();
            assertEquals((budget + reservation - 1) / reservation, n, "admitted exactly while spent + reserved < budget");
            LimitState s = l.state("p1");
            assertEquals(n * reservation, s.reservedMicros());
            assertTrue(s.reservedMicros() - budget < reservation, "overshoot below one reservation");
            assertEquals(n, s.requestsThisMonth(), "rejected requests are not counted");

            for (ParsedRequest r : admitted) l.accept(result(r, 200, USAGE_BODY, null, "MISS"));
            s = l.state("p1");
            assertEquals(0, s.reservedMicros());
            long realCost = Math.round(12 * 0.15 + 1000 * 0.60);
            assertEquals(n * realCost, s.spentMicros());
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void budgetIsSpentThenRefusedWithoutRetry() {
        PlanConfig plan = plan(10_000, 100_000, 0, 0);
        PlanLimiter l = limiter(plan, 0.001); // 1000 micro-dollars: two reservations of ~604
        Caller c = caller("p1", plan);
        ParsedRequest a = chat();
        ParsedRequest b = chat();
        assertTrue(l.admit(c, a, new Headers()).admitted());
        assertTrue(l.admit(c, b, new Headers()).admitted(), "604 committed < 1000: admitted");
        Headers h = new Headers();
        Admission third = l.admit(c, chat(), h);
        assertFalse(third.admitted(), "reservations in flight count");
        assertEquals("insufficient_quota", third.error().code());
        assertEquals("false", h.get("x-should-retry"));
        assertTrue(third.error().message().contains("$0.001") && third.error().message().contains("reserved by calls in flight"),
                third.error().message());

        l.accept(result(a, 500, "{\"error\":{\"message\":\"boom\"}}", null, "MISS")); // provider error: costs nothing
        l.accept(result(b, 200, "{\"usage\":{\"prompt_tokens\":10,\"completion_tokens\":10,\"total_tokens\":20}}", null, "MISS"));
        assertEquals(8, l.state("p1").spentMicros()); // 10 x 0.15 + 10 x 0.60 = 7.5, rounded
        assertTrue(l.admit(c, chat(), new Headers()).admitted(), "reservations released, money left");
    }

    @Test
    void unknownOutcomeIsChargedItsReservation() {
        PlanConfig plan = plan(10_000, 100_000, 6000, 0);
        PlanLimiter l = limiter(plan, 1);
        Caller c = caller("p1", plan);
        long reservation = new PricedBudget(dev.watchllm.metering.Pricing.builtIn()).worstCaseMicros(chat());
        ParsedRequest cut = chat();
        ParsedRequest slow = chat();
        assertTrue(l.admit(c, cut, new Headers()).admitted());
        assertTrue(l.admit(c, slow, new Headers()).admitted());
        l.accept(result(cut, 200, null, List.of("data: {\"choices\":[]}\n\n".getBytes(StandardCharsets.UTF_8)), "MISS"));
        l.accept(result(slow, 504, "{\"error\":{}}", null, "MISS"));
        LimitState s = l.state("p1");
        assertEquals(2 * reservation, s.spentMicros());
        long tokens = TokenEstimate.promptTokens(cut) + 1000;
        assertEquals(6000 - 2 * tokens, s.tokensAvailable());
    }

    @Test
    void cacheHitsCountAsRequestsButCostNoTokensOrMoney() {
        PlanConfig plan = plan(2, 100_000, 600, 1);
        PlanLimiter l = limiter(plan, 1);
        Caller c = caller("p1", plan);
        for (String status : new String[] {"HIT", "HIT-SEMANTIC"}) {
            ParsedRequest r = chat();
            assertTrue(l.admit(c, r, new Headers()).admitted());
            l.accept(result(r, 200, USAGE_BODY, null, status));
        }
        LimitState s = l.state("p1");
        assertEquals(2, s.requestsThisMonth());
        assertEquals(0, s.requestsAvailable(), "hits used the per-minute requests");
        assertEquals(600, s.tokensAvailable());
        assertEquals(0, s.spentMicros());
        assertEquals(0, s.reservedMicros());
        assertEquals(0, s.inFlight());
    }

    @Test
    void projectsAreIndependent() {
        PlanConfig plan = plan(1, 1000, 0, 0);
        PlanLimiter l = limiter(plan, 0, "p1", "p2");
        assertTrue(l.admit(caller("p1", plan), chat(), new Headers()).admitted());
        assertFalse(l.admit(caller("p1", plan), chat(), new Headers()).admitted());
        assertTrue(l.admit(caller("p2", plan), chat(), new Headers()).admitted());
        assertEquals(1, l.state("p2").requestsThisMonth());
    }

    @Test
    void monthCountersSurviveARestartWithinTheMonthOnly() throws Exception {
        PlanConfig plan = plan(1000, 3, 0, 0);
        PlanLimiter first = limiter(plan, 1);
        Caller c = caller("p1", plan);
        ParsedRequest a = chat();
        assertTrue(first.admit(c, a, new Headers()).admitted());
        assertTrue(first.admit(c, chat(), new Headers()).admitted());
        first.accept(result(a, 200, USAGE_BODY, null, "MISS"));
        first.close();
        assertTrue(Files.readString(dir.resolve("limits.json")).contains("\"2025-06\""));

        PlanLimiter second = limiter(plan, 1);
        LimitState s = second.state("p1");
        assertEquals(2, s.requestsThisMonth());
        assertEquals(602, s.spentMicros());
        assertTrue(second.admit(c, chat(), new Headers()).admitted());
        assertFalse(second.admit(c, chat(), new Headers()).admitted(), "the quota spans the restart");
        second.close();

        clock.set(java.time.Instant.parse("2025-07-01T00:00:00Z"));
        PlanLimiter nextMonth = limiter(plan, 1);
        assertEquals(0, nextMonth.state("p1").requestsThisMonth());
        assertEquals(0, nextMonth.state("p1").spentMicros());
    }

    @Test
    void perMinuteLimitsBeyondWhatTheBucketCanRefillAreConfigErrors() {
        dev.watchllm.config.ConfigException e = org.junit.jupiter.api.Assertions.assertThrows(dev.watchllm.config.ConfigException.class,
                () -> plan(10, 10, PlanConfig.MAX_PER_MINUTE + 1, 0));
        assertTrue(e.getMessage().startsWith("plans.tiny.tokensPerMinute: must be at most"), e.getMessage());
        PlanLimiter l = limiter(plan(PlanConfig.MAX_PER_MINUTE, 10, PlanConfig.MAX_PER_MINUTE, 0), 0);
        assertTrue(l.admit(caller("p1", plan(PlanConfig.MAX_PER_MINUTE, 10, PlanConfig.MAX_PER_MINUTE, 0)), chat(), new Headers()).admitted());
    }

    @Test
    void anUnreadableCounterFileIsMovedAside() throws Exception {
        Files.writeString(dir.resolve("limits.json"), "{not json");
        PlanConfig plan = plan(1000, 3, 0, 0);
        PlanLimiter l = limiter(plan, 0);
        assertEquals(0, l.state("p1").requestsThisMonth());
        try (var files = Files.list(dir)) {
            assertTrue(files.anyMatch(f -> f.getFileName().toString().startsWith("limits.json.unreadable-")));
        }
    }

    /** Records response headers; the limiter only sets headers. */
    static final class Headers implements Exchange {
        final Map<String, String> headers = new HashMap<>();

        String get(String name) {
            return headers.get(name);
        }

        @Override public String method() { return "POST"; }
        @Override public String path() { return "/v1/chat/completions"; }
        @Override public String query() { return null; }
        @Override public String header(String name) { return null; }
        @Override public long contentLength() { return -1; }
        @Override public InputStream body() { return InputStream.nullInputStream(); }
        @Override public void status(int code) { throw new AssertionError("the limiter answers nothing itself"); }
        @Override public void header(String name, String value) { headers.put(name, value); }
        @Override public void write(byte[] bytes, boolean flush, Runnable written) { throw new AssertionError(); }
        @Override public void end() { throw new AssertionError(); }
        @Override public void abort() { throw new AssertionError(); }
        @Override public void onClientGone(Runnable callback) { }
    }
}
