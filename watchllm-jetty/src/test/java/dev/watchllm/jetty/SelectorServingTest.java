package dev.watchllm.jetty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.watchllm.WatchLlm;
import dev.watchllm.observe.CallObservation;
import dev.watchllm.tck.ContractConfig;
import dev.watchllm.testing.FakeProvider;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.Invocable.InvocationType;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link WatchLlmHandler} on Jetty's selector thread: with every pool thread held by the host's
 * blocking requests, gateway requests are still read, answered from the cache or relayed, and the
 * host's requests still run (on pool threads, once one is free).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class SelectorServingTest {
    @TempDir
    Path dir;
    private FakeProvider provider;
    private ContractConfig config;
    private WatchLlm engine;
    private Server server;
    private QueuedThreadPool pool;
    private final BusyHost host = new BusyHost();
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @BeforeEach
    void start() throws Exception {
        provider = new FakeProvider();
        config = new ContractConfig(Files.createDirectories(dir.resolve("c")), provider.baseUrl());
        engine = WatchLlm.fromConfig(config.file);
    }

    @AfterEach
    void stop() throws Exception {
        host.release.countDown();
        try {
            if (server != null) server.stop();
        } finally {
            engine.close();
            provider.close();
        }
    }

    @Test
    void theHandlerIsNonBlockingOnlyWhenTheEngineIs() throws Exception {
        WatchLlmHandler h = new WatchLlmHandler(engine, host);
        assertTrue(h.servesOnSelector());
        assertEquals(InvocationType.NON_BLOCKING, h.getInvocationType());
        h.setServeOnSelector(false);
        assertEquals(InvocationType.BLOCKING, h.getInvocationType());
        assertEquals(InvocationType.BLOCKING, new WatchLlmHandler(engine, null) {{ setServeOnSelector(false); }}.getInvocationType());
        try (WatchLlm synchronous = WatchLlm.builder().config(dev.watchllm.config.ConfigLoader.load(config.file))
                .observer(s -> CallObservation.NONE).build()) {
            WatchLlmHandler b = new WatchLlmHandler(synchronous, new BusyHost());
            assertFalse(b.servesOnSelector());
            assertEquals(InvocationType.BLOCKING, b.getInvocationType());
        }
        startServer(new WatchLlmHandler(engine, host));
        assertThrows(IllegalStateException.class, () -> ((WatchLlmHandler) server.getHandler()).setServeOnSelector(false));
    }

    @Test
    void withEveryPoolThreadBusyAHitAndAMissAreStillAnswered() throws Exception {
        startServer(new WatchLlmHandler(engine, host));
        String body = chat("selector " + System.nanoTime());
        provider.enqueue(FakeProvider.chat("From the provider."), FakeProvider.chat("Fresh one."));
        try (KeptConnection gateway = new KeptConnection()) { // Jetty opens new connections on a pool thread: open it first
            assertEquals("MISS", gateway.post(body, null, false).header("x-watchllm-cache"));

            List<CompletableFuture<HttpResponse<String>>> held = occupyEveryPoolThread();

            KeptConnection.Answer hit = gateway.post(body, null, false);
            assertEquals(200, hit.status(), hit.body());
            assertEquals("HIT", hit.header("x-watchllm-cache"));
            assertTrue(hit.body().contains("From the provider."), hit.body());
            // the body after the headers, in a write of its own: read on the selector too
            KeptConnection.Answer miss = gateway.post(body, "no-cache", true);
            assertEquals(200, miss.status(), miss.body());
            assertEquals("MISS", miss.header("x-watchllm-cache"));
            assertTrue(miss.body().contains("Fresh one."), miss.body());
            assertEquals(0, pool.getIdleThreads(), "the host still held every pool thread");

            host.release.countDown();
            for (CompletableFuture<HttpResponse<String>> f : held) {
                HttpResponse<String> r = f.get(20, TimeUnit.SECONDS);
                assertEquals(200, r.statusCode());
                assertEquals(BusyHost.TEXT, r.body());
            }
        }
    }

    @Test
    void onPoolThreadsTheSameHitWaitsForAFreeThread() throws Exception {
        WatchLlmHandler h = new WatchLlmHandler(engine, host);
        h.setServeOnSelector(false);
        startServer(h);
        String body = chat("pool " + System.nanoTime());
        provider.enqueue(FakeProvider.chat("From the provider."));
        try (KeptConnection gateway = new KeptConnection()) {
            assertEquals("MISS", gateway.post(body, null, false).header("x-watchllm-cache"));
            occupyEveryPoolThread();
            CompletableFuture<KeptConnection.Answer> hit = CompletableFuture.supplyAsync(() -> {
                try {
                    return gateway.post(body, null, false);
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            // the negative half needs a bound: the hit is queued behind the host's requests
            assertThrows(TimeoutException.class, () -> hit.get(300, TimeUnit.MILLISECONDS));
            host.release.countDown();
            assertEquals("HIT", hit.get(20, TimeUnit.SECONDS).header("x-watchllm-cache"));
        }
    }

    private void startServer(WatchLlmHandler handler) throws Exception {
        pool = new QueuedThreadPool(6, 6);
        pool.setReservedThreads(0);
        server = new Server(pool);
        ServerConnector connector = new ServerConnector(server, 1, 1);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);
        server.setHandler(handler);
        server.start();
    }

    /** Host requests, each holding a pool thread until {@code host.release}, until no pool thread is idle. */
    private List<CompletableFuture<HttpResponse<String>>> occupyEveryPoolThread() throws Exception {
        List<CompletableFuture<HttpResponse<String>>> held = new ArrayList<>();
        while (pool.getIdleThreads() > 0) {
            assertTrue(held.size() < pool.getMaxThreads(), "more host requests than threads, and still idle ones");
            held.add(client.sendAsync(HttpRequest.newBuilder(URI.create(root() + "/host")).build(), HttpResponse.BodyHandlers.ofString()));
            assertNotNull(host.entered.poll(20, TimeUnit.SECONDS), "a host request never reached the host");
        }
        return held;
    }

    private String root() {
        return "http://127.0.0.1:" + ((ServerConnector) server.getConnectors()[0]).getLocalPort();
    }

    private static String chat(String prompt) {
        return "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"" + prompt + "\"}]}";
    }

    /** A host whose requests block their thread (as servlets do) until released. */
    static final class BusyHost extends Handler.Abstract {
        static final String TEXT = "host answer";
        final BlockingQueue<String> entered = new LinkedBlockingQueue<>();
        final CountDownLatch release = new CountDownLatch(1);

        @Override
        public boolean handle(Request request, Response response, Callback callback) throws Exception {
            entered.add(Request.getPathInContext(request));
            release.await();
            response.write(true, ByteBuffer.wrap(TEXT.getBytes(StandardCharsets.UTF_8)), callback);
            return true;
        }
    }

    /** One keep-alive connection to the server, opened (and used once) before the pool is full. */
    private final class KeptConnection implements AutoCloseable {
        record Answer(int status, java.util.Map<String, String> headers, String body) {
            String header(String name) {
                return headers.get(name);
            }
        }

        private final java.net.Socket socket;
        private final java.io.InputStream in;

        KeptConnection() throws java.io.IOException {
            socket = new java.net.Socket("127.0.0.1", ((ServerConnector) server.getConnectors()[0]).getLocalPort());
            socket.setSoTimeout(20_000);
            in = new java.io.BufferedInputStream(socket.getInputStream());
        }

        Answer post(String body, String cacheControl, boolean bodyApart) throws java.io.IOException {
            byte[] b = body.getBytes(StandardCharsets.UTF_8);
            String head = "POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + config.key
                    + "\r\nContent-Type: application/json\r\nContent-Length: " + b.length
                    + (cacheControl != null ? "\r\nCache-Control: " + cacheControl : "") + "\r\n\r\n";
            java.io.OutputStream out = socket.getOutputStream();
            if (bodyApart) {
                out.write(head.getBytes(StandardCharsets.US_ASCII));
                out.flush();
                out.write(b);
            } else {
                byte[] whole = java.util.Arrays.copyOf(head.getBytes(StandardCharsets.US_ASCII), head.length() + b.length);
                System.arraycopy(b, 0, whole, head.length(), b.length);
                out.write(whole);
            }
            out.flush();
            String status = line();
            java.util.Map<String, String> headers = new java.util.HashMap<>();
            for (String l = line(); !l.isEmpty(); l = line()) {
                int colon = l.indexOf(':');
                headers.put(l.substring(0, colon).trim().toLowerCase(java.util.Locale.ROOT), l.substring(colon + 1).trim());
            }
            byte[] content = in.readNBytes(Integer.parseInt(headers.get("content-length")));
            return new Answer(Integer.parseInt(status.split(" ")[1]), headers, new String(content, StandardCharsets.UTF_8));
        }

        private String line() throws java.io.IOException {
            StringBuilder sb = new StringBuilder();
            int c;
            while ((c = in.read()) != '\n') {
                if (c < 0) throw new java.io.EOFException("the connection closed mid-answer");
                if (c != '\r') sb.append((char) c);
            }
            return sb.toString();
        }

        @Override
        public void close() throws java.io.IOException {
            socket.close();
        }
    }
}
