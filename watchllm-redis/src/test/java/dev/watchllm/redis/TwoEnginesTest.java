package dev.watchllm.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.openai.core.http.HttpResponseFor;
import com.openai.errors.RateLimitException;
import com.openai.errors.UnauthorizedException;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import dev.watchllm.auth.ApiKeyRecord;
import dev.watchllm.auth.ApiKeys;
import dev.watchllm.config.KeyEntry;
import dev.watchllm.config.PlanConfig;
import dev.watchllm.config.ProjectConfig;
import dev.watchllm.config.StoreConfig;
import dev.watchllm.config.UpstreamConfig;
import dev.watchllm.config.WatchLlmConfig;
import dev.watchllm.testing.FakeProvider;
import dev.watchllm.testing.TestClock;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Two engines on one Redis act as one gateway: one limit, one cache, one ledger, one set of keys. */
class TwoEnginesTest {
    @RegisterExtension
    static final EmbeddedRedis redis = EmbeddedRedis.perClass(true);
    final TestClock clock = new TestClock("2026-03-10T12:00:00Z");
    final String key = ApiKeys.mint("test");
    FakeProvider provider;
    Instance a;
    Instance b;

    @BeforeEach
    void start() throws Exception {
        provider = new FakeProvider();
        a = new Instance(config(provider, key, redis.uri(), true), clock);
        b = new Instance(config(provider, key, redis.uri(), true), clock);
    }

    @AfterEach
    void stop() throws Exception {
        a.close();
        b.close();
        provider.close();
    }

    /** Project {@code p} on plan {@code tight}: 10 requests a minute; every model goes to the fake provider. */
    static WatchLlmConfig.Builder config(FakeProvider provider, String key, String uri, boolean failOpen) {
        return WatchLlmConfig.builder()
                .upstream(UpstreamConfig.of("fake", provider.baseUrl(), "sk-provider", List.of("*")).withTimeout(Duration.ofSeconds(5)))
                .plan(new PlanConfig("tight", 10, 1_000_000, 0, 0))
                .project(ProjectConfig.of("p", "tight", List.of(new KeyEntry("k1", ApiKeys.sha256Hex(key)))))
                .store(new StoreConfig("redis", Path.of("unused"), uri, failOpen));
    }

    static ChatCompletionCreateParams ask(String text) {
        return ChatCompletionCreateParams.builder().model("gpt-4o-mini").addUserMessage(text).build();
    }

    @Test
    void tenRequestsAMinuteInTotalNotPerEngine() throws Exception {
        int ok = 0;
        int limited = 0;
        for (int i = 0; i < 20; i++) {
            Instance via = i % 2 == 0 ? a : b;
            try {
                via.client(key).chat().completions().create(ask("question " + i));
                ok++;
            } catch (RateLimitException e) {
                limited++;
            }
        }
        assertEquals(10, ok);
        assertEquals(10, limited);
        assertEquals(10, provider.requestCount(), "a rejected request never reached the provider");
        clock.advance(Duration.ofSeconds(6)); // one request's worth of refill, for both engines alike
        a.client(key).chat().completions().create(ask("after the refill"));
        assertThrows(RateLimitException.class, () -> b.client(key).chat().completions().create(ask("one too many")));
    }

    @Test
    void aMonthlyQuotaHoldsInTotalAcrossEngines() throws Exception {
        WatchLlmConfig.Builder monthly = config(provider, key, redis.uri(), true).plan(new PlanConfig("tight", 100, 5, 0, 0));
        try (Instance c = new Instance(monthly, clock); Instance d = new Instance(monthly, clock)) {
            int ok = 0;
            int spent = 0;
            for (int i = 0; i < 12; i++) {
                try {
                    (i % 2 == 0 ? c : d).client(key).chat().completions().create(ask("month " + i));
                    ok++;
                } catch (RateLimitException e) {
                    assertTrue(String.valueOf(e.body()).contains("insufficient_quota"), String.valueOf(e.body()));
                    spent++;
                }
            }
            assertEquals(5, ok, "five a month in total, though each engine learns the count only from its own requests");
            assertEquals(7, spent);
            assertEquals(5, provider.requestCount());
        }
    }

    @Test
    void anAnswerCachedByOneEngineIsAHitOnTheOther() throws Exception {
        HttpResponseFor<ChatCompletion> first = a.client(key).chat().completions().withRawResponse().create(ask("shared"));
        assertEquals("MISS", first.headers().values("X-WatchLLM-Cache").get(0));
        String content = first.parse().choices().get(0).message().content().orElseThrow();
        a.nextUsage(); // settled: the answer is stored
        HttpResponseFor<ChatCompletion> second = b.client(key).chat().completions().withRawResponse().create(ask("shared"));
        assertEquals("HIT", second.headers().values("X-WatchLLM-Cache").get(0));
        assertEquals(content, second.parse().choices().get(0).message().content().orElseThrow());
        assertEquals(1, provider.requestCount());
    }

    @Test
    void usageAddsUpAcrossEngines() throws Exception {
        a.client(key).chat().completions().create(ask("one"));
        b.client(key).chat().completions().create(ask("two"));
        b.client(key).chat().completions().create(ask("one")); // a hit on b of a's answer
        a.nextUsage();
        b.nextUsage();
        b.nextUsage();
        a.engine.usage().flush();
        b.engine.usage().flush();
        for (Instance via : List.of(a, b)) {
            HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(via.baseUrl() + "/watchllm/usage"))
                    .header("Authorization", "Bearer " + key).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode(), r.body());
            JsonNode j = new ObjectMapper().readTree(r.body());
            assertEquals(3, j.get("requests").asLong(), r.body());
            assertEquals(1, j.get("cacheHits").asLong(), r.body());
        }
    }

    @Test
    void aKeyMintedOnOneEngineWorksOnTheOtherUntilRevoked() throws Exception {
        String minted = a.engine.mintKey("p", "dev");
        String hash = ApiKeys.sha256Hex(minted);
        awaitKey(b, hash, false);
        b.client(minted).chat().completions().create(ask("with a minted key"));
        ApiKeyRecord r = a.engine.keys().findByHash(hash);
        assertTrue(a.engine.keys().revoke(r.id()));
        awaitKey(b, hash, true);
        assertThrows(UnauthorizedException.class, () -> b.client(minted).chat().completions().create(ask("revoked")));
    }

    /** Key changes reach other engines by pub/sub: wait (bounded) for the notice to arrive. */
    private static void awaitKey(Instance on, String hash, boolean revoked) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < deadline) {
            ApiKeyRecord r = on.engine.keys().findByHash(hash);
            if (r != null && r.revoked() == revoked) return;
            Thread.sleep(5);
        }
        throw new AssertionError("the key change did not reach the other engine within 10 s");
    }
}
