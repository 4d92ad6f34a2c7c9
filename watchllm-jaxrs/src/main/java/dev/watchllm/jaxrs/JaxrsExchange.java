package dev.watchllm.jaxrs;

import dev.watchllm.http.ClientGone;
import dev.watchllm.http.Exchange;
import jakarta.ws.rs.container.AsyncResponse;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * An {@link Exchange} over a suspended JAX-RS request. Status and headers are collected until the
 * first byte or the end; a body that arrives whole (its length equals {@code Content-Length}) is
 * answered as one response, anything else is streamed through the runtime's {@link Delivery}.
 */
final class JaxrsExchange implements Exchange {
    private final String method;
    private final String path;
    private final String query;
    private final HttpHeaders requestHeaders;
    private final InputStream body;
    private final Delivery delivery;
    private final ClientGone gone = new ClientGone();
    private final Map<String, String[]> headers = new LinkedHashMap<>();
    private int status = 200;
    private boolean started;
    private boolean streaming;

    JaxrsExchange(String method, String path, String query, HttpHeaders requestHeaders, InputStream body, AsyncResponse async,
                  Delivery.Factory deliveries) {
        this.method = method;
        this.path = path;
        this.query = query;
        this.requestHeaders = requestHeaders;
        this.body = body;
        this.delivery = deliveries.open(async, this::clientGone);
    }

    @Override public String method() { return method; }
    @Override public String path() { return path; }
    @Override public String query() { return query; }
    @Override public long contentLength() { return requestHeaders.getLength(); }
    @Override public InputStream body() { return body; }

    @Override
    public String header(String name) {
        List<String> v = requestHeaders.getRequestHeader(name);
        return v == null || v.isEmpty() ? null : v.get(0);
    }

    @Override
    public synchronized void status(int code) {
        this.status = code;
    }

    @Override
    public synchronized void header(String name, String value) {
        headers.put(name.toLowerCase(Locale.ROOT), new String[] {name, value});
    }

    @Override
    public void write(byte[] bytes, boolean flush, Runnable written) {
        boolean whole;
        Response.ResponseBuilder head;
        synchronized (this) {
            if (streaming) {
                head = null;
                whole = false;
            } else if (started) {
                Delivery.run(written); // a whole answer was sent; the engine writes nothing after one
                return;
            } else {
                started = true;
                String length = headerValue("content-length");
                whole = length != null && length.equals(Integer.toString(bytes.length));
                streaming = !whole;
                head = head();
            }
        }
        if (head == null) {
            delivery.write(bytes, flush, written);
        } else if (whole) {
            delivery.send(head.entity(bytes).build(), written);
        } else {
            delivery.stream(head);
            delivery.write(bytes, flush, written);
        }
    }

    @Override
    public void end() {
        Response.ResponseBuilder head = null;
        boolean stream;
        synchronized (this) {
            stream = streaming;
            if (!started) {
                started = true;
                head = head();
            }
        }
        if (stream) {
            delivery.end();
        } else if (head != null) {
            delivery.send(head.build(), null);
        }
    }

    @Override
    public void abort() {
        boolean stream;
        Response.ResponseBuilder head = null;
        synchronized (this) {
            stream = streaming;
            if (!started) {
                started = true;
                head = Response.status(Response.Status.SERVICE_UNAVAILABLE);
            }
        }
        if (stream) {
            delivery.abort();
        } else if (head != null) {
            delivery.send(head.build(), null); // the client is gone; this only releases the suspended request
        }
    }

    @Override
    public void onClientGone(Runnable callback) {
        gone.register(callback);
    }

    private void clientGone() {
        gone.signal();
    }

    private String headerValue(String lowerName) {
        String[] h = headers.get(lowerName);
        return h == null ? null : h[1];
    }

    private Response.ResponseBuilder head() {
        Response.ResponseBuilder b = Response.status(status);
        for (String[] h : headers.values()) b.header(h[0], h[1]);
        return b;
    }
}
