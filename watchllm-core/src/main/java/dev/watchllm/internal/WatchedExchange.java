package dev.watchllm.internal;

import dev.watchllm.http.Exchange;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * The exchange of a call that leads a cache flight. It reports two moments the settle step cannot
 * see: the last bytes of a complete answer going out (a whole plain body, or the write that
 * carries {@code [DONE]}), reported just before they are handed over; and an abort (the client
 * went away), which ends a call without any settle step.
 */
final class WatchedExchange implements Exchange {
    private static final byte[] DONE = "[DONE]\n\n".getBytes(StandardCharsets.US_ASCII);

    private final Exchange ex;
    private final Runnable onAnswered;
    private final Runnable onAbort;
    private volatile boolean wholeBody;

    WatchedExchange(Exchange ex, Runnable onAnswered, Runnable onAbort) {
        this.ex = ex;
        this.onAnswered = onAnswered;
        this.onAbort = onAbort;
    }

    @Override public String method() { return ex.method(); }
    @Override public String path() { return ex.path(); }
    @Override public String query() { return ex.query(); }
    @Override public String header(String name) { return ex.header(name); }
    @Override public long contentLength() { return ex.contentLength(); }
    @Override public InputStream body() throws IOException { return ex.body(); }
    @Override public byte[] bodyBytes() throws IOException { return ex.bodyBytes(); }
    @Override public void status(int code) { ex.status(code); }
    @Override public void onClientGone(Runnable callback) { ex.onClientGone(callback); }

    @Override
    public void header(String name, String value) {
        if ("Content-Length".equalsIgnoreCase(name)) wholeBody = true; // a buffered answer: written at once
        ex.header(name, value);
    }

    @Override
    public void write(byte[] bytes, boolean flush, Runnable written) {
        if (wholeBody || endsWith(bytes, DONE)) onAnswered.run();
        ex.write(bytes, flush, written);
    }

    @Override
    public void end() {
        onAnswered.run();
        ex.end();
    }

    @Override
    public void abort() {
        try {
            onAbort.run();
        } finally {
            ex.abort();
        }
    }

    private static boolean endsWith(byte[] a, byte[] suffix) {
        if (a.length < suffix.length) return false;
        for (int i = 0; i < suffix.length; i++) {
            if (a[a.length - suffix.length + i] != suffix[i]) return false;
        }
        return true;
    }
}
