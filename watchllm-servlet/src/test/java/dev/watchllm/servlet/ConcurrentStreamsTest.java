package dev.watchllm.servlet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.watchllm.testing.FakeProvider;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.junit.jupiter.api.Test;

/**
 * The Servlet async target: 2,000 concurrent slow streams through WatchLlmFilter on Jetty's
 * default thread pool (200 threads) all complete, event by event, without errors. Neither waiting
 * on the provider nor streaming may hold a container thread, or this cannot pass.
 */
class ConcurrentStreamsTest {
    static final int STREAMS = 2_000;
    static final long GAP_MS = 400;
    static final String[] WORDS = {"w0 ", "w1 ", "w2 ", "w3 ", "w4 ", "w5 ", "w6 ", "w7 ", "w8 ", "w9"};

    @Test
    void twoThousandSlowStreamsOnTheDefaultThreadPool() throws Exception {
        try (Gateway gw = new Gateway()) {
            QueuedThreadPool pool = (QueuedThreadPool) gw.server.getThreadPool();
            assertEquals(200, pool.getMaxThreads(), "Jetty's default pool");

            AtomicInteger active = new AtomicInteger();
            AtomicInteger peak = new AtomicInteger();
            FakeProvider.Behavior slow = FakeProvider.streamEvery(GAP_MS, WORDS);
            gw.provider.byDefault((req, resp, cb, r) -> {
                peak.accumulateAndGet(active.incrementAndGet(), Math::max);
                slow.answer(req, resp, Callback.from(() -> {
                    active.decrementAndGet();
                    cb.succeeded();
                }, x -> {
                    active.decrementAndGet();
                    cb.failed(x);
                }), r);
            });

            String expected = String.join("", WORDS);
            byte[] body = Http.CHAT_STREAM.getBytes(StandardCharsets.UTF_8);
            long t0 = System.nanoTime();
            List<CompletableFuture<HttpResponse<String>>> all = new ArrayList<>(STREAMS);
            for (int i = 0; i < STREAMS; i++) {
                all.add(Http.CLIENT.sendAsync(Http.post(gw.baseUrl() + "/chat/completions", gw.key, body)
                        .timeout(java.time.Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8)));
            }
            Map<String, Integer> failures = new TreeMap<>();
            int ok = 0;
            for (CompletableFuture<HttpResponse<String>> f : all) {
                try {
                    HttpResponse<String> r = f.get(60, TimeUnit.SECONDS);
                    String text = text(r.body());
                    if (r.statusCode() == 200 && r.body().endsWith("data: [DONE]\n\n") && text.equals(expected)
                            && !r.body().contains("\"choices\":[]")) {
                        ok++;
                    } else {
                        failures.merge(r.statusCode() + " " + r.body().substring(0, Math.min(120, r.body().length())), 1, Integer::sum);
                    }
                } catch (java.util.concurrent.ExecutionException e) {
                    failures.merge(String.valueOf(e.getCause()), 1, Integer::sum);
                }
            }
            long ms = (System.nanoTime() - t0) / 1_000_000;
            System.out.printf("%d streams: %d ok in %d ms, peak %d concurrent at the provider, gateway pool %d threads (max %d)%n",
                    STREAMS, ok, ms, peak.get(), pool.getThreads(), pool.getMaxThreads());
            assertTrue(failures.isEmpty(), "failures: " + failures);
            assertEquals(STREAMS, ok);
            assertEquals(STREAMS, peak.get(), "all streams were open at once");
            assertFalse(pool.getThreads() > pool.getMaxThreads());
        }
    }

    /** The concatenated delta contents of an SSE chat stream. */
    static String text(String sse) {
        StringBuilder sb = new StringBuilder();
        int i = 0;
        while ((i = sse.indexOf("\"content\":\"", i)) >= 0) {
            int s = i + 11;
            int e = sse.indexOf('"', s);
            sb.append(sse, s, e);
            i = e;
        }
        return sb.toString();
    }
}
