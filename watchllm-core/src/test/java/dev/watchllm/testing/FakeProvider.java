package dev.watchllm.testing;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * A real HTTP provider for tests (Jetty 12 core), bound to 127.0.0.1 on a free port. Answers
 * with scripted {@link Behavior}s (queued, then the default), records every request
 * ({@link #takeRequest}) so tests can assert what the gateway really sent, and counts streams
 * the gateway cut off ({@link #brokenStreams()}).
 */
public final class FakeProvider implements AutoCloseable {
    /** One recorded request. */
    public record Recorded(String method, String path, Map<String, String> headers, String body) {
        public String header(String name) {
            return headers.get(name.toLowerCase(java.util.Locale.ROOT));
        }
    }

    /** Answers one request. Must complete {@code callback} (or fail it) eventually. */
    @FunctionalInterface
    public interface Behavior {
        void answer(Request request, Response response, Callback callback, Recorded recorded) throws Exception;
    }

    private final Server server;
    private final ServerConnector connector;
    private final BlockingQueue<Recorded> requests = new LinkedBlockingQueue<>();
    private final ConcurrentLinkedQueue<Behavior> script = new ConcurrentLinkedQueue<>();
    private final AtomicInteger count = new AtomicInteger();
    private final AtomicInteger broken = new AtomicInteger();
    private volatile CountDownLatch brokenLatch = new CountDownLatch(1);
    private volatile Behavior fallback = chat("Hello from the fake provider.");

    public FakeProvider() throws Exception {
        QueuedThreadPool pool = new QueuedThreadPool(400, 8);
        pool.setName("fake-provider");
        server = new Server(pool);
        connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        connector.setAcceptQueueSize(4096);
        server.addConnector(connector);
        server.setHandler(new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) throws Exception {
                String body = Content.Source.asString(request, StandardCharsets.UTF_8);
                Map<String, String> headers = new java.util.HashMap<>();
                for (HttpField f : request.getHeaders()) headers.put(f.getLowerCaseName(), f.getValue());
                Recorded r = new Recorded(request.getMethod(), request.getHttpURI().getPath(), headers, body);
                requests.add(r);
                count.incrementAndGet();
                Behavior b = script.poll();
                (b != null ? b : fallback).answer(request, response, callback, r);
                return true;
            }
        });
        server.start();
    }

    /** Base URL to configure as an upstream, e.g. {@code http://127.0.0.1:PORT/v1}. */
    public String baseUrl() {
        return "http://127.0.0.1:" + connector.getLocalPort() + "/v1";
    }

    public int port() {
        return connector.getLocalPort();
    }

    /** Queues behaviors for the next requests, in order. */
    public FakeProvider enqueue(Behavior... behaviors) {
        script.addAll(List.of(behaviors));
        return this;
    }

    /** The behavior once the queue is empty. */
    public FakeProvider byDefault(Behavior b) {
        this.fallback = b;
        return this;
    }

    public Recorded takeRequest() throws InterruptedException {
        Recorded r = requests.poll(10, TimeUnit.SECONDS);
        if (r == null) throw new AssertionError("the provider received no request within 10s");
        return r;
    }

    /** Requests received so far. */
    public int requestCount() {
        return count.get();
    }

    /** Streams whose writes failed because the gateway closed the connection. */
    public int brokenStreams() {
        return broken.get();
    }

    /** Waits until at least one stream was cut off by the gateway. */
    public boolean awaitBrokenStream(long seconds) throws InterruptedException {
        return brokenLatch.await(seconds, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws Exception {
        server.stop();
    }

    // ---- behaviors ----

    public static String chatJson(String model, String content) {
        return "{\"id\":\"chatcmpl-fake1\",\"object\":\"chat.completion\",\"created\":1733300000,\"model\":\"" + model + "\","
                + "\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"" + content + "\",\"refusal\":null},"
                + "\"logprobs\":null,\"finish_reason\":\"stop\"}],"
                + "\"usage\":{\"prompt_tokens\":12,\"completion_tokens\":7,\"total_tokens\":19,"
                + "\"prompt_tokens_details\":{\"cached_tokens\":0},\"completion_tokens_details\":{\"reasoning_tokens\":0}}}";
    }

    private static String model(Recorded r) {
        int i = r.body().indexOf("\"model\"");
        if (i < 0) return "gpt-4o-mini";
        int s = r.body().indexOf('"', r.body().indexOf(':', i) + 1);
        int e = r.body().indexOf('"', s + 1);
        return r.body().substring(s + 1, e);
    }

    /** A chat completion with {@code content}; the model is echoed from the request. */
    public static Behavior chat(String content) {
        return (req, resp, cb, r) -> json(resp, cb, 200, chatJson(model(r), content));
    }

    /** Any status and JSON body. */
    public static Behavior status(int status, String json) {
        return (req, resp, cb, r) -> json(resp, cb, status, json);
    }

    /** Any status and JSON body with extra headers. */
    public static Behavior status(int status, String json, Map<String, String> headers) {
        return (req, resp, cb, r) -> {
            headers.forEach((k, v) -> resp.getHeaders().put(k, v));
            json(resp, cb, status, json);
        };
    }

    public static Behavior embeddings() {
        return (req, resp, cb, r) -> json(resp, cb, 200, "{\"object\":\"list\",\"data\":[{\"object\":\"embedding\",\"index\":0,"
                + "\"embedding\":[0.1,-0.2,0.3]}],\"model\":\"" + model(r) + "\",\"usage\":{\"prompt_tokens\":3,\"total_tokens\":3}}");
    }

    public static Behavior models(String... ids) {
        StringBuilder sb = new StringBuilder("{\"object\":\"list\",\"data\":[");
        for (int i = 0; i < ids.length; i++) {
            if (i > 0) sb.append(',');
            sb.append("{\"id\":\"").append(ids[i]).append("\",\"object\":\"model\",\"created\":1700000000,\"owned_by\":\"fake\"}");
        }
        String body = sb.append("]}").toString();
        return (req, resp, cb, r) -> json(resp, cb, 200, body);
    }

    /** Never answers (until the connection is closed or the server stops). */
    public static Behavior hang() {
        return (req, resp, cb, r) -> {
        };
    }

    /** The SSE chunks of a chat stream saying {@code words}, with a usage chunk when asked and {@code [DONE]}. */
    public static List<String> chatStreamEvents(String model, boolean usage, String... words) {
        java.util.ArrayList<String> ev = new java.util.ArrayList<>();
        String head = "{\"id\":\"chatcmpl-fake2\",\"object\":\"chat.completion.chunk\",\"created\":1733300000,\"model\":\"" + model + "\",";
        String u = usage ? ",\"usage\":null" : "";
        ev.add("data: " + head + "\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"},\"finish_reason\":null}]" + u + "}\n\n");
        for (String w : words) {
            ev.add("data: " + head + "\"choices\":[{\"index\":0,\"delta\":{\"content\":\"" + w + "\"},\"finish_reason\":null}]" + u + "}\n\n");
        }
        ev.add("data: " + head + "\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]" + u + "}\n\n");
        if (usage) {
            ev.add("data: " + head + "\"choices\":[],\"usage\":{\"prompt_tokens\":12,\"completion_tokens\":" + words.length
                    + ",\"total_tokens\":" + (12 + words.length) + "}}\n\n");
        }
        ev.add("data: [DONE]\n\n");
        return ev;
    }

    /** A chat stream; the usage chunk is sent when the request asked for it. */
    public static Behavior stream(String... words) {
        return streamEvery(0, words);
    }

    /** A chat stream with {@code gapMs} between events (timed by Jetty's scheduler, no sleeping). */
    public static Behavior streamEvery(long gapMs, String... words) {
        return (req, resp, cb, r) -> {
            boolean usage = r.body().contains("\"include_usage\":true");
            List<String> events = chatStreamEvents(model(r), usage, words);
            resp.setStatus(200);
            resp.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/event-stream; charset=utf-8");
            writeEvents(req, resp, cb, events, 0, gapMs, -1, null);
        };
    }

    /** Sends the first {@code before} events of a stream, then closes the connection abruptly. */
    public static Behavior resetAfter(int before, String... words) {
        return (req, resp, cb, r) -> {
            List<String> events = chatStreamEvents(model(r), true, words);
            resp.setStatus(200);
            resp.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/event-stream; charset=utf-8");
            writeEvents(req, resp, cb, events, 0, 0, before, null);
        };
    }

    private static void writeEvents(Request req, Response resp, Callback cb, List<String> events, int i, long gapMs, int resetAt,
                                    FakeProvider self) {
        if (i == resetAt) {
            req.getConnectionMetaData().getConnection().getEndPoint().close();
            cb.failed(new java.io.IOException("reset by the fake provider"));
            return;
        }
        if (i == events.size()) {
            resp.write(true, null, cb);
            return;
        }
        boolean last = i == events.size() - 1;
        resp.write(false, ByteBuffer.wrap(events.get(i).getBytes(StandardCharsets.UTF_8)), new Callback() {
            @Override
            public void succeeded() {
                if (last) {
                    resp.write(true, null, cb);
                } else if (gapMs > 0) {
                    req.getComponents().getScheduler().schedule(() -> writeEvents(req, resp, cb, events, i + 1, gapMs, resetAt, self),
                            gapMs, TimeUnit.MILLISECONDS);
                } else {
                    writeEvents(req, resp, cb, events, i + 1, gapMs, resetAt, self);
                }
            }

            @Override
            public void failed(Throwable x) {
                cb.failed(x);
            }
        });
    }

    /** A stream of {@code n} events {@code gapMs} apart that counts it when the gateway cuts it off. */
    public Behavior endlessStream(long gapMs) {
        return (req, resp, cb, r) -> {
            resp.setStatus(200);
            resp.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/event-stream; charset=utf-8");
            tick(req, resp, cb, gapMs, 0);
        };
    }

    private void tick(Request req, Response resp, Callback cb, long gapMs, int n) {
        String ev = "data: {\"id\":\"chatcmpl-endless\",\"object\":\"chat.completion.chunk\",\"created\":1733300000,\"model\":\"gpt-4o-mini\","
                + "\"choices\":[{\"index\":0,\"delta\":{\"content\":\"tick" + n + " \"},\"finish_reason\":null}]}\n\n";
        resp.write(false, ByteBuffer.wrap(ev.getBytes(StandardCharsets.UTF_8)), new Callback() {
            @Override
            public void succeeded() {
                req.getComponents().getScheduler().schedule(() -> tick(req, resp, cb, gapMs, n + 1), gapMs, TimeUnit.MILLISECONDS);
            }

            @Override
            public void failed(Throwable x) {
                broken.incrementAndGet();
                brokenLatch.countDown();
                cb.failed(x);
            }
        });
    }

    static void json(Response resp, Callback cb, int status, String json) {
        resp.setStatus(status);
        resp.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        resp.write(true, ByteBuffer.wrap(json.getBytes(StandardCharsets.UTF_8)), cb);
    }
}
