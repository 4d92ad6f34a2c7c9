package dev.watchllm.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.openai.errors.InternalServerException;
import com.openai.errors.OpenAIServiceException;
import dev.watchllm.auth.ApiKeys;
import dev.watchllm.testing.FakeProvider;
import dev.watchllm.testing.TestClock;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Duration;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Redis killed mid-test and started again on the same port: fail-open serves on local limits, fail-closed answers 503; both recover. */
class RedisOutageTest {
    final TestClock clock = new TestClock("2026-03-10T12:00:00Z");
    final String key = ApiKeys.mint("test");
    EmbeddedRedis redis;
    FakeProvider provider;

    @BeforeEach
    void start() throws Exception {
        redis = new EmbeddedRedis();
        provider = new FakeProvider();
    }

    @AfterEach
    void stop() throws Exception {
        provider.close();
        redis.close();
    }

    @Test
    void failOpenServesOnLocalLimitsWhileRedisIsDownThenSharesAgain() throws Exception {
        try (Instance gw = new Instance(TwoEnginesTest.config(provider, key, redis.uri(), true), clock)) {
            gw.client(key).chat().completions().create(TwoEnginesTest.ask("before"));
            assertEquals("1", monthField("requests"));

            redis.stop();
            // served without Redis: the local bucket (10 a minute) still limits
            int ok = 0;
            int limited = 0;
            for (int i = 0; i < 12; i++) {
                try {
                    gw.client(key).chat().completions().create(TwoEnginesTest.ask("during " + i));
                    ok++;
                } catch (com.openai.errors.RateLimitException e) {
                    limited++;
                }
            }
            assertEquals(10, ok, "the local fallback bucket starts full and holds 10 a minute");
            assertEquals(2, limited);

            redis.start(); // empty: it kept nothing
            clock.advance(Duration.ofMinutes(1));
            awaitTrue(() -> {
                try {
                    gw.client(key).chat().completions().create(TwoEnginesTest.ask("after " + System.nanoTime()));
                } catch (OpenAIServiceException e) {
                    return false;
                }
                return "1".equals(monthField("requests"));
            }, "the engine counts in Redis again after it came back");
        }
    }

    @Test
    void failClosedAnswers503WhileRedisIsDownThenServesAgain() throws Exception {
        try (Instance gw = new Instance(TwoEnginesTest.config(provider, key, redis.uri(), false), clock)) {
            gw.client(key).chat().completions().create(TwoEnginesTest.ask("before"));
            int before = provider.requestCount();
            redis.stop();
            try {
                gw.client(key).chat().completions().create(TwoEnginesTest.ask("during"));
                throw new AssertionError("served without its store");
            } catch (InternalServerException e) {
                assertEquals(503, e.statusCode());
                assertTrue(e.getMessage().contains("store_unavailable") || String.valueOf(e.body()).contains("store_unavailable"), e.getMessage());
            }
            assertEquals(before, provider.requestCount(), "nothing reached the provider");
            redis.start();
            awaitTrue(() -> {
                try {
                    gw.client(key).chat().completions().create(TwoEnginesTest.ask("after " + System.nanoTime()));
                    return true;
                } catch (OpenAIServiceException e) {
                    return false;
                }
            }, "served again once Redis is back");
        }
    }

    private String monthField(String field) {
        RedisClient c = RedisClient.create(redis.uri());
        try (StatefulRedisConnection<String, String> conn = c.connect()) {
            return conn.sync().hget("watchllm:limit:p:2026-03", field);
        } finally {
            c.shutdown();
        }
    }

    /** Reconnection happens in the background: retry (bounded) until it shows. */
    private static void awaitTrue(BooleanSupplier check, String what) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (System.nanoTime() < deadline) {
            if (check.getAsBoolean()) return;
            Thread.sleep(50);
        }
        throw new AssertionError(what + ": not within 20 s");
    }
}
