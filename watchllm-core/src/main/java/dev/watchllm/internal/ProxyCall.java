package dev.watchllm.internal;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.watchllm.auth.Caller;
import dev.watchllm.config.UpstreamConfig;
import dev.watchllm.http.Exchange;
import dev.watchllm.observe.CallObservation;
import dev.watchllm.http.WatchLlmHeaders;
import dev.watchllm.openai.OpenAiError;
import dev.watchllm.openai.ParsedRequest;
import dev.watchllm.openai.RequestParser;
import dev.watchllm.openai.SseEventSplitter;
import dev.watchllm.openai.SseEvents;
import dev.watchllm.upstream.Upstream;
import dev.watchllm.upstream.UpstreamFailure;
import dev.watchllm.upstream.UpstreamListener;
import dev.watchllm.upstream.UpstreamRequest;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One client request forwarded upstream: attempts along the route's chain (retries with backoff
 * on one upstream, then its fallbacks), then relays the answer. A stream is relayed event by
 * event with a flush per upstream slice; anything else is buffered and answered whole.
 *
 * <p>Upstream callbacks for one attempt never overlap, and the next attempt starts only after the
 * previous one ended, so per-attempt state needs no lock. The client may go away at any time:
 * {@link #cancel()} stops the current attempt and any pending retry.
 */
final class ProxyCall implements UpstreamListener {
    private static final int MAX_BUFFERED_BODY = 64 * 1024 * 1024;

    private enum Mode { DISCARD, BUFFER, RELAY }

    private enum Next { RETRY, FALLBACK, FINAL }

    private final EngineContext ctx;
    private final Exchange ex;
    private final String requestId;
    private final Caller caller;
    private final String cacheStatus;
    private final ParsedRequest req;
    private final List<UpstreamConfig> chain;
    private final byte[] forwardBody;
    private final long startNanos;
    private final AtomicBoolean finished = new AtomicBoolean();
    private final CallObservation observation;
    private boolean firstChunkSeen;

    private volatile boolean cancelled;
    private volatile Upstream.Call current;
    private volatile ScheduledFuture<?> pendingRetry;

    private int chainIdx;
    private int retries;
    private String missingEnv;
    private UpstreamFailure lastFailure;

    // per attempt
    private Mode mode;
    private Next next;
    private long nextDelayMs;
    private int status;
    private String contentType;
    private String retryAfter;
    private String retryAfterMs;
    private String shouldRetry;
    private ByteSink body;
    private SseEventSplitter splitter;
    private boolean sawDone;
    private List<byte[]> streamed;
    private byte[] delivered;
    private final List<byte[]> events = new ArrayList<>(4);

    ProxyCall(EngineContext ctx, Exchange ex, String requestId, Caller caller, ParsedRequest req, List<UpstreamConfig> chain,
              String cacheStatus, long startNanos) {
        this.ctx = ctx;
        this.requestId = requestId;
        this.cacheStatus = cacheStatus;
        this.ex = ex;
        this.caller = caller;
        this.req = req;
        this.chain = chain;
        this.startNanos = startNanos;
        this.forwardBody = forwardBody(req);
        this.observation = ctx.observation(req);
    }

    /** The body sent upstream: the client's bytes, except that streams always ask for usage (metering needs it). */
    private static byte[] forwardBody(ParsedRequest req) {
        if (!req.stream() || req.includeUsage()) return req.raw();
        ObjectNode copy = req.body().deepCopy();
        copy.withObject("stream_options").put("include_usage", true);
        try {
            return RequestParser.mapper().writeValueAsBytes(copy);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    void start() {
        ex.onClientGone(this::cancel);
        attempt();
    }

    void cancel() {
        cancelled = true;
        // settled first, so what the call held (a concurrency slot, a budget reservation) is free
        // by the time the provider sees the cancel
        boolean settleHere = finished.compareAndSet(false, true);
        if (settleHere) settleGone();
        ScheduledFuture<?> f = pendingRetry;
        if (f != null) f.cancel(false);
        Upstream.Call c = current;
        if (c != null) c.cancel();
        if (settleHere) {
            ex.abort();
        }
    }

    /**
     * Settles a call the client left: settle steps must still run (limits free the call's slot
     * and reservation). The body and events are not handed on: the upstream thread may still be
     * adding to them.
     */
    private void settleGone() {
        if (ctx.settlers.isEmpty()) return;
        ctx.settle(new CallResult(requestId, caller, req, null, status, null, null, false, cacheStatus, Double.NaN,
                System.nanoTime() - startNanos));
    }

    private void attempt() {
        if (cancelled) return;
        UpstreamConfig u = chain.get(chainIdx);
        if (u.missingEnv() != null) {
            missingEnv = u.missingEnv();
            ctx.problems.warn("env:" + u.name(), "Upstream '{}' skipped: environment variable {} is not set", u.name(), u.missingEnv());
            advanceOrFail();
            return;
        }
        mode = null;
        next = Next.FINAL;
        status = 0;
        contentType = null;
        retryAfter = null;
        retryAfterMs = null;
        shouldRetry = null;
        body = null;
        splitter = null;
        sawDone = false;
        streamed = null;
        List<String[]> headers = new ArrayList<>(3);
        if (u.apiKey() != null && !u.apiKey().isEmpty()) headers.add(new String[] {"Authorization", "Bearer " + u.apiKey()});
        headers.add(new String[] {"Accept", req.stream() ? "text/event-stream" : "application/json"});
        String url = u.baseUrl() + req.endpoint().path();
        if (observation != CallObservation.NONE) {
            observation.upstreamHeaders((k, v) -> headers.add(new String[] {k, v})); // trace context for the provider
            observation.upstream(u.name(), url);
        }
        UpstreamRequest r = new UpstreamRequest("POST", url, headers, forwardBody, u.timeout(), req.stream());
        current = ctx.upstream.send(r, this);
        if (cancelled) current.cancel();
    }

    @Override
    public void onResponse(int status, ResponseHeaders headers) {
        this.status = status;
        this.contentType = headers.get("Content-Type");
        this.retryAfter = headers.get("retry-after");
        this.retryAfterMs = headers.get(WatchLlmHeaders.RETRY_AFTER_MS);
        this.shouldRetry = headers.get(WatchLlmHeaders.SHOULD_RETRY);
        UpstreamConfig u = chain.get(chainIdx);
        next = Next.FINAL;
        if (RetryPolicy.retriableStatus(status) && !"false".equalsIgnoreCase(headers.get("x-should-retry"))) {
            long delay = retries < u.maxRetries() ? RetryPolicy.delayMs(u, retries + 1, retryAfter, headers.get("retry-after-ms")) : -1;
            if (delay >= 0) {
                next = Next.RETRY;
                nextDelayMs = delay;
            } else if (chainIdx < chain.size() - 1) {
                next = Next.FALLBACK;
            }
        }
        if (next != Next.FINAL) {
            mode = Mode.DISCARD;
            ctx.problems.warn("status:" + u.name() + ":" + status, "Upstream '{}' answered {}; retrying or falling back", u.name(), status);
        } else if (status / 100 == 2 && req.stream() && contentType != null && contentType.startsWith("text/event-stream")) {
            mode = Mode.RELAY;
            splitter = new SseEventSplitter();
            streamed = ctx.settlers.isEmpty() ? null : new ArrayList<>();
            if (cancelled) return;
            ex.status(200);
            ex.header("Content-Type", contentType);
            ex.header("Cache-Control", "no-cache");
            ex.header("X-Accel-Buffering", "no");
            commonHeaders(u);
        } else {
            mode = Mode.BUFFER;
            body = new ByteSink(2048, MAX_BUFFERED_BODY);
        }
    }

    @Override
    public void onContent(ByteBuffer slice, Runnable demand) {
        switch (mode) {
            case DISCARD:
                demand.run();
                break;
            case BUFFER:
                if (body.append(slice)) {
                    demand.run();
                } else {
                    Upstream.Call c = current;
                    if (c != null) c.cancel();
                }
                break;
            case RELAY:
                relay(slice, demand);
                break;
            default:
                demand.run();
        }
    }

    private void relay(ByteBuffer slice, Runnable demand) {
        if (!firstChunkSeen) {
            firstChunkSeen = true;
            observation.firstChunk();
        }
        events.clear();
        splitter.feed(slice, events::add);
        int total = 0;
        for (int i = 0; i < events.size(); i++) {
            byte[] e = events.get(i);
            if (streamed != null) streamed.add(e);
            if (!sawDone && SseEvents.isDone(e)) {
                sawDone = true;
                e = withCostComment(e);
                events.set(i, e);
            }
            if (!req.includeUsage() && SseEvents.isUsageOnly(e)) {
                events.set(i, null); // asked for by the gateway, not by the client
                continue;
            }
            total += e.length;
        }
        if (total == 0 || cancelled) {
            demand.run();
            return;
        }
        byte[] out;
        if (events.size() == 1) {
            out = events.get(0);
        } else {
            out = new byte[total];
            int p = 0;
            for (byte[] e : events) {
                if (e == null) continue;
                System.arraycopy(e, 0, out, p, e.length);
                p += e.length;
            }
        }
        ex.write(out, true, demand);
    }

    @Override
    public void onComplete() {
        current = null;
        if (cancelled) return;
        switch (mode) {
            case DISCARD:
                lastFailure = null;
                proceed();
                break;
            case BUFFER:
                deliverBuffered();
                break;
            case RELAY:
                if (splitter.pending() > 0) {
                    ex.write(splitter.drainPending(), true, null);
                }
                finish();
                break;
            default:
                finish();
        }
    }

    @Override
    public void onFailure(UpstreamFailure failure) {
        current = null;
        if (cancelled || failure.kind() == UpstreamFailure.Kind.CANCELLED) {
            if (!cancelled && mode == Mode.BUFFER) {
                // we cancelled it ourselves: the body exceeded the buffer cap
                fail(OpenAiError.upstreamUnavailable("Upstream '" + chain.get(chainIdx).name() + "' sent a response larger than "
                        + MAX_BUFFERED_BODY + " bytes."));
            }
            return;
        }
        UpstreamConfig u = chain.get(chainIdx);
        if (mode == Mode.RELAY) {
            ctx.problems.warn("reset:" + u.name(), "Upstream '{}' stream ended abnormally: {}", u.name(), failure.describe());
            OpenAiError e = failure.kind() == UpstreamFailure.Kind.TIMEOUT
                    ? OpenAiError.upstreamTimeout("Upstream '" + u.name() + "' stalled mid-stream for longer than its timeout.")
                    : OpenAiError.upstreamUnavailable("Upstream '" + u.name() + "' broke the stream: " + failure.describe());
            byte[] json = e.toJson();
            byte[] ev = new byte[6 + json.length + 2];
            System.arraycopy("data: ".getBytes(StandardCharsets.US_ASCII), 0, ev, 0, 6);
            System.arraycopy(json, 0, ev, 6, json.length);
            ev[ev.length - 2] = '\n';
            ev[ev.length - 1] = '\n';
            ex.write(ev, true, null);
            finish();
            return;
        }
        if (failure.kind() == UpstreamFailure.Kind.TIMEOUT) {
            ctx.problems.warn("timeout:" + u.name(), "Upstream '{}' timed out after {}", u.name(), dev.watchllm.config.Durations.format(u.timeout()));
            fail(OpenAiError.upstreamTimeout("Upstream '" + u.name() + "' did not answer within " + dev.watchllm.config.Durations.format(u.timeout()) + "."));
            return;
        }
        ctx.problems.warn("connect:" + u.name(), "Upstream '{}' unreachable: {}", u.name(), failure.describe());
        lastFailure = failure;
        if (retries < u.maxRetries()) {
            next = Next.RETRY;
            nextDelayMs = RetryPolicy.delayMs(u, retries + 1, null, null);
        } else {
            next = chainIdx < chain.size() - 1 ? Next.FALLBACK : Next.FINAL;
        }
        proceed();
    }

    private void proceed() {
        switch (next) {
            case RETRY:
                retries++;
                pendingRetry = ctx.scheduler.schedule(this::attempt, nextDelayMs, TimeUnit.MILLISECONDS);
                if (cancelled) pendingRetry.cancel(false);
                break;
            case FALLBACK:
                advanceOrFail();
                break;
            default:
                failUnreachable();
        }
    }

    private void advanceOrFail() {
        if (chainIdx < chain.size() - 1) {
            chainIdx++;
            retries = 0;
            attempt();
        } else {
            failUnreachable();
        }
    }

    private void failUnreachable() {
        UpstreamConfig u = chain.get(chainIdx);
        StringBuilder m = new StringBuilder();
        if (lastFailure != null) {
            m.append("Upstream '").append(u.name()).append("' is unreachable (").append(lastFailure.describe())
                    .append(") after ").append(retries + 1).append(retries == 0 ? " attempt." : " attempts.");
        } else if (missingEnv == null) {
            m.append("No upstream could serve this request.");
        }
        if (missingEnv != null) {
            if (m.length() > 0) m.append(' ');
            m.append("The provider key is not configured: environment variable ").append(missingEnv).append(" is not set.");
        }
        fail(OpenAiError.upstreamUnavailable(m.toString()));
    }

    private void deliverBuffered() {
        UpstreamConfig u = chain.get(chainIdx);
        byte[] b = body.toByteArray();
        ex.status(status);
        ex.header("Content-Type", contentType != null ? contentType : "application/json");
        if (retryAfter != null && (status == 429 || status == 503)) ex.header(WatchLlmHeaders.RETRY_AFTER, retryAfter);
        // the provider's retry advice travels with its error, so the client's SDK backs off (or not) as told
        if (retryAfterMs != null && (status == 429 || status == 503)) ex.header(WatchLlmHeaders.RETRY_AFTER_MS, retryAfterMs);
        if (shouldRetry != null && status >= 400) ex.header(WatchLlmHeaders.SHOULD_RETRY, shouldRetry);
        commonHeaders(u);
        ctx.meter.costHeaders(ex, req, status, b);
        ex.header("Content-Length", Integer.toString(b.length));
        if (b.length > 0) ex.write(b, true, null);
        delivered = b;
        finish();
    }

    /** {@code [DONE]} preceded by an SSE comment with the stream's cost: its headers went out before the usage chunk existed. */
    private byte[] withCostComment(byte[] done) {
        byte[] note = ctx.meter.streamCostComment(req, streamed);
        if (note == null) return done;
        byte[] out = new byte[note.length + done.length];
        System.arraycopy(note, 0, out, 0, note.length);
        System.arraycopy(done, 0, out, note.length, done.length);
        return out;
    }

    private void commonHeaders(UpstreamConfig u) {
        ex.header(WatchLlmHeaders.PROVIDER, u.name());
        ex.header(WatchLlmHeaders.CACHE, cacheStatus);
        ex.header(WatchLlmHeaders.LATENCY_MS, Long.toString((System.nanoTime() - startNanos) / 1_000_000));
    }

    private void fail(OpenAiError e) {
        if (finished.compareAndSet(false, true)) {
            status = e.status();
            delivered = e.toJson(); // settle steps see the error the client got
            Responses.error(ex, e);
            settle(null, false);
        }
    }

    private void finish() {
        if (finished.compareAndSet(false, true)) {
            ex.end();
            boolean ok = status / 100 == 2 && (mode != Mode.RELAY || sawDone);
            settle(chain.get(chainIdx).name(), ok);
        }
    }

    private void settle(String upstream, boolean complete) {
        if (ctx.settlers.isEmpty()) return;
        CallResult r = new CallResult(requestId, caller, req, upstream, status, mode == Mode.RELAY ? null : delivered,
                mode == Mode.RELAY ? streamed : null, complete, cacheStatus, Double.NaN, System.nanoTime() - startNanos);
        ctx.settle(r);
    }
}
