package dev.watchllm.bench;

import dev.watchllm.http.Exchange;
import java.io.ByteArrayInputStream;
import java.io.InputStream;

/**
 * An {@link Exchange} for one in-process request: a POST with an {@code Authorization} header and a
 * body; the response is counted (status, headers, bytes), not kept, and every write is taken at
 * once. Stands where a container's request would, so an engine benchmark measures the engine.
 */
final class InProcessExchange implements Exchange {
    private final String path;
    private final String authorization;
    private final byte[] body;
    int status;
    int headers;
    String cacheStatus;
    long bytes;
    boolean ended;
    boolean aborted;

    InProcessExchange(String path, String authorization, byte[] body) {
        this.path = path;
        this.authorization = authorization;
        this.body = body;
    }

    @Override public String method() { return "POST"; }
    @Override public String path() { return path; }
    @Override public String query() { return null; }
    @Override public long contentLength() { return body.length; }
    @Override public InputStream body() { return new ByteArrayInputStream(body); }
    /** Read before the engine sees it, as the Servlet and Jetty adapters do. */
    @Override public byte[] bodyBytes() { return body; }

    @Override
    public String header(String name) {
        if ("Authorization".equalsIgnoreCase(name)) return authorization;
        if ("Content-Type".equalsIgnoreCase(name)) return "application/json";
        return null;
    }

    @Override
    public void status(int code) {
        status = code;
    }

    @Override
    public void header(String name, String value) {
        headers++;
        if (name.equals("X-WatchLLM-Cache")) cacheStatus = value;
    }

    @Override
    public void write(byte[] b, boolean flush, Runnable written) {
        bytes += b.length;
        if (written != null) written.run();
    }

    @Override
    public void end() {
        ended = true;
    }

    @Override
    public void abort() {
        aborted = true;
    }

    @Override
    public void onClientGone(Runnable callback) {
        // an in-process client never goes away
    }
}
