package dev.watchllm.jetty;

import dev.watchllm.http.ClientGone;
import dev.watchllm.http.Exchange;
import dev.watchllm.http.ReadAhead;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.io.EofException;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.IteratingCallback;
import org.eclipse.jetty.util.thread.Invocable;

/**
 * An {@link Exchange} over a Jetty 12 core request. The body is read without blocking before the
 * engine sees the exchange; the engine's writes are queued and handed to the connection one at
 * a time (Jetty takes one write at a time), each {@code written} callback running once its bytes
 * went out, so a slow client slows the upstream down. A write that completes the declared
 * {@code Content-Length}, or is followed by the end, is Jetty's last write: a whole answer then
 * leaves in one write with its length, not as a chunked body.
 */
final class JettyExchange implements Exchange {
    private static final Object END = new Object();
    private static final byte[] NONE = new byte[0];

    private final Request request;
    private final Response response;
    private final Callback done;
    private final String path;
    private final Object hostContext;
    private final Writer writer = new Writer();
    private final AtomicBoolean finished = new AtomicBoolean();
    private final ClientGone gone = new ClientGone();
    private final ReadAhead readAhead = new ReadAhead();

    // guarded by this
    private final ArrayDeque<Object> queue = new ArrayDeque<>();
    // response headers not yet handed to Jetty: name, value, name, value...; see header()
    private String[] headers = new String[32];
    private int headerCount;
    private volatile boolean headersHanded;

    private record Chunk(byte[] bytes, Runnable written) {
    }

    JettyExchange(Request request, Response response, Callback done, String path, Object hostContext) {
        this.request = request;
        this.response = response;
        this.done = done;
        this.path = path;
        this.hostContext = hostContext;
        request.addFailureListener(failure -> gone());
        // the connection's idle timeout while the engine waits (a slow provider): the client is treated as gone
        request.addIdleTimeoutListener(timeout -> {
            gone();
            return true;
        });
    }

    @Override public Object hostContext() { return hostContext; }
    @Override public String method() { return request.getMethod(); }
    @Override public String path() { return path; }
    @Override public String query() { return request.getHttpURI().getQuery(); }
    @Override public String header(String name) { return request.getHeaders().get(name); }
    @Override public long contentLength() { return request.getLength(); }

    @Override
    public byte[] bodyBytes() throws IOException {
        return readAhead.bytes();
    }

    @Override
    public InputStream body() throws IOException {
        return readAhead.stream(Content.Source.asInputStream(request));
    }

    /**
     * Reads the body as it arrives, up to {@code limit + 1} bytes (enough for the engine to see it
     * is too large), then runs {@code then}. A body over the limit is read and dropped up to
     * {@link Exchange#drainLimit}; one declared larger is not read: the engine refuses it from its
     * declared length. {@code then} runs on the thread that read the last chunk: with
     * {@code NON_BLOCKING}, Jetty may call the reader (and so {@code then}) on its selector thread
     * when the body arrives after the headers; {@code then} must then not block.
     */
    void readBodyThen(long limit, Invocable.InvocationType invocation, Runnable then) {
        long declared = request.getLength();
        long drainLimit = Exchange.drainLimit(limit);
        if (declared > drainLimit) {
            then.run();
            return;
        }
        new BodyReader(limit + 1, drainLimit, declared >= 0 && declared <= limit ? (int) declared : 1024, invocation, then).run();
    }

    /** Reads chunks while Jetty has them, then asks to be called again when more arrive. */
    private final class BodyReader implements Runnable, Invocable {
        private final long cap;
        private final long drainLimit;
        private final InvocationType invocation;
        private final Runnable then;
        private byte[] buf;
        private int size;
        private long total;

        BodyReader(long cap, long drainLimit, int expected, InvocationType invocation, Runnable then) {
            this.cap = cap;
            this.invocation = invocation;
            this.drainLimit = drainLimit;
            this.buf = new byte[expected];
            this.then = then;
        }

        @Override
        public InvocationType getInvocationType() {
            return invocation;
        }

        @Override
        public void run() {
            while (true) {
                Content.Chunk chunk = request.read();
                if (chunk == null) {
                    request.demand(this);
                    return;
                }
                if (Content.Chunk.isFailure(chunk)) {
                    readAhead.failed(chunk.getFailure());
                    finish();
                    return;
                }
                ByteBuffer b = chunk.getByteBuffer();
                int n = b.remaining();
                total += n;
                int keep = (int) Math.min(n, cap - size); // past the limit the engine answers 413: the rest is dropped
                if (keep > 0) {
                    if (size + keep > buf.length) buf = Arrays.copyOf(buf, Math.max(size + keep, buf.length * 2));
                    b.get(buf, size, keep);
                    size += keep;
                }
                boolean last = chunk.isLast();
                chunk.release();
                if (last || total > drainLimit) {
                    finish();
                    return;
                }
            }
        }

        private void finish() {
            readAhead.done(size == buf.length ? buf : Arrays.copyOf(buf, size));
            then.run();
        }
    }

    @Override
    public void status(int code) {
        response.setStatus(code);
    }

    /**
     * Kept here until the first write, then handed to Jetty in one pass ({@link #handHeaders}): a
     * Jetty {@code put} searches the response's whole field list, by case-insensitive name, for
     * every one of the dozen headers an answer carries. The engine sets every header before its
     * first write, on the thread that then writes; one set later goes straight to Jetty.
     */
    @Override
    public void header(String name, String value) {
        if (headersHanded) {
            response.getHeaders().put(name, value);
            return;
        }
        String[] h = headers;
        for (int i = 0; i < headerCount; i += 2) {
            String n = h[i];
            if (n == name || n.equalsIgnoreCase(name)) {
                h[i + 1] = value;
                return;
            }
        }
        if (headerCount == h.length) headers = h = Arrays.copyOf(h, h.length * 2);
        h[headerCount++] = name;
        h[headerCount++] = value;
    }

    /** Gives Jetty the headers kept so far; runs once, before the first write. */
    private void handHeaders() {
        if (headersHanded) return;
        headersHanded = true;
        HttpFields.Mutable fields = response.getHeaders();
        boolean fresh = fields.size() == 0; // nothing set by the host before: no same-named field to replace
        String[] h = headers;
        for (int i = 0; i < headerCount; i += 2) {
            HttpField f = new HttpField(KnownHeaders.of(h[i]), h[i], h[i + 1]);
            if (fresh) fields.add(f);
            else fields.put(f);
        }
    }

    @Override
    public void write(byte[] bytes, boolean flush, Runnable written) {
        // every write goes out at once: Jetty's core response does not hold bytes back
        enqueue(new Chunk(bytes, written));
    }

    @Override
    public void end() {
        enqueue(END);
    }

    @Override
    public void abort() {
        synchronized (this) {
            queue.clear();
        }
        if (finished.compareAndSet(false, true)) {
            // failing the callback of a committed response closes the connection without a normal end
            done.failed(new EofException("aborted"));
        }
    }

    @Override
    public void onClientGone(Runnable callback) {
        gone.register(callback);
    }

    private void enqueue(Object item) {
        if (finished.get()) {
            if (item instanceof Chunk c && c.written != null) c.written.run();
            return;
        }
        synchronized (this) {
            queue.add(item);
        }
        writer.iterate();
    }

    private void gone() {
        gone.signal();
    }

    /** Hands the queue to the connection, one write at a time, without recursing when a write completes at once. */
    private final class Writer extends IteratingCallback {
        private Runnable written; // of the write in flight
        private long declaredLength = -2; // -2: not read yet, -1: none
        private long sent;
        private boolean lastSent;
        private boolean endSent;

        private Action complete() {
            if (finished.compareAndSet(false, true)) done.succeeded();
            return Action.SUCCEEDED;
        }

        @Override
        protected Action process() {
            Runnable w = written;
            written = null;
            if (w != null) w.run();
            if (endSent) return complete();
            while (true) {
                Object item;
                boolean endFollows;
                synchronized (JettyExchange.this) {
                    item = queue.poll();
                    if (item == null) return Action.IDLE;
                    endFollows = queue.peek() == END;
                }
                handHeaders();
                if (item == END) {
                    if (lastSent) return complete();
                    lastSent = true;
                    endSent = true;
                    response.write(true, ByteBuffer.wrap(NONE), this);
                    return Action.SCHEDULED;
                }
                Chunk c = (Chunk) item;
                if (lastSent) { // past the declared length: nothing more can go out
                    if (c.written != null) c.written.run();
                    continue;
                }
                if (declaredLength == -2) declaredLength = response.getHeaders().getLongField(HttpHeader.CONTENT_LENGTH);
                sent += c.bytes.length;
                // the last bytes (the end is queued behind them, or they complete the declared length) go as Jetty's
                // last write: a whole answer then leaves in one write with its length, the end right after it
                boolean last = endFollows || (declaredLength >= 0 && sent >= declaredLength);
                if (last) lastSent = true;
                written = c.written;
                response.write(last, ByteBuffer.wrap(c.bytes), this);
                return Action.SCHEDULED;
            }
        }

        @Override
        protected void onCompleteFailure(Throwable cause) {
            Runnable w = written;
            written = null;
            synchronized (JettyExchange.this) {
                queue.clear();
            }
            gone();
            if (finished.compareAndSet(false, true)) done.failed(cause);
            if (w != null) w.run();
        }
    }
}
