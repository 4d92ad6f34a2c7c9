package dev.watchllm.servlet;

import dev.watchllm.http.ClientGone;
import dev.watchllm.http.Exchange;
import dev.watchllm.http.ReadAhead;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * An {@link Exchange} over an asynchronous Servlet request. Writes are non-blocking
 * ({@link WriteListener}): bytes are queued and written whenever the container says the
 * connection is ready, so neither a slow client nor a long stream holds a container thread.
 * The {@code written} callbacks run outside the lock, after their bytes were handed over.
 * The request body is read the same way ({@link ReadListener}) before the engine sees the
 * exchange, so a slow upload holds no thread either.
 */
final class ServletExchange implements Exchange, WriteListener, AsyncListener {
    private static final Object END = new Object();

    private final AsyncContext async;
    private final HttpServletRequest req;
    private final HttpServletResponse resp;
    private final String path;
    private final ArrayDeque<Object> queue = new ArrayDeque<>();
    private final AtomicBoolean completed = new AtomicBoolean();
    private ServletOutputStream out;
    private boolean listening;
    private boolean flushPending;
    private final ClientGone gone = new ClientGone();
    private final Object hostContext;
    private final ReadAhead readAhead = new ReadAhead();

    private record Chunk(byte[] bytes, boolean flush, Runnable written) {
    }

    ServletExchange(AsyncContext async, HttpServletRequest req, HttpServletResponse resp, String path, Object hostContext) {
        this.hostContext = hostContext;
        this.async = async;
        this.req = req;
        this.resp = resp;
        this.path = path;
        async.addListener(this);
        // Registered now, on the container's thread: a write from another thread (the upstream's) then goes
        // straight to the connection while it is ready, instead of waiting for a dispatch to a pool thread.
        try {
            out = resp.getOutputStream();
            out.setWriteListener(this);
            listening = true;
        } catch (IOException | IllegalStateException e) {
            // left to the first write, which finds the client gone
        }
    }

    @Override public Object hostContext() { return hostContext; }
    @Override public String method() { return req.getMethod(); }
    @Override public String path() { return path; }
    @Override public String query() { return req.getQueryString(); }
    @Override public String header(String name) { return req.getHeader(name); }
    @Override public long contentLength() { return req.getContentLengthLong(); }

    @Override
    public byte[] bodyBytes() throws IOException {
        return readAhead.bytes();
    }

    @Override
    public InputStream body() throws IOException {
        return readAhead.stream(req.getInputStream());
    }

    /**
     * Reads the body without blocking, up to {@code limit + 1} bytes (enough for the engine to
     * see it is too large), then runs {@code then} on a container thread. A body over the limit is
     * read and dropped up to {@link Exchange#drainLimit}; one declared larger is not read: the
     * engine refuses it from its declared length.
     */
    void readBodyThen(long limit, Runnable then) throws IOException {
        long declared = req.getContentLengthLong();
        long drainLimit = Exchange.drainLimit(limit);
        if (declared > drainLimit) {
            then.run();
            return;
        }
        ServletInputStream in = req.getInputStream();
        long cap = limit + 1;
        ByteArrayOutputStream buf = new ByteArrayOutputStream(declared > 0 && declared <= limit ? (int) declared : 1024);
        AtomicBoolean done = new AtomicBoolean();
        in.setReadListener(new ReadListener() {
            private final byte[] chunk = new byte[8192];
            private long total;

            @Override
            public void onDataAvailable() throws IOException {
                while (in.isReady()) {
                    int n = in.read(chunk, 0, chunk.length);
                    if (n < 0) break;
                    total += n;
                    int keep = (int) Math.min(n, cap - buf.size()); // past the limit the engine answers 413: the rest is dropped
                    if (keep > 0) buf.write(chunk, 0, keep);
                    if (total > drainLimit) {
                        finish();
                        return;
                    }
                }
                if (in.isFinished()) finish();
            }

            @Override
            public void onAllDataRead() {
                finish();
            }

            @Override
            public void onError(Throwable t) {
                readAhead.failed(t);
                finish();
            }

            private void finish() {
                if (!done.compareAndSet(false, true)) return;
                readAhead.done(buf.toByteArray());
                then.run();
            }
        });
    }

    @Override
    public void status(int code) {
        resp.setStatus(code);
    }

    @Override
    public void header(String name, String value) {
        resp.setHeader(name, value);
    }

    @Override
    public void write(byte[] bytes, boolean flush, Runnable written) {
        enqueue(new Chunk(bytes, flush, written));
    }

    @Override
    public void end() {
        enqueue(END);
    }

    @Override
    public void abort() {
        complete();
    }

    @Override
    public void onClientGone(Runnable callback) {
        gone.register(callback);
    }

    private void enqueue(Object item) {
        if (completed.get()) {
            if (item instanceof Chunk c && c.written != null) c.written.run();
            return;
        }
        List<Runnable> done;
        synchronized (this) {
            queue.add(item);
            if (!listening) {
                listening = true;
                try {
                    out = resp.getOutputStream();
                    out.setWriteListener(this); // the container calls onWritePossible when ready
                } catch (IOException | IllegalStateException e) {
                    clientGone();
                }
                return;
            }
            done = drainLocked();
        }
        runAll(done);
    }

    @Override
    public void onWritePossible() {
        List<Runnable> done;
        synchronized (this) {
            done = drainLocked();
        }
        runAll(done);
    }

    /** Writes while the container is ready; returns the callbacks of what was handed over. */
    private List<Runnable> drainLocked() {
        List<Runnable> done = null;
        try {
            while (out.isReady()) {
                if (flushPending) {
                    flushPending = false;
                    out.flush();
                    continue;
                }
                Object item = queue.poll();
                if (item == null) break;
                if (item == END) {
                    completeLocked();
                    break;
                }
                Chunk c = (Chunk) item;
                out.write(c.bytes);
                if (c.flush) flushPending = true;
                if (c.written != null) {
                    if (done == null) done = new ArrayList<>(2);
                    done.add(c.written);
                }
            }
        } catch (IOException | IllegalStateException e) {
            // the connection is gone: the engine stops the upstream
            queue.clear();
            gone();
        }
        return done;
    }

    private static void runAll(List<Runnable> done) {
        if (done == null) return;
        for (Runnable r : done) r.run();
    }

    private void completeLocked() {
        if (completed.compareAndSet(false, true)) {
            try {
                async.complete();
            } catch (IllegalStateException ignored) {
                // already completed by the container (client gone)
            }
        }
    }

    private void complete() {
        synchronized (this) {
            queue.clear();
            completeLocked();
        }
    }

    private void gone() {
        gone.signal();
    }

    private void clientGone() {
        gone();
        complete();
    }

    @Override
    public void onError(Throwable t) {
        clientGone();
    }

    // AsyncListener

    @Override
    public void onComplete(AsyncEvent event) {
        completed.set(true);
        gone();
    }

    @Override
    public void onTimeout(AsyncEvent event) {
        clientGone();
    }

    @Override
    public void onError(AsyncEvent event) {
        clientGone();
    }

    @Override
    public void onStartAsync(AsyncEvent event) {
        // not re-dispatched
    }
}
