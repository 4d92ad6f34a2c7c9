package dev.watchllm.servlet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.Sleeper;
import com.openai.core.http.HttpResponseFor;
import com.openai.core.http.StreamResponse;
import com.openai.errors.BadRequestException;
import com.openai.errors.InternalServerException;
import com.openai.errors.RateLimitException;
import com.openai.models.ChatModel;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import dev.watchllm.auth.ApiKeys;
import dev.watchllm.config.CacheSettings;
import dev.watchllm.config.KeyEntry;
import dev.watchllm.config.PlanConfig;
import dev.watchllm.config.ProjectConfig;
import dev.watchllm.config.StoreConfig;
import dev.watchllm.config.UpstreamConfig;
import dev.watchllm.config.WatchLlmConfig;
import dev.watchllm.limit.PricedBudget;
import dev.watchllm.limit.LimitState;
import dev.watchllm.openai.Endpoint;
import dev.watchllm.openai.RequestParser;
import dev.watchllm.testing.FakeProvider;
import dev.watchllm.testing.TestClock;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import java.util.function.Predicate;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Plans, quotas and budgets end to end: the official OpenAI Java SDK through WatchLlmFilter on
 * Jetty to a real HTTP provider, with the engine on a hand-moved clock. Every rejection is also
 * checked to have stayed away from the provider.
 */
class PlanLimitsTest {
    static final ObjectMapper JSON = new ObjectMapper();
    /** A chat answer whose usage is 12 prompt and 1000 completion tokens: $0.000602 on gpt-4o-mini. */
    static final String THOUSAND_TOKENS = FakeProvider.chatJson("gpt-4o-mini", "ok")
            .replace("\"completion_tokens\":7,\"total_tokens\":19", "\"completion_tokens\":1000,\"total_tokens\":1012");
    static final long THOUSAND_TOKENS_MICROS = 602;

    final TestClock clock = new TestClock("2025-06-15T12:00:00Z");
    final List<Gateway> gateways = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        for (Gateway g : gateways) g.close();
    }

    Gateway gateway(PlanConfig plan, double budgetUsd) throws Exception {
        return gateway(projects(plan, budgetUsd));
    }

    Gateway gateway(BiFunction<Gateway, WatchLlmConfig.Builder, WatchLlmConfig.Builder> customize) throws Exception {
        Gateway g = new Gateway(clock, customize);
        gateways.add(g);
        return g;
    }

    /**
     * Both fixture projects on {@code plan}, each with {@code budgetUsd} (0: none); the provider's
     * timeout is long, as tests hold answers back on a loaded machine. The response cache is off:
     * these tests repeat one prompt and count what reaches the provider.
     */
    static BiFunction<Gateway, WatchLlmConfig.Builder, WatchLlmConfig.Builder> projects(PlanConfig plan, double budgetUsd) {
        return (g, b) -> b.plan(plan).clearProjects().clearUpstreams()
                .upstream(UpstreamConfig.of("fake", g.provider.baseUrl(), "sk-provider-secret", List.of("*"))
                        .withTimeout(Duration.ofSeconds(30)).withRetries(0, Duration.ofMillis(10)))
                .project(new ProjectConfig("test-proj", plan.name(), List.of(new KeyEntry("k1", ApiKeys.sha256Hex(g.key))),
                        NO_CACHE, budgetUsd))
                .project(new ProjectConfig("other-proj", plan.name(), List.of(new KeyEntry("k2", ApiKeys.sha256Hex(g.otherKey))),
                        NO_CACHE, budgetUsd));
    }

    static final CacheSettings NO_CACHE = new CacheSettings(false, Duration.ofHours(24), false, 0.95);

    static PlanConfig plan(long rpm, long perMonth, long tpm, int concurrent) {
        return new PlanConfig("team", rpm, perMonth, tpm, concurrent);
    }

    static ChatCompletionCreateParams hello() {
        return ChatCompletionCreateParams.builder().model(ChatModel.GPT_4O_MINI).addUserMessage("hi").maxCompletionTokens(1000).build();
    }

    static String header(RateLimitException e, String name) {
        List<String> v = e.headers().values(name);
        return v.isEmpty() ? null : v.get(0);
    }

    static String header(HttpResponseFor<?> r, String name) {
        List<String> v = r.headers().values(name);
        return v.isEmpty() ? null : v.get(0);
    }

    /** Waits for the settle step (it runs just after the response ended) to show in the counters. */
    static LimitState awaitState(Gateway gw, String project, Predicate<LimitState> settled) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        LimitState s;
        while (!settled.test(s = gw.engine.limitState(project))) {
            if (System.nanoTime() > deadline) fail("the call was not settled: " + s);
            Thread.yield();
        }
        return s;
    }

    @Test
    void requestsPerMinuteAtTheEdgeAndProjectsIndependent() throws Exception {
        Gateway gw = gateway(plan(2, 1000, 0, 0), 0);
        OpenAIClient client = gw.client();
        HttpResponseFor<ChatCompletion> first = client.chat().completions().withRawResponse().create(hello());
        assertEquals("2", header(first, "x-ratelimit-limit-requests"));
        assertEquals("1", header(first, "x-ratelimit-remaining-requests"));
        assertEquals("30s", header(first, "x-ratelimit-reset-requests"));
        HttpResponseFor<ChatCompletion> second = client.chat().completions().withRawResponse().create(hello());
        assertEquals("0", header(second, "x-ratelimit-remaining-requests"));
        assertEquals("1m0s", header(second, "x-ratelimit-reset-requests"));

        RateLimitException e = assertThrows(RateLimitException.class, () -> client.chat().completions().create(hello()));
        assertEquals(429, e.statusCode());
        assertEquals("rate_limit_exceeded", e.code().orElseThrow());
        assertEquals("requests", e.type().orElseThrow());
        assertTrue(e.getMessage().contains("Limit 2") && e.getMessage().contains("try again in 30s"), e.getMessage());
        assertEquals("30", header(e, "retry-after"));
        assertEquals("30000", header(e, "retry-after-ms"));
        assertEquals("0", header(e, "x-ratelimit-remaining-requests"));
        assertEquals(2, gw.provider.requestCount(), "the rejected request never reached the provider");

        gw.client(gw.otherKey).chat().completions().create(hello());
        assertEquals(3, gw.provider.requestCount(), "another project has its own limits");

        clock.advance(Duration.ofSeconds(30));
        client.chat().completions().create(hello());
        assertEquals(4, gw.provider.requestCount());
    }

    @Test
    void tokensPerMinuteBurstEndsInDebtThatIsWaitedOut() throws Exception {
        Gateway gw = gateway(plan(1000, 100_000, 20, 0), 0); // 20 tokens a minute: one every 3 s; each answer uses 19
        OpenAIClient client = gw.client();
        HttpResponseFor<ChatCompletion> first = client.chat().completions().withRawResponse().create(hello());
        assertEquals("20", header(first, "x-ratelimit-limit-tokens"));
        assertEquals("20", header(first, "x-ratelimit-remaining-tokens"));
        awaitState(gw, "test-proj", s -> s.tokensAvailable() == 1);
        HttpResponseFor<ChatCompletion> second = client.chat().completions().withRawResponse().create(hello());
        assertEquals("1", header(second, "x-ratelimit-remaining-tokens"), "admitted while any token remains");
        assertEquals("57s", header(second, "x-ratelimit-reset-tokens"));
        awaitState(gw, "test-proj", s -> s.tokensAvailable() == -18);

        RateLimitException e = assertThrows(RateLimitException.class, () -> client.chat().completions().create(hello()));
        assertEquals("tokens", e.type().orElseThrow());
        assertEquals("rate_limit_exceeded", e.code().orElseThrow());
        assertEquals("57000", header(e, "retry-after-ms"), "18 tokens of debt plus the one needed, 3 s each");
        assertEquals("57", header(e, "retry-after"));
        assertEquals("0", header(e, "x-ratelimit-remaining-tokens"));
        assertEquals(2, gw.provider.requestCount());

        clock.advance(Duration.ofMillis(56_999));
        assertThrows(RateLimitException.class, () -> client.chat().completions().create(hello()));
        clock.advance(Duration.ofMillis(1));
        client.chat().completions().create(hello());
        assertEquals(3, gw.provider.requestCount());
    }

    @Test
    void monthlyQuotaIsFinalUntilTheMonthRollsOver() throws Exception {
        clock.set(Instant.parse("2025-06-30T23:59:59Z"));
        Gateway gw = gateway(plan(1000, 2, 0, 0), 0);
        gw.client().chat().completions().create(hello());
        gw.client().chat().completions().create(hello());

        ClockSleeper sleeper = new ClockSleeper(clock);
        OpenAIClient retrying = sdk(gw, gw.key, 2, sleeper);
        RateLimitException e = assertThrows(RateLimitException.class, () -> retrying.chat().completions().create(hello()));
        assertEquals("insufficient_quota", e.code().orElseThrow());
        assertEquals("insufficient_quota", e.type().orElseThrow());
        assertEquals("false", header(e, "x-should-retry"));
        assertEquals("1", header(e, "retry-after"), "the quota resets in a second");
        assertTrue(e.getMessage().contains("2025-07-01"), e.getMessage());
        assertTrue(sleeper.slept.isEmpty(), "x-should-retry: false wins over retry-after: " + sleeper.slept);
        assertEquals(2, gw.provider.requestCount());

        clock.advance(Duration.ofSeconds(1));
        gw.client().chat().completions().create(hello());
        assertEquals(3, gw.provider.requestCount(), "July has a fresh quota");
    }

    @Test
    void theSdkRetryHonoursRetryAfter() throws Exception {
        Gateway gw = gateway(plan(10, 1000, 0, 0), 0); // a request every 6 s
        for (int i = 0; i < 10; i++) gw.client().chat().completions().create(hello());
        // The SDK's own retry: it reads retry-after-ms from the 429 and waits that long through its
        // Sleeper, which here moves the engine's clock instead of blocking the test's thread.
        ClockSleeper sleeper = new ClockSleeper(clock);
        ChatCompletion c = sdk(gw, gw.key, 2, sleeper).chat().completions().create(hello());
        assertEquals("Hello from the fake provider.", c.choices().get(0).message().content().orElseThrow());
        assertEquals(List.of(Duration.ofSeconds(6)), sleeper.slept, "one retry, exactly after the advertised wait");
        assertEquals(11, gw.provider.requestCount(), "only the admitted attempt reached the provider");
    }

    @Test
    void theSdkCapsLongerWaitsAndItsEarlyRetriesNeverReachTheProvider() throws Exception {
        Gateway gw = gateway(plan(2, 1000, 0, 0), 0); // a request every 30 s
        gw.client().chat().completions().create(hello());
        gw.client().chat().completions().create(hello());
        // openai-java waits at most 8 s whatever retry-after says: it comes back early, is told the
        // rest of the wait each time, and gets through once the 30 s have passed.
        ClockSleeper sleeper = new ClockSleeper(clock);
        sdk(gw, gw.key, 4, sleeper).chat().completions().create(hello());
        assertEquals(List.of(Duration.ofSeconds(8), Duration.ofSeconds(8), Duration.ofSeconds(8), Duration.ofSeconds(6)), sleeper.slept);
        assertEquals(3, gw.provider.requestCount());
    }

    @Test
    void budgetUnderFiftyConcurrentRequestsOvershootsByLessThanOneReservation() throws Exception {
        Gateway gw = gateway(plan(10_000, 100_000, 0, 0), 0.01); // $0.01: sixteen-odd worst cases of ~$0.0006
        CountDownLatch decided = new CountDownLatch(50);
        Parking parking = new Parking(FakeProvider.status(200, THOUSAND_TOKENS), decided);
        gw.provider.byDefault(parking);
        OpenAIClient client = gw.client();
        ExecutorService pool = Executors.newFixedThreadPool(50);
        List<Future<Boolean>> calls = new ArrayList<>();
        try {
            for (int i = 0; i < 50; i++) {
                calls.add(pool.submit(() -> {
                    try {
                        client.chat().completions().create(hello());
                        return true;
                    } catch (RateLimitException e) {
                        assertEquals("insufficient_quota", e.code().orElseThrow());
                        assertEquals("false", header(e, "x-should-retry"));
                        decided.countDown();
                        return false;
                    }
                }));
            }
            assertTrue(decided.await(20, TimeUnit.SECONDS), "every call was admitted or rejected");
            int admitted = gw.provider.requestCount();
            LimitState during = gw.engine.limitState("test-proj");
            parking.release();
            int ok = 0;
            for (Future<Boolean> f : calls) ok += f.get(20, TimeUnit.SECONDS) ? 1 : 0;
            assertEquals(admitted, ok);

            long reservation = new PricedBudget(gw.engine.pricing()).worstCaseMicros(RequestParser.parse(Endpoint.CHAT_COMPLETIONS,
                    gw.provider.takeRequest().body().getBytes(StandardCharsets.UTF_8)).request());
            long budget = 10_000;
            assertEquals((budget + reservation - 1) / reservation, admitted, "admitted exactly while spent + reserved < budget");
            assertEquals(admitted * reservation, during.reservedMicros());
            assertTrue(during.reservedMicros() - budget < reservation, "never over by a whole reservation");

            LimitState after = awaitState(gw, "test-proj", s -> s.reservedMicros() == 0);
            assertEquals(admitted * THOUSAND_TOKENS_MICROS, after.spentMicros(), "settled to the real cost");
        } finally {
            pool.shutdownNow();
        }

        // Real costs were below the reservations: the rest of the budget is spent one call at a time.
        gw.provider.byDefault(FakeProvider.status(200, THOUSAND_TOKENS));
        for (int i = 0; ; i++) {
            assertTrue(i < 50, "the budget never ran out");
            try {
                gw.client().chat().completions().create(hello());
            } catch (RateLimitException e) {
                assertEquals("insufficient_quota", e.code().orElseThrow());
                break;
            }
            awaitState(gw, "test-proj", s -> s.reservedMicros() == 0);
        }
        long calls17 = (10_000 + THOUSAND_TOKENS_MICROS - 1) / THOUSAND_TOKENS_MICROS;
        assertEquals(calls17, gw.provider.requestCount());
        LimitState end = gw.engine.limitState("test-proj");
        assertEquals(calls17 * THOUSAND_TOKENS_MICROS, end.spentMicros());
        assertTrue(end.spentMicros() - 10_000 < THOUSAND_TOKENS_MICROS);
        gw.client(gw.otherKey).chat().completions().create(hello());
        assertEquals(calls17 + 1, gw.provider.requestCount(), "another project has its own budget");
    }

    @Test
    void concurrencySlotsAreFreedOnSuccessErrorTimeoutAndDisconnect() throws Exception {
        // model "slow-*" goes to the same provider through an upstream with a short timeout
        Gateway gw = gateway((g, b) -> projects(plan(1000, 100_000, 0, 1), 0).apply(g, b).clearUpstreams()
                .upstream(UpstreamConfig.of("slow", g.provider.baseUrl(), "sk-provider-secret", List.of("slow-*"))
                        .withTimeout(Duration.ofMillis(300)).withRetries(0, Duration.ofMillis(10)))
                .upstream(UpstreamConfig.of("fake", g.provider.baseUrl(), "sk-provider-secret", List.of("*"))
                        .withTimeout(Duration.ofSeconds(20)).withRetries(0, Duration.ofMillis(10))));
        OpenAIClient client = gw.client();
        Predicate<LimitState> idle = s -> s.inFlight() == 0;

        // held at the provider: a second call finds the only slot taken
        CountDownLatch arrived = new CountDownLatch(1);
        Parking parking = new Parking(FakeProvider.chat("held"), arrived);
        gw.provider.enqueue(parking);
        CompletableFuture<ChatCompletion> held = CompletableFuture.supplyAsync(() -> client.chat().completions().create(hello()));
        assertTrue(arrived.await(10, TimeUnit.SECONDS));
        RateLimitException busy = assertThrows(RateLimitException.class, () -> client.chat().completions().create(hello()));
        assertEquals("requests", busy.type().orElseThrow());
        assertEquals("1", header(busy, "retry-after"));
        assertTrue(busy.getMessage().contains("Limit 1 in flight"), busy.getMessage());
        assertEquals(1, gw.provider.requestCount());
        parking.release();
        assertEquals("held", held.get(10, TimeUnit.SECONDS).choices().get(0).message().content().orElseThrow());
        awaitState(gw, "test-proj", idle);

        // a provider error
        gw.provider.enqueue(FakeProvider.status(400, "{\"error\":{\"message\":\"bad\",\"type\":\"invalid_request_error\"}}"));
        assertThrows(BadRequestException.class, () -> client.chat().completions().create(hello()));
        awaitState(gw, "test-proj", idle);

        // a provider too slow: 504
        gw.provider.enqueue(FakeProvider.hang());
        InternalServerException slow = assertThrows(InternalServerException.class,
                () -> client.chat().completions().create(hello().toBuilder().model("slow-model").build()));
        assertEquals(504, slow.statusCode());
        awaitState(gw, "test-proj", idle);

        // the client leaves mid-stream: the gateway cancels upstream and frees the slot first
        gw.provider.enqueue(gw.provider.endlessStream(20));
        try (StreamResponse<ChatCompletionChunk> s = client.chat().completions().createStreaming(hello())) {
            Iterator<ChatCompletionChunk> it = s.stream().iterator();
            assertTrue(it.hasNext());
            it.next();
        }
        assertTrue(gw.provider.awaitBrokenStream(10), "the gateway cut the provider's stream");
        awaitState(gw, "test-proj", idle);

        client.chat().completions().create(hello());
        assertEquals(5, gw.provider.requestCount());
    }

    @Test
    void everyAnswerToAProjectCarriesRateLimitHeaders() throws Exception {
        Gateway gw = gateway(plan(5, 1000, 600, 0), 0);
        HttpClient http = HttpClient.newHttpClient();
        HttpResponse<String> bad = http.send(post(gw, gw.key, "{not json"), HttpResponse.BodyHandlers.ofString());
        assertEquals(400, bad.statusCode());
        assertEquals("5", bad.headers().firstValue("x-ratelimit-limit-requests").orElse(null));
        assertEquals("5", bad.headers().firstValue("x-ratelimit-remaining-requests").orElse(null), "a bad request is not counted");
        assertEquals("600", bad.headers().firstValue("x-ratelimit-limit-tokens").orElse(null));
        assertEquals("0s", bad.headers().firstValue("x-ratelimit-reset-tokens").orElse(null));

        gw.provider.enqueue(FakeProvider.stream("a", "b"));
        HttpResponse<String> stream = http.send(post(gw, gw.key,
                "{\"model\":\"gpt-4o-mini\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, stream.statusCode());
        assertEquals("4", stream.headers().firstValue("x-ratelimit-remaining-requests").orElse(null));
        assertEquals("12s", stream.headers().firstValue("x-ratelimit-reset-requests").orElse(null));
        assertEquals("600", stream.headers().firstValue("x-ratelimit-remaining-tokens").orElse(null));
        awaitState(gw, "test-proj", s -> s.tokensAvailable() == 600 - 14); // the stream's usage chunk: 12 + 2

        HttpResponse<String> unauthenticated = http.send(post(gw, "lgw_test_" + "x".repeat(32), "{}"), HttpResponse.BodyHandlers.ofString());
        assertEquals(401, unauthenticated.statusCode());
        assertTrue(unauthenticated.headers().firstValue("x-ratelimit-limit-requests").isEmpty(), "no project, no limits");

        for (int i = 0; i < 4; i++) {
            assertEquals(200, http.send(post(gw, gw.key, "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"),
                    HttpResponse.BodyHandlers.ofString()).statusCode());
        }
        HttpResponse<String> limited = http.send(post(gw, gw.key, "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(429, limited.statusCode());
        JsonNode err = JSON.readTree(limited.body()).get("error");
        assertEquals("rate_limit_exceeded", err.get("code").asText());
        assertEquals("requests", err.get("type").asText());
        assertTrue(err.get("param").isNull());
        assertEquals("12", limited.headers().firstValue("retry-after").orElse(null));
        assertEquals("12000", limited.headers().firstValue("retry-after-ms").orElse(null));
        assertEquals("application/json", limited.headers().firstValue("content-type").orElse(null));
        assertEquals(5, gw.provider.requestCount());
    }

    @Test
    void monthCountersSurviveARestart(@TempDir Path store) throws Exception {
        BiFunction<Gateway, WatchLlmConfig.Builder, WatchLlmConfig.Builder> cfg =
                (g, b) -> projects(plan(1000, 3, 0, 0), 1).apply(g, b).store(new StoreConfig("local", store, null));
        Gateway before = gateway(cfg);
        before.provider.byDefault(FakeProvider.status(200, THOUSAND_TOKENS));
        before.client().chat().completions().create(hello());
        before.client().chat().completions().create(hello());
        awaitState(before, "test-proj", s -> s.spentMicros() == 2 * THOUSAND_TOKENS_MICROS);
        gateways.remove(before);
        before.close();

        Gateway after = gateway(cfg);
        LimitState s = after.engine.limitState("test-proj");
        assertEquals(2, s.requestsThisMonth());
        assertEquals(2 * THOUSAND_TOKENS_MICROS, s.spentMicros());
        after.client().chat().completions().create(hello());
        RateLimitException e = assertThrows(RateLimitException.class, () -> after.client().chat().completions().create(hello()));
        assertEquals("insufficient_quota", e.code().orElseThrow());
        assertEquals(1, after.provider.requestCount());
        assertNull(after.engine.limitState("no-such-project"));
    }

    static HttpRequest post(Gateway gw, String key, String body) {
        return HttpRequest.newBuilder(URI.create(gw.baseUrl() + "/chat/completions"))
                .header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
    }

    static OpenAIClient sdk(Gateway gw, String key, int maxRetries, Sleeper sleeper) {
        return OpenAIOkHttpClient.builder().baseUrl(gw.baseUrl()).apiKey(key).maxRetries(maxRetries).sleeper(sleeper)
                .timeout(Duration.ofSeconds(20)).build();
    }

    /** The SDK's retry sleeps through this: it records the wait and moves the engine's clock by it. */
    static final class ClockSleeper implements Sleeper {
        final TestClock clock;
        final List<Duration> slept = new CopyOnWriteArrayList<>();

        ClockSleeper(TestClock clock) {
            this.clock = clock;
        }

        @Override
        public void sleep(Duration d) {
            slept.add(d);
            clock.advance(d);
        }

        @Override
        public CompletableFuture<Void> sleepAsync(Duration d) {
            sleep(d);
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public void close() {
        }
    }

    /** Holds the provider's answers until {@link #release()}, counting each arrival down on {@code arrived}. */
    static final class Parking implements FakeProvider.Behavior {
        private final FakeProvider.Behavior answer;
        private final CountDownLatch arrived;
        private final ConcurrentLinkedQueue<Runnable> parked = new ConcurrentLinkedQueue<>();

        Parking(FakeProvider.Behavior answer, CountDownLatch arrived) {
            this.answer = answer;
            this.arrived = arrived;
        }

        @Override
        public void answer(Request req, Response resp, Callback cb, FakeProvider.Recorded r) {
            parked.add(() -> {
                try {
                    answer.answer(req, resp, cb, r);
                } catch (Exception e) {
                    cb.failed(e);
                }
            });
            arrived.countDown();
        }

        void release() {
            for (Runnable r; (r = parked.poll()) != null; ) r.run();
        }
    }
}
