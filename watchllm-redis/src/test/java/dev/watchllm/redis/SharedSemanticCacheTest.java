package dev.watchllm.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.openai.core.http.HttpResponseFor;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import dev.watchllm.auth.ApiKeys;
import dev.watchllm.config.CacheSettings;
import dev.watchllm.config.KeyEntry;
import dev.watchllm.config.ProjectConfig;
import dev.watchllm.config.StoreConfig;
import dev.watchllm.config.UpstreamConfig;
import dev.watchllm.config.WatchLlmConfig;
import dev.watchllm.testing.FakeProvider;
import dev.watchllm.testing.TestClock;
import io.lettuce.core.RedisClient;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The semantic cache across engines on one Redis, end to end: engines built from a config with
 * {@code store.type: redis} and semantic caching on (the real local ONNX model), each behind the
 * Servlet filter on its own Jetty, the official OpenAI SDK as the client, a real HTTP provider.
 * A prompt answered through one engine is a {@code HIT-SEMANTIC} for a paraphrase on another.
 * Every test asks about its own country, so the tests share two engines without sharing entries.
 */
class SharedSemanticCacheTest {
    static final String P_KEY = ApiKeys.mint("test");
    static final String Q_KEY = ApiKeys.mint("test");
    static final TestClock CLOCK = new TestClock("2026-03-10T12:00:00Z");
    @RegisterExtension
    static final EmbeddedRedis redis = EmbeddedRedis.perClass(false);
    static FakeProvider provider;
    static Instance a;
    static Instance b;
    /** Every change the engines publish, as a test listening on the channel receives it. */
    static final BlockingQueue<byte[]> published = new LinkedBlockingQueue<>();
    static RedisClient listener;
    static StatefulRedisPubSubConnection<byte[], byte[]> subscription;

    @BeforeAll
    static void start() throws Exception {
        provider = new FakeProvider();
        listen();
        a = engine();
        b = engine();
    }

    @AfterAll
    static void stop() throws Exception {
        b.close();
        a.close();
        listener.shutdown();
        provider.close();
    }

    static void listen() {
        listener = RedisClient.create(redis.uri());
        subscription = listener.connectPubSub(ByteArrayCodec.INSTANCE);
        subscription.addListener(new RedisPubSubAdapter<>() {
            @Override
            public void message(byte[] channel, byte[] message) {
                published.add(message);
            }
        });
        subscription.sync().subscribe(RedisKeys.SEMANTIC_CHANNEL);
    }

    /** An engine with projects {@code p} and {@code q}, both matching semantically (threshold 0.80), ready to hit. */
    static Instance engine() throws Exception {
        CacheSettings semantic = new CacheSettings(true, Duration.ofHours(1), true, 0.80);
        WatchLlmConfig.Builder config = WatchLlmConfig.builder()
                .upstream(UpstreamConfig.of("fake", provider.baseUrl(), "sk-provider", List.of("*")).withTimeout(Duration.ofSeconds(10)))
                .project(new ProjectConfig("p", "pro", List.of(new KeyEntry("kp", ApiKeys.sha256Hex(P_KEY))), semantic, 0))
                .project(new ProjectConfig("q", "pro", List.of(new KeyEntry("kq", ApiKeys.sha256Hex(Q_KEY))), semantic, 0))
                .store(new StoreConfig("redis", Path.of("unused"), redis.uri(), true));
        Instance gw = new Instance(config, CLOCK);
        gw.engine.semanticReady().toCompletableFuture().get(120, TimeUnit.SECONDS); // the local model loads in the background
        return gw;
    }

    static HttpResponseFor<ChatCompletion> ask(Instance via, String key, String question, String... headers) {
        ChatCompletionCreateParams.Builder p = ChatCompletionCreateParams.builder().model("gpt-4o-mini").addUserMessage(question);
        for (int i = 0; i < headers.length; i += 2) p.putAdditionalHeader(headers[i], headers[i + 1]);
        return via.client(key).chat().completions().withRawResponse().create(p.build());
    }

    static String cache(HttpResponseFor<ChatCompletion> r) {
        return r.headers().values("X-WatchLLM-Cache").get(0);
    }

    static String content(HttpResponseFor<ChatCompletion> r) {
        return r.parse().choices().get(0).message().content().orElseThrow();
    }

    /** Waits (bounded) until an engine published the entry of {@code prompt}: it is in Redis, and on its way to every engine. */
    static SemanticRecord.Put awaitPublished(String prompt) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (true) {
            byte[] m = published.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
            if (m == null) throw new AssertionError("the entry of '" + prompt + "' was not published within 20 s");
            ByteBuffer buf = ByteBuffer.wrap(m);
            if (buf.get() != SemanticRecord.PUT) continue;
            buf.getLong();
            SemanticRecord.Put put = SemanticRecord.decode(buf);
            if (put.entry().text().equals(prompt)) return put;
        }
    }

    /**
     * Asks {@code via} the paraphrase until it is a semantic hit (bounded): the entry reaches
     * another engine by pub/sub within milliseconds of being published, and this is that gap.
     * {@code no-store}, so a miss while waiting stores nothing.
     */
    static HttpResponseFor<ChatCompletion> awaitSemanticHit(Instance via, String key, String paraphrase) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        HttpResponseFor<ChatCompletion> r;
        do {
            r = ask(via, key, paraphrase, "Cache-Control", "no-store");
        } while (!cache(r).equals("HIT-SEMANTIC") && System.nanoTime() < deadline);
        return r;
    }

    @Test
    void anAnswerThroughOneEngineIsASemanticHitForAParaphraseOnTheOther() throws Exception {
        provider.enqueue(FakeProvider.chat("Paris."));
        HttpResponseFor<ChatCompletion> first = ask(a, P_KEY, "What is the capital of France?");
        assertEquals("MISS", cache(first));
        awaitPublished("What is the capital of France?");
        assertEquals("HIT-SEMANTIC", cache(awaitSemanticHit(b, P_KEY, "Tell me the capital city of France.")));

        int calls = provider.requestCount();
        HttpResponseFor<ChatCompletion> hit = ask(b, P_KEY, "Tell me the capital city of France.", "Cache-Control", "no-store");
        assertEquals("HIT-SEMANTIC", cache(hit), hit.headers().toString());
        assertEquals("Paris.", content(hit));
        assertTrue(hit.headers().values("X-WatchLLM-Cache-Similarity").get(0).matches("0\\.\\d{4}|1\\.0000"));
        assertEquals(calls, provider.requestCount(), "the hit never reached the provider");
    }

    @Test
    void anEngineStartedLaterLoadsTheEntriesAndHitsAtOnce() throws Exception {
        provider.enqueue(FakeProvider.chat("Madrid."));
        ask(a, P_KEY, "What is the capital of Spain?");
        awaitPublished("What is the capital of Spain?");
        try (Instance c = engine()) {
            int calls = provider.requestCount();
            HttpResponseFor<ChatCompletion> hit = ask(c, P_KEY, "Tell me the capital city of Spain.");
            assertEquals("HIT-SEMANTIC", cache(hit), "loaded at start, before the first request");
            assertEquals("Madrid.", content(hit));
            assertEquals(calls, provider.requestCount());
        }
    }

    @Test
    void anExpiredEntryIsAHitNowhereAndAnEngineStartedAfterwardsDoesNotLoadIt() throws Exception {
        provider.enqueue(FakeProvider.chat("Rome."));
        ask(a, P_KEY, "What is the capital of Italy?", "X-WatchLLM-Cache-TTL", "60");
        SemanticRecord.Put put = awaitPublished("What is the capital of Italy?");
        assertEquals(Duration.ofSeconds(60), Duration.between(put.entry().storedAt(), put.entry().expiresAt()));
        byte[] entryKey = RedisKeys.semanticEntry("p", SemanticRecord.id(put.partition().scope(), put.entry().key()));
        long pttl = redis.query(r -> r.sync().pttl(entryKey));
        assertTrue(pttl > 0 && pttl <= 60_000, "Redis drops the entry when it expires: " + pttl);
        HttpResponseFor<ChatCompletion> live = awaitSemanticHit(b, P_KEY, "Tell me the capital city of Italy.");
        assertEquals("HIT-SEMANTIC", cache(live));

        CLOCK.advance(Duration.ofSeconds(61));
        provider.byDefault(FakeProvider.chat("a fresh answer"));
        for (Instance via : List.of(a, b)) {
            HttpResponseFor<ChatCompletion> r = ask(via, P_KEY, "Tell me the capital city of Italy.", "Cache-Control", "no-store");
            assertEquals("MISS", cache(r));
            assertEquals("a fresh answer", content(r));
        }
        try (Instance c = engine()) {
            HttpResponseFor<ChatCompletion> r = ask(c, P_KEY, "Tell me the capital city of Italy.", "Cache-Control", "no-store");
            assertEquals("MISS", cache(r));
        }
    }

    @Test
    void anotherProjectNeverGetsTheAnswerOnAnyEngine() throws Exception {
        provider.enqueue(FakeProvider.chat("Berlin."));
        ask(a, P_KEY, "What is the capital of Germany?");
        awaitPublished("What is the capital of Germany?");
        assertEquals("HIT-SEMANTIC", cache(awaitSemanticHit(b, P_KEY, "Tell me the capital city of Germany.")),
                "the entry reached the other engine");
        provider.byDefault(FakeProvider.chat("answer for project q"));
        for (Instance via : List.of(a, b)) {
            HttpResponseFor<ChatCompletion> other = ask(via, Q_KEY, "Tell me the capital city of Germany.", "Cache-Control", "no-store");
            assertFalse(cache(other).startsWith("HIT"), cache(other));
            assertEquals("answer for project q", content(other));
        }
    }

    @Test
    void redisStoppedMidTestThenRestartedEnginesServeThroughoutAndShareAgain() throws Exception {
        provider.enqueue(FakeProvider.chat("Tokyo."));
        ask(a, P_KEY, "What is the capital of Japan?");
        awaitPublished("What is the capital of Japan?");

        redis.stop();
        provider.byDefault(FakeProvider.chat("served without Redis"));
        for (Instance via : List.of(a, b)) {
            HttpResponseFor<ChatCompletion> r = ask(via, P_KEY, "Tell me the capital city of Japan.");
            assertEquals(200, r.statusCode());
            assertEquals("served without Redis", content(r), "the answer lived in Redis: a miss, served by the provider");
        }

        redis.start(); // empty: it kept nothing
        subscription.close();
        listener.shutdown();
        published.clear();
        listen();
        // the engines reconnect in the background; ask until one stored answer is published again (bounded)
        String[][] pairs = {
            {"What is the capital of Norway?", "Tell me the capital city of Norway."},
            {"What is the capital of Portugal?", "Tell me the capital city of Portugal."},
            {"What is the capital of Austria?", "Tell me the capital city of Austria."},
            {"What is the capital of Sweden?", "Tell me the capital city of Sweden."},
            {"What is the capital of Greece?", "Tell me the capital city of Greece."},
        };
        for (String[] pair : pairs) {
            provider.byDefault(FakeProvider.chat("the answer to " + pair[0]));
            ask(a, P_KEY, pair[0]);
            byte[] m = published.poll(4, TimeUnit.SECONDS);
            if (m == null) continue; // not reconnected yet
            HttpResponseFor<ChatCompletion> hit = awaitSemanticHit(b, P_KEY, pair[1]);
            assertEquals("HIT-SEMANTIC", cache(hit), "the other engine follows the channel again");
            assertEquals("the answer to " + pair[0], content(hit));
            return;
        }
        throw new AssertionError("no answer was shared within " + pairs.length + " attempts after Redis came back");
    }
}
