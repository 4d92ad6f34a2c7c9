package dev.watchllm.bench.load;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.PreEncodedHttpField;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Promise;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * The provider of the load runs: an OpenAI-compatible server that answers every
 * {@code POST /v1/chat/completions} with the same completion, plain or (for {@code "stream": true})
 * as SSE with {@code chunks} content chunks, optionally {@code intervalMs} apart. It must never be
 * the bottleneck, so it is a non-blocking Jetty 12 core handler over pre-built bytes: measured here
 * with wrk at 16,000 / 59,500 requests/s (1 / 16 connections) against 6,600 / 24,700 for the JDK's
 * {@code com.sun.net.httpserver} (with {@code sun.net.httpserver.nodelay=true}; without it, 44 ms each).
 *
 * <pre>
 * java -cp benchmarks.jar dev.watchllm.bench.load.TrivialProvider [--port N] [--host ADDR] [--chunks N] [--interval-ms N]
 * </pre>
 *
 * {@code --port 0} (the default) takes a free port; the first line printed names the base URL.
 */
public final class TrivialProvider implements AutoCloseable {
    private static final HttpField JSON = new PreEncodedHttpField(HttpHeader.CONTENT_TYPE, "application/json");
    private static final HttpField EVENT_STREAM = new PreEncodedHttpField(HttpHeader.CONTENT_TYPE, "text/event-stream");
    private static final HttpField NO_CACHE = new PreEncodedHttpField(HttpHeader.CACHE_CONTROL, "no-cache");
    private static final byte[] STREAM = ascii("\"stream\"");
    private static final byte[] INCLUDE_USAGE = ascii("\"include_usage\"");

    private final Server server;
    private final ServerConnector connector;
    private final ScheduledThreadPoolExecutor timer;
    private final OpenAiBodies bodies;
    private final long intervalMs;
    private final HttpField completionLength;
    private final HttpField modelsLength;

    public TrivialProvider(String host, int port, int chunks, long intervalMs) throws Exception {
        this.bodies = new OpenAiBodies(chunks);
        this.intervalMs = intervalMs;
        this.completionLength = new PreEncodedHttpField(HttpHeader.CONTENT_LENGTH, Integer.toString(bodies.completion.length));
        this.modelsLength = new PreEncodedHttpField(HttpHeader.CONTENT_LENGTH, Integer.toString(bodies.models.length));
        this.timer = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "provider-timer");
            t.setDaemon(true);
            return t;
        });
        QueuedThreadPool pool = new QueuedThreadPool(200, 4);
        pool.setName("provider");
        server = new Server(pool);
        HttpConfiguration http = new HttpConfiguration();
        http.setSendServerVersion(false);
        http.setSendDateHeader(false);
        // one selector per core (Jetty's default is half the cores), as the Jetty sample has: the same footing
        connector = new ServerConnector(server, -1, Runtime.getRuntime().availableProcessors(), new HttpConnectionFactory(http));
        connector.setHost(host);
        connector.setPort(port);
        connector.setAcceptQueueSize(4096);
        server.addConnector(connector);
        server.setHandler(new Handler.Abstract.NonBlocking() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) {
                return serve(request, response, callback);
            }
        });
        server.start();
    }

    public int port() {
        return connector.getLocalPort();
    }

    /** The base URL to configure as an upstream, e.g. {@code http://127.0.0.1:PORT/v1}. */
    public String baseUrl() {
        return "http://" + connector.getHost() + ":" + port() + "/v1";
    }

    private boolean serve(Request request, Response response, Callback callback) {
        String path = request.getHttpURI().getPath();
        String method = request.getMethod();
        if ("/v1/chat/completions".equals(path) && "POST".equals(method)) {
            Content.Source.asByteBuffer(request, new Promise<>() {
                @Override
                public void succeeded(ByteBuffer body) {
                    answerChat(body, response, callback);
                }

                @Override
                public void failed(Throwable x) {
                    callback.failed(x);
                }
            });
            return true;
        }
        if ("/v1/models".equals(path) && "GET".equals(method)) {
            response.getHeaders().put(JSON).put(modelsLength);
            response.write(true, ByteBuffer.wrap(bodies.models), callback);
            return true;
        }
        Response.writeError(request, response, callback, 404, "not served by the trivial provider");
        return true;
    }

    private void answerChat(ByteBuffer body, Response response, Callback callback) {
        if (!flagIsTrue(body, STREAM)) {
            response.getHeaders().put(JSON).put(completionLength);
            response.write(true, ByteBuffer.wrap(bodies.completion), callback);
            return;
        }
        response.getHeaders().put(EVENT_STREAM).put(NO_CACHE);
        byte[][] events = flagIsTrue(body, INCLUDE_USAGE) ? bodies.eventsWithUsage : bodies.events;
        new EventWriter(response, callback, events).succeeded();
    }

    /** Writes one event per write, as a provider flushes tokens; {@code intervalMs} apart when set. */
    private final class EventWriter implements Callback {
        private final Response response;
        private final Callback done;
        private final byte[][] events;
        private int next;

        EventWriter(Response response, Callback done, byte[][] events) {
            this.response = response;
            this.done = done;
            this.events = events;
        }

        @Override
        public void succeeded() {
            if (next == events.length) {
                done.succeeded();
                return;
            }
            if (next > 0 && intervalMs > 0) {
                timer.schedule(this::writeNext, intervalMs, TimeUnit.MILLISECONDS);
            } else {
                writeNext();
            }
        }

        private void writeNext() {
            int i = next++;
            response.write(i == events.length - 1, ByteBuffer.wrap(events[i]), this);
        }

        @Override
        public void failed(Throwable x) {
            done.failed(x);
        }
    }

    /** True when the JSON body has {@code "name": true} (a byte scan: the provider must stay cheap). */
    static boolean flagIsTrue(ByteBuffer body, byte[] name) {
        int end = body.limit();
        outer:
        for (int i = body.position(); i <= end - name.length; i++) {
            for (int k = 0; k < name.length; k++) {
                if (body.get(i + k) != name[k]) continue outer;
            }
            int p = skipSpaces(body, i + name.length, end);
            if (p >= end || body.get(p) != ':') continue;
            p = skipSpaces(body, p + 1, end);
            return p + 4 <= end && body.get(p) == 't' && body.get(p + 1) == 'r' && body.get(p + 2) == 'u' && body.get(p + 3) == 'e';
        }
        return false;
    }

    private static int skipSpaces(ByteBuffer b, int p, int end) {
        while (p < end && (b.get(p) == ' ' || b.get(p) == '\n' || b.get(p) == '\r' || b.get(p) == '\t')) p++;
        return p;
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    @Override
    public void close() throws Exception {
        server.stop();
        timer.shutdownNow();
    }

    public static void main(String[] args) throws Exception {
        String host = "127.0.0.1";
        int port = 0;
        int chunks = 16;
        long intervalMs = 0;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--port": port = Integer.parseInt(args[++i]); break;
                case "--host": host = args[++i]; break;
                case "--chunks": chunks = Integer.parseInt(args[++i]); break;
                case "--interval-ms": intervalMs = Long.parseLong(args[++i]); break;
                default:
                    System.err.println("Usage: TrivialProvider [--port N] [--host ADDR] [--chunks N] [--interval-ms N]");
                    System.exit(2);
            }
        }
        TrivialProvider p = new TrivialProvider(host, port, chunks, intervalMs);
        System.out.println("TrivialProvider listening on " + p.baseUrl() + " (stream: " + chunks + " chunks, " + intervalMs + " ms apart)");
        System.out.flush();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                p.close();
            } catch (Exception ignored) {
                // exiting anyway
            }
            stopped.countDown();
        }));
        stopped.await();
    }
}
