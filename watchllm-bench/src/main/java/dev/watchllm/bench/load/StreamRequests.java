package dev.watchllm.bench.load;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.jetty.client.BytesRequestContent;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.client.Response;
import org.eclipse.jetty.client.Result;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * What the stream clients share: their command line ({@code --url}, repeated {@code --header "Name: value"},
 * {@code --model}), a Jetty client sized for them, and one streamed chat request whose outcome is
 * checked (status 200, every event, {@code [DONE]} last).
 */
final class StreamRequests implements AutoCloseable {
    final String url;
    final List<String[]> headers = new ArrayList<>();
    final byte[] body;
    final HttpClient client;

    StreamRequests(String url, List<String> headerLines, String model, int maxConnections) throws Exception {
        this.url = url;
        for (String h : headerLines) {
            int c = h.indexOf(':');
            if (c <= 0) throw new IllegalArgumentException("--header wants 'Name: value', got: " + h);
            headers.add(new String[] {h.substring(0, c).trim(), h.substring(c + 1).trim()});
        }
        this.body = ("{\"model\":\"" + model + "\",\"stream\":true,\"messages\":[{\"role\":\"system\",\"content\":\"You are terse.\"},"
                + "{\"role\":\"user\",\"content\":\"Say hello to the benchmark.\"}]}").getBytes(StandardCharsets.UTF_8);
        QueuedThreadPool pool = new QueuedThreadPool(64, 4);
        pool.setName("stream-client");
        pool.setDaemon(true);
        client = new HttpClient();
        client.setExecutor(pool);
        client.setMaxConnectionsPerDestination(maxConnections);
        client.setMaxRequestsQueuedPerDestination(maxConnections * 2);
        client.setConnectTimeout(10_000);
        client.setFollowRedirects(false);
        client.getContentDecoderFactories().clear();
        client.start();
    }

    /** Sends one streamed request; {@code outcome} gets exactly one call, on a client thread. */
    void send(long timeoutMs, Outcome outcome) {
        Request r = client.newRequest(url).method("POST").idleTimeout(timeoutMs, java.util.concurrent.TimeUnit.MILLISECONDS);
        r.headers(h -> {
            for (String[] kv : headers) h.put(kv[0], kv[1]);
            h.put("Accept", "text/event-stream");
        });
        r.body(new BytesRequestContent("application/json", body));
        long start = System.nanoTime();
        r.send(new Response.Listener() {
            private final StringBuilder text = new StringBuilder(4096);
            private long firstByte;

            @Override
            public void onContent(Response response, ByteBuffer content) {
                if (firstByte == 0 && content.hasRemaining()) firstByte = System.nanoTime();
                if (text.length() < 1 << 20) text.append(StandardCharsets.UTF_8.decode(content));
            }

            @Override
            public void onComplete(Result result) {
                long end = System.nanoTime();
                String problem = null;
                if (result.isFailed()) {
                    problem = "failed: " + result.getFailure().getClass().getSimpleName();
                } else if (result.getResponse().getStatus() != 200) {
                    problem = "status " + result.getResponse().getStatus();
                }
                int events = 0;
                boolean done = false;
                String error = null;
                if (problem == null) {
                    for (String line : text.toString().split("\n")) {
                        if (!line.startsWith("data:")) continue;
                        events++;
                        String data = line.substring(5).trim();
                        done = data.equals("[DONE]");
                        if (data.startsWith("{\"error\"") && error == null) error = errorCode(data);
                    }
                    if (error != null) problem = "error event: " + error;
                    else if (!done) problem = "no [DONE]";
                }
                outcome.ended(problem, events, firstByte == 0 ? -1 : firstByte - start, end - start);
            }
        });
    }

    /** The {@code code} of an OpenAI-shaped error, else "?". */
    private static String errorCode(String json) {
        int i = json.indexOf("\"code\":\"");
        if (i < 0) return "?";
        int s = i + 8;
        int e = json.indexOf('"', s);
        return e < 0 ? "?" : json.substring(s, e);
    }

    /** How one request ended. */
    @FunctionalInterface
    interface Outcome {
        /** {@code problem} is null for a good stream; times in nanoseconds (first byte -1 when none came). */
        void ended(String problem, int events, long firstByteNanos, long totalNanos);
    }

    static long percentile(long[] sorted, int count, double p) {
        if (count == 0) return 0;
        int i = (int) Math.ceil(p / 100.0 * count) - 1;
        return sorted[Math.max(0, Math.min(count - 1, i))];
    }

    @Override
    public void close() throws Exception {
        client.stop();
    }

    /** Parses {@code --name value} flags; {@code --header} may repeat. */
    static final class Flags {
        final List<String> headers = new ArrayList<>();
        private final java.util.Map<String, String> values = new java.util.HashMap<>();

        Flags(String[] args, String usage) {
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                if (!a.startsWith("--") || i + 1 >= args.length) {
                    System.err.println(usage);
                    System.exit(2);
                }
                if (a.equals("--header")) headers.add(args[++i]);
                else values.put(a.substring(2), args[++i]);
            }
        }

        String get(String name, String dflt) {
            return values.getOrDefault(name, dflt);
        }

        String require(String name) {
            String v = values.get(name);
            if (v == null) throw new IllegalArgumentException("--" + name + " is required");
            return v;
        }
    }
}
