package dev.watchllm.http;

import java.io.IOException;
import java.io.InputStream;

/**
 * One HTTP exchange, as an adapter (Servlet filter, JAX-RS resource) hands it to the engine.
 * The adapter has already put the host into asynchronous mode: the engine may finish the
 * exchange from any thread, later. All response methods are non-blocking.
 *
 * <p>Order of calls by the engine: {@link #status}/{@link #header} any number of times, then
 * {@link #write} any number of times, then exactly one of {@link #end} or {@link #abort}.
 */
public interface Exchange {
    String method();

    /** The request path below the host application's context path, starting with '/'. */
    String path();

    /** The raw query string, or null. */
    String query();

    /** The first value of a request header, or null. */
    String header(String name);

    /** The declared request body length, or -1 when unknown (chunked). */
    long contentLength();

    /**
     * How much of a body over {@code maxBody} is read (and dropped) before the 413 goes out:
     * answering while the client is still sending makes TCP reset the connection, and the client
     * would see no answer at all. Larger bodies are answered at once and the connection closed.
     * Adapters that read the body before handing the exchange over read this far, no further.
     */
    static long drainLimit(long maxBody) {
        return Math.min(Math.max(4 * maxBody, 8L << 20), 64L << 20);
    }

    /** The request body. The engine reads it once, bounded by the configured limit. */
    InputStream body() throws IOException;

    /**
     * The request body as the adapter already read it (non-blocking adapters read it before they
     * hand the exchange over), at most the configured limit plus one byte; or null, and the engine
     * reads {@link #body()}. The engine neither copies nor changes the array.
     *
     * @throws IOException when reading the body failed
     */
    default byte[] bodyBytes() throws IOException {
        return null;
    }

    void status(int code);

    /** Sets (replaces) a response header. */
    void header(String name, String value);

    /**
     * Queues bytes for the client. {@code flush} sends them now (one SSE event); otherwise the
     * host may hold them until more arrive. {@code written} (may be null) runs once the host has
     * taken the bytes, which is how a slow client slows the upstream down.
     */
    void write(byte[] bytes, boolean flush, Runnable written);

    /** Ends the response normally, after everything queued has been written. */
    void end();

    /** Ends the response abruptly: the connection is closed without a normal end. */
    void abort();

    /**
     * Registers what to run when the client goes away before {@link #end} (disconnect, write
     * failure, host timeout). Runs at most once, on any thread.
     */
    void onClientGone(Runnable callback);

    /**
     * What {@code WatchLlm.captureHostContext()} returned on the thread that received this request
     * (an instrumented container's trace context), or null. Adapters whose host is instrumented
     * capture it before going asynchronous.
     */
    default Object hostContext() {
        return null;
    }
}
