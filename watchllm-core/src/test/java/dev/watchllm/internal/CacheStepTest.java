package dev.watchllm.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.watchllm.auth.Caller;
import dev.watchllm.cache.ExactCache;
import dev.watchllm.cache.ResponseCache;
import dev.watchllm.cache.EhcacheResponseCache;
import dev.watchllm.config.CacheConfig;
import dev.watchllm.config.KeyEntry;
import dev.watchllm.config.PlanConfig;
import dev.watchllm.config.ProjectConfig;
import dev.watchllm.config.UpstreamConfig;
import dev.watchllm.http.Exchange;
import dev.watchllm.openai.Endpoint;
import dev.watchllm.openai.ParsedRequest;
import dev.watchllm.openai.RequestParser;
import dev.watchllm.openai.SseEvents;
import dev.watchllm.testing.FakeProvider;
import dev.watchllm.upstream.JettyUpstream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the settle steps (metering, limits) see of cached answers: every hit settles like a call. */
class CacheStepTest {
    @TempDir
    Path dir;
    FakeProvider provider;
    JettyUpstream upstream;
    ScheduledThreadPoolExecutor scheduler;
    CacheStep step;
    EngineContext ctx;
    dev.watchllm.metering.UsageMeter meter;
    final LinkedBlockingQueue<CallResult> settled = new LinkedBlockingQueue<>();
    int runs;
    Caller caller;
    List<UpstreamConfig> chain;

    @BeforeEach
    void start() throws Exception {
        provider = new FakeProvider();
        upstream = new JettyUpstream();
        scheduler = new ScheduledThreadPoolExecutor(1);
        ResponseCache store = EhcacheResponseCache.open(new CacheConfig(100, 4L << 20, 16L << 20, 1 << 20, Duration.ofSeconds(5)), dir);
        step = new CacheStep(new ExactCache(store, Clock.systemUTC(), 1 << 20), Duration.ofSeconds(5));
        meter = new dev.watchllm.metering.UsageMeter(dev.watchllm.metering.Pricing.builtIn(), new dev.watchllm.metering.InMemoryUsageLedger(),
                List.of(), Clock.systemUTC());
        ctx = new EngineContext(upstream, scheduler, Clock.systemUTC(), List.of(settled::add, step::settle), meter);
        caller = new Caller("k1", ProjectConfig.of("p1", "pro", List.of(new KeyEntry("k1", "a".repeat(64)))), PlanConfig.BUILT_IN.get("pro"));
        chain = List.of(UpstreamConfig.of("fake", provider.baseUrl(), "sk", List.of("*")));
    }

    @AfterEach
    void stop() throws Exception {
        step.close();
        meter.close();
        scheduler.shutdownNow();
        upstream.close();
        provider.close();
    }

    static ParsedRequest parse(String json) {
        return RequestParser.parse(Endpoint.CHAT_COMPLETIONS, json.getBytes(StandardCharsets.UTF_8)).request();
    }

    /** Runs one request through the cache step (and the provider on a miss); the finished exchange. */
    RecordingExchange run(String json) throws Exception {
        RecordingExchange ex = new RecordingExchange();
        ParsedRequest req = parse(json);
        CacheStep.Miss miss = step.lookup(ctx, ex, "req-" + runs++, caller, req, chain, System.nanoTime());
        if (miss != null) new ProxyCall(ctx, miss.exchange(), "req", caller, req, chain, miss.cacheStatus(), System.nanoTime()).start();
        assertTrue(ex.ended.await(10, TimeUnit.SECONDS));
        return ex;
    }

    /** The next result handed to the settle steps (they run right after the response ended). */
    CallResult nextSettled() throws Exception {
        CallResult r = settled.poll(10, TimeUnit.SECONDS);
        assertNotNull(r, "no settle within 10 s");
        return r;
    }

    @Test
    void plainHitsSettleWithTheirBody() throws Exception {
        String q = "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"settle me\"}]}";
        RecordingExchange miss = run(q);
        assertEquals("MISS", miss.headers.get("X-WatchLLM-Cache"));
        CallResult first = nextSettled();
        assertEquals("MISS", first.cacheStatus());

        RecordingExchange hit = run(q);
        assertEquals("HIT", hit.headers.get("X-WatchLLM-Cache"));
        CallResult r = nextSettled();
        assertEquals("HIT", r.cacheStatus());
        assertEquals(200, r.status());
        assertTrue(r.complete());
        assertEquals("fake", r.upstream());
        assertEquals("req-1", r.requestId());
        assertArrayEquals(hit.written(), r.body());
        assertNull(r.events());
        assertEquals(1, provider.requestCount());
    }

    @Test
    void streamedHitsSettleWithTheUsageChunkEvenWhenTheClientDidNotAskForIt() throws Exception {
        String q = "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"stream me\"}]}";
        run(q); // a plain miss, replayed below as SSE
        assertEquals("MISS", nextSettled().cacheStatus());
        RecordingExchange hit = run(q.replace("}]}", "}],\"stream\":true}"));
        CallResult r = nextSettled();
        assertEquals("HIT", r.cacheStatus());
        assertNotNull(r.events());
        assertTrue(r.events().stream().anyMatch(SseEvents::isUsageOnly), "metering gets the usage");
        assertTrue(!new String(hit.written(), StandardCharsets.UTF_8).contains("\"choices\":[]"), "the client did not ask for it");
        assertTrue(SseEvents.isDone(r.events().get(r.events().size() - 1)));
    }

    /** An exchange that keeps what the engine wrote. */
    static final class RecordingExchange implements Exchange {
        final Map<String, String> headers = new ConcurrentHashMap<>();
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final CountDownLatch ended = new CountDownLatch(1);
        volatile int status;

        synchronized byte[] written() {
            return out.toByteArray();
        }

        @Override public String method() { return "POST"; }
        @Override public String path() { return "/v1/chat/completions"; }
        @Override public String query() { return null; }
        @Override public String header(String name) { return null; }
        @Override public long contentLength() { return -1; }
        @Override public InputStream body() { return InputStream.nullInputStream(); }
        @Override public void status(int code) { status = code; }
        @Override public void header(String name, String value) { headers.put(name, value); }

        @Override
        public synchronized void write(byte[] bytes, boolean flush, Runnable written) {
            out.writeBytes(bytes);
            if (written != null) written.run();
        }

        @Override public void end() { ended.countDown(); }
        @Override public void abort() { ended.countDown(); }
        @Override public void onClientGone(Runnable callback) { }
    }
}
