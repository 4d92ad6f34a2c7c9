package dev.watchllm.internal;

import dev.watchllm.http.Exchange;
import java.io.IOException;
import java.io.InputStream;

/**
 * An exchange that reports its abort: a call cancelled because its client went away ends
 * without a settle step, and the cache must still release the identical requests waiting on it.
 */
final class WatchedExchange implements Exchange {
    private final Exchange ex;
    private final Runnable onAbort;

    WatchedExchange(Exchange ex, Runnable onAbort) {
        this.ex = ex;
        this.onAbort = onAbort;
    }

    @Override public String method() { return ex.method(); }
    @Override public String path() { return ex.path(); }
    @Override public String query() { return ex.query(); }
    @Override public String header(String name) { return ex.header(name); }
    @Override public long contentLength() { return ex.contentLength(); }
    @Override public InputStream body() throws IOException { return ex.body(); }
    @Override public void status(int code) { ex.status(code); }
    @Override public void header(String name, String value) { ex.header(name, value); }
    @Override public void write(byte[] bytes, boolean flush, Runnable written) { ex.write(bytes, flush, written); }
    @Override public void end() { ex.end(); }
    @Override public void onClientGone(Runnable callback) { ex.onClientGone(callback); }

    @Override
    public void abort() {
        try {
            onAbort.run();
        } finally {
            ex.abort();
        }
    }
}
