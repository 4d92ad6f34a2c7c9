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
 * on the provider nor streaming may hold a container thread, or this cannot pass. Slow uploads
 * may not hold one either.
 */
class ConcurrentStreamsTest {
    static final int STREAMS = 2_000;
    static final long GAP_MS = 250;
    /** The fixture's projects are on "pro" (200 a minute): lifted here, this test is about threads, not plans. */
    static final dev.watchllm.config.PlanConfig UNLIMITED_PRO = new dev.watchllm.config.PlanConfig("pro", 10_000_000, 1_000_000_000, 0, 0);
    static final String[] WORDS = {"w0 ", "w1 ", "w2 ", "w3 ", "w4 ", "w5 ", "w6 ", "w7 ", "w8 ", "w9"};

    @Test
    void twoThousandSlowStreamsOnTheDefaultThreadPool() throws Exception {
        // the upstream timeout bounds the wait at the gate below: longer than any ramp-up of 2,000 clients
        try (Gateway gw = new Gateway((p, b) -> b.plan(UNLIMITED_PRO).clearUpstreams().upstream(
                dev.watchllm.config.UpstreamConfig.of("fake", p.baseUrl(), Gateway.PROVIDER_KEY, List.of("*")).withTimeout(java.time.Duration.ofSeconds(60))))) {
            QueuedThreadPool pool = (QueuedThreadPool) gw.server.getThreadPool();
            assertEquals(200, pool.getMaxThreads(), "Jetty's default pool");

            AtomicInteger active = new AtomicInteger();
            AtomicInteger peak = new AtomicInteger();
            FakeProvider.Behavior slow = FakeProvider.streamEvery(GAP_MS, WORDS);
            // Every request waits at the provider (no thread held) until all have arrived, then all stream at
            // once: 2,000 concurrent waits, then 2,000 concurrent streams, however slowly the clients connect.
            java.util.Queue<Runnable> held = new java.util.concurrent.ConcurrentLinkedQueue<>();
            AtomicInteger arrived = new AtomicInteger();
            Runnable releaseAll = () -> {
                Runnable r;
                while ((r = held.poll()) != null) r.run();
            };
            gw.provider.byDefault((req, resp, cb, r) -> {
                held.add(() -> {
                    peak.accumulateAndGet(active.incrementAndGet(), Math::max);
                    try {
                        slow.answer(req, resp, Callback.from(() -> {
                            active.decrementAndGet();
                            cb.succeeded();
                        }, x -> {
                            active.decrementAndGet();
                            cb.failed(x);
                        }), r);
                    } catch (Exception e) {
                        cb.failed(e);
                    }
                });
                int n = arrived.incrementAndGet();
                if (n == 1) {
                    req.getComponents().getScheduler().schedule(releaseAll, 45, TimeUnit.SECONDS); // never hang the test
                }
                if (n == STREAMS) releaseAll.run();
            });

            String expected = String.join("", WORDS);
            byte[] body = Http.CHAT_STREAM.getBytes(StandardCharsets.UTF_8);
            long t0 = System.nanoTime();
            List<CompletableFuture<HttpResponse<String>>> all = new ArrayList<>(STREAMS);
            for (int i = 0; i < STREAMS; i++) {
                // one prompt for all: bypass the cache, or it would coalesce them into one provider call
                all.add(Http.CLIENT.sendAsync(Http.post(gw.baseUrl() + "/chat/completions", gw.key, body)
                        .header("Cache-Control", "no-cache, no-store")
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
            assertEquals(STREAMS, arrived.get());
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

    /**
     * More stalled uploads than the default pool has threads: while their bodies trickle in, the
     * gateway and the host's own servlets still answer, and every upload is served once complete.
     */
    @Test
    void slowUploadsHoldNoThread() throws Exception {
        int uploads = 300;
        try (Gateway gw = new Gateway(b -> b.plan(UNLIMITED_PRO))) {
            QueuedThreadPool pool = (QueuedThreadPool) gw.server.getThreadPool();
            assertTrue(uploads > pool.getMaxThreads());
            byte[] body = Http.CHAT.getBytes(StandardCharsets.UTF_8);
            String head = "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + gw.key
                    + "\r\nContent-Type: application/json\r\nContent-Length: " + body.length + "\r\nConnection: close\r\n\r\n";
            List<java.net.Socket> sockets = new ArrayList<>();
            try {
                for (int i = 0; i < uploads; i++) {
                    java.net.Socket s = new java.net.Socket();
                    s.connect(new java.net.InetSocketAddress("127.0.0.1", gw.port()), 5000);
                    s.setSoTimeout(30_000);
                    s.getOutputStream().write(head.getBytes(StandardCharsets.US_ASCII));
                    s.getOutputStream().write(body, 0, 10); // then stall mid-body
                    s.getOutputStream().flush();
                    sockets.add(s);
                }
                long t0 = System.nanoTime();
                HttpResponse<String> host = Http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + gw.port() + "/health"))
                        .timeout(java.time.Duration.ofSeconds(10)).build());
                assertEquals("host:GET /health", host.body());
                HttpResponse<String> chat = Http.send(Http.post(gw.baseUrl() + "/chat/completions", gw.key, body)
                        .timeout(java.time.Duration.ofSeconds(10)).build());
                assertEquals(200, chat.statusCode(), chat.body());
                long ms = (System.nanoTime() - t0) / 1_000_000;
                System.out.printf("%d stalled uploads: host and gateway answered in %d ms; gateway pool %d threads, %d busy%n",
                        uploads, ms, pool.getThreads(), pool.getBusyThreads());
                assertTrue(pool.getBusyThreads() < pool.getMaxThreads() / 2, "stalled uploads hold threads: " + pool.getBusyThreads());

                for (java.net.Socket s : sockets) {
                    s.getOutputStream().write(body, 10, body.length - 10);
                    s.getOutputStream().flush();
                }
                int ok = 0;
                for (java.net.Socket s : sockets) {
                    String res = new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
                    if (res.startsWith("HTTP/1.1 200 ") && res.contains("Hello from the fake provider.")) ok++;
                }
                assertEquals(uploads, ok);
            } finally {
                for (java.net.Socket s : sockets) s.close();
            }
        }
    }
}
