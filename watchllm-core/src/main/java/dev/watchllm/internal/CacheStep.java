package dev.watchllm.internal;

import dev.watchllm.auth.Caller;
import dev.watchllm.cache.CacheDirectives;
import dev.watchllm.cache.CachedAnswer;
import dev.watchllm.cache.ExactCache;
import dev.watchllm.cache.InFlight;
import dev.watchllm.config.CacheSettings;
import dev.watchllm.config.Durations;
import dev.watchllm.config.UpstreamConfig;
import dev.watchllm.http.Exchange;
import dev.watchllm.http.WatchLlmHeaders;
import dev.watchllm.openai.Endpoint;
import dev.watchllm.openai.OpenAiError;
import dev.watchllm.openai.ParsedRequest;
import dev.watchllm.openai.SseEvents;
import dev.watchllm.semantic.SemanticCache;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The exact response cache in the pipeline, between admission and the provider call. A hit is
 * answered here, in the mode the request asks for (JSON, or SSE replay), and settled like any
 * call. A miss either leads (calls the provider; {@link #settle} stores the answer and hands it
 * to the followers) or follows an identical call already in flight, waiting at most
 * {@code cache.coalesceTimeout}. A leader that fails passes its error on; one that is cancelled
 * or cut short lets its followers try again (one of them leads the next call).
 */
final class CacheStep implements AutoCloseable {
    static final String MISS = "MISS";
    static final String HIT = "HIT";
    static final String HIT_COALESCED = "HIT-COALESCED";
    static final String HIT_SEMANTIC = "HIT-SEMANTIC";
    static final String BYPASS = "BYPASS";
    /** Lookups per request before it simply calls the provider (each ended flight allows one more). */
    private static final int MAX_ROUNDS = 3;

    /** How a miss goes upstream: through this exchange, with this {@code X-WatchLLM-Cache} value. */
    record Miss(Exchange exchange, String cacheStatus) {
    }

    /** A call whose answer is to be stored (and shared, when it leads a flight). */
    private static final class Pending {
        final String key;
        final long ttlMillis;
        final InFlight.Flight flight;
        /** When the client got the whole answer: the entry's age and TTL count from then, not from the store. */
        volatile long answeredAt = -1;

        Pending(String key, long ttlMillis, InFlight.Flight flight) {
            this.key = key;
            this.ttlMillis = ttlMillis;
            this.flight = flight;
        }
    }

    private final ExactCache cache;
    private final SemanticCache semantic;
    private final InFlight inFlight = new InFlight();
    private final long coalesceNanos;
    /** By the request's body array: each request has its own, and arrays compare by identity. */
    private final ConcurrentHashMap<byte[], Pending> pending = new ConcurrentHashMap<>();

    CacheStep(ExactCache cache, Duration coalesceTimeout) {
        this(cache, coalesceTimeout, null);
    }

    /** With the semantic cache ({@code watchllm-semantic}), asked on an exact miss; null: none. */
    CacheStep(ExactCache cache, Duration coalesceTimeout, SemanticCache semantic) {
        this.cache = cache;
        this.coalesceNanos = coalesceTimeout.toNanos();
        this.semantic = semantic;
    }

    /**
     * Answers {@code req} from the cache or sets it up to wait for an identical call (null), or
     * says how to call the provider.
     */
    Miss lookup(EngineContext ctx, Exchange ex, String requestId, Caller caller, ParsedRequest req, List<UpstreamConfig> chain,
                long startNanos) {
        CacheDirectives d = CacheDirectives.parse(ex.header("Cache-Control"), ex.header(WatchLlmHeaders.CACHE_TTL));
        if (d.error() != null) {
            OpenAiError e = OpenAiError.invalidRequest(d.error(), null);
            Responses.error(ex, e);
            // refused after admission: release what it holds (a concurrency slot, a budget reservation)
            ctx.refuse(new CallResult(requestId, caller, req, null, e.status(), e.toJson(), null, false, BYPASS, Double.NaN,
                    System.nanoTime() - startNanos));
            return null;
        }
        CacheSettings s = caller.project().cache();
        if (!s.enabled() || (d.noCache() && !d.storable())) return new Miss(ex, BYPASS);
        long ttlMillis = d.ttlSeconds() >= 0 ? d.ttlSeconds() * 1000 : s.ttl().toMillis();
        String key;
        try {
            key = cache.key(caller.projectId(), req);
        } catch (RuntimeException e) {
            // the cache must never fail a request: this one simply goes upstream uncached
            ctx.problems.warn("cache:key", "A request could not be keyed for the cache ({}); it was sent upstream uncached", e.toString());
            return new Miss(ex, BYPASS);
        }
        return resolve(new Call(ctx, ex, requestId, caller, req, chain, startNanos, key, d, ttlMillis), true);
    }

    /** The settle step: stores a complete answer and ends the flight it led. Never throws. */
    void settle(CallResult r) {
        if (!MISS.equals(r.cacheStatus()) || r.request() == null) return;
        Pending p = pending.remove(r.request().raw());
        if (p == null) return;
        InFlight.Outcome o = InFlight.Outcome.RETRY;
        try {
            CachedAnswer a = cache.answerOf(r.caller().projectId(), r.request().endpoint(), r.upstream(), r.status(), r.body(),
                    r.events(), r.complete(), p.answeredAt, p.ttlMillis);
            if (a != null) {
                cache.store(p.key, a);
                o = InFlight.Outcome.answer(a);
                if (semantic != null && r.caller().project().cache().semanticEnabled()) {
                    // points at the exact entry; best effort, off this thread
                    semantic.store(r.caller().projectId(), r.request(), p.key, Duration.ofMillis(p.ttlMillis));
                }
            } else if (r.status() / 100 != 2 && r.status() != 0 && r.body() != null) {
                o = InFlight.Outcome.error(r.status(), r.upstream(), r.body());
            }
        } finally {
            if (p.flight != null) p.flight.complete(o);
        }
    }

    /** Completes when the semantic cache (if any) can hit. */
    java.util.concurrent.CompletionStage<Void> semanticReady() {
        return semantic != null ? semantic.ready() : java.util.concurrent.CompletableFuture.completedFuture(null);
    }

    @Override
    public void close() {
        try {
            if (semantic != null) semantic.close();
        } finally {
            cache.close();
        }
    }

    private Miss resolve(Call c, boolean coalesce) {
        while (true) {
            if (!c.d.noCache()) {
                InFlight.Flight done = coalesce ? inFlight.current(c.key) : null;
                // an answer already sent but not yet stored is newer than any stored entry: wait the moment for it
                if (done != null && done.answered() && done.join(c)) {
                    c.await(done, true);
                    return null;
                }
                CachedAnswer a = cache.lookup(c.key, c.caller.projectId(), c.d.maxAgeSeconds());
                if (a != null) {
                    if (serve(c, a, HIT, cache.ageSeconds(a))) return null;
                    cache.evict(c.key);
                }
                // exact miss: the semantic cache next (once per request), asynchronously; it resumes here
                if (semantic != null && !c.semanticAsked && c.caller.project().cache().semanticEnabled()) {
                    c.semanticAsked = true;
                    askSemantic(c, coalesce);
                    return null;
                }
            }
            if (!coalesce || ++c.rounds > MAX_ROUNDS || System.nanoTime() - c.deadline >= 0) break;
            if (c.d.storable()) {
                InFlight.Flight f = inFlight.lead(c.key);
                if (f != null) return lead(c, f);
            }
            if (c.d.noCache()) break; // wants a fresh answer of its own
            InFlight.Flight f = inFlight.current(c.key);
            if (f != null) {
                boolean late = f.answered(); // read before joining: true means the answer preceded this request
                if (f.join(c)) {
                    c.await(f, late);
                    return null;
                }
            } else if (!c.d.storable()) {
                break; // nothing in flight to follow
            }
            // the flight ended between the two looks: its answer is in the cache by now
        }
        return c.d.storable() ? lead(c, null) : new Miss(c.ex, MISS);
    }

    /**
     * Asks the semantic cache (off this thread); a verified hit whose exact entry still exists is
     * served as {@code HIT-SEMANTIC}, anything else resumes the exact path (lead or follow).
     */
    private void askSemantic(Call c, boolean coalesce) {
        Duration maxAge = c.d.maxAgeSeconds() >= 0 ? Duration.ofSeconds(c.d.maxAgeSeconds()) : null;
        semantic.lookup(c.caller.projectId(), c.req, c.caller.project().cache().semanticThreshold(), maxAge)
                .whenComplete((hit, failure) -> {
                    try {
                        if (hit != null && hit.isPresent()) {
                            SemanticCache.Hit h = hit.get();
                            CachedAnswer a = cache.lookup(h.responseRef(), c.caller.projectId(), c.d.maxAgeSeconds());
                            if (a != null && serve(c, a, HIT_SEMANTIC, cache.ageSeconds(a), h.similarity())) return;
                            semantic.remove(c.caller.projectId(), h); // its answer is gone: forget the pointer
                        }
                        call(c, resolve(c, coalesce));
                    } catch (RuntimeException e) {
                        c.ctx.problems.warn("cache:semantic", "The semantic cache failed ({}); the request went on as a miss", e.toString());
                        call(c, resolve(c, coalesce));
                    }
                });
    }

    private Miss lead(Call c, InFlight.Flight f) {
        byte[] id = c.req.raw();
        Pending p = new Pending(c.key, c.ttlMillis, f);
        pending.put(id, p);
        return new Miss(new WatchedExchange(c.ex, () -> {
            if (p.answeredAt < 0) p.answeredAt = cache.now();
            if (f != null) f.markAnswered();
        }, () -> {
            Pending gone = pending.remove(id);
            if (gone != null && gone.flight != null) gone.flight.complete(InFlight.Outcome.RETRY);
        }), MISS);
    }

    private static void call(Call c, Miss m) {
        if (m != null) new ProxyCall(c.ctx, m.exchange(), c.requestId, c.caller, c.req, c.chain, m.cacheStatus(), c.start).start();
    }

    /** Answers {@code c} with {@code a} in the mode it asked for; false when {@code a} cannot be served that way. */
    private static boolean serve(Call c, CachedAnswer a, String status, long ageSeconds) {
        return serve(c, a, status, ageSeconds, Double.NaN);
    }

    /** As above; {@code similarity} (not NaN) marks a semantic hit: its header, and its record. */
    private static boolean serve(Call c, CachedAnswer a, String status, long ageSeconds, double similarity) {
        if (!Double.isNaN(similarity)) {
            c.ex.header(WatchLlmHeaders.CACHE_SIMILARITY, String.format(java.util.Locale.ROOT, "%.4f", similarity));
        }
        Endpoint ep = c.req.endpoint();
        Exchange ex = c.ex;
        if (c.req.stream() && ep != Endpoint.EMBEDDINGS) {
            List<byte[]> events = a.events(ep);
            if (events == null) return false;
            byte[] out = join(events, c.req.includeUsage());
            ex.status(200);
            ex.header("Content-Type", "text/event-stream; charset=utf-8");
            ex.header("Cache-Control", "no-cache");
            ex.header("X-Accel-Buffering", "no");
            headers(c, a.provider(), status, ageSeconds);
            c.ctx.meter.hitHeaders(ex, c.req, a, null, events);
            ex.write(out, true, null);
            ex.end();
            c.ctx.settle(new CallResult(c.requestId, c.caller, c.req, a.provider(), 200, null, events, true, status, similarity,
                    System.nanoTime() - c.start));
        } else {
            byte[] body = a.plainBody(ep);
            if (body == null) return false;
            ex.status(200);
            ex.header("Content-Type", "application/json");
            headers(c, a.provider(), status, ageSeconds);
            c.ctx.meter.hitHeaders(ex, c.req, a, body, null);
            ex.header("Content-Length", Integer.toString(body.length));
            ex.write(body, true, null);
            ex.end();
            c.ctx.settle(new CallResult(c.requestId, c.caller, c.req, a.provider(), 200, body, null, true, status, similarity,
                    System.nanoTime() - c.start));
        }
        return true;
    }

    /** A follower gets its leader's error: the provider would have answered it alike. */
    private static void serveError(Call c, InFlight.Outcome o) {
        Exchange ex = c.ex;
        ex.status(o.status());
        ex.header("Content-Type", "application/json");
        if (o.provider() != null) ex.header(WatchLlmHeaders.PROVIDER, o.provider());
        ex.header(WatchLlmHeaders.CACHE, MISS);
        ex.header(WatchLlmHeaders.LATENCY_MS, Long.toString((System.nanoTime() - c.start) / 1_000_000));
        ex.header("Content-Length", Integer.toString(o.errorBody().length));
        ex.write(o.errorBody(), true, null);
        ex.end();
        c.ctx.settle(new CallResult(c.requestId, c.caller, c.req, o.provider(), o.status(), o.errorBody(), null, false, MISS, Double.NaN,
                System.nanoTime() - c.start));
    }

    private static void headers(Call c, String provider, String status, long ageSeconds) {
        c.ex.header(WatchLlmHeaders.PROVIDER, provider);
        c.ex.header(WatchLlmHeaders.CACHE, status);
        c.ex.header(WatchLlmHeaders.CACHE_AGE, Long.toString(ageSeconds));
        c.ex.header(WatchLlmHeaders.LATENCY_MS, Long.toString((System.nanoTime() - c.start) / 1_000_000));
    }

    /** The events as one write; the usage-only chunk only for a client that asked for it. */
    private static byte[] join(List<byte[]> events, boolean includeUsage) {
        int total = 0;
        for (byte[] e : events) {
            if (includeUsage || !SseEvents.isUsageOnly(e)) total += e.length;
        }
        byte[] out = new byte[total];
        int p = 0;
        for (byte[] e : events) {
            if (!includeUsage && SseEvents.isUsageOnly(e)) continue;
            System.arraycopy(e, 0, out, p, e.length);
            p += e.length;
        }
        return out;
    }

    /** One request going through the cache; as a follower, it receives its leader's outcome. */
    private final class Call implements Consumer<InFlight.Outcome> {
        final EngineContext ctx;
        final Exchange ex;
        final String requestId;
        final Caller caller;
        final ParsedRequest req;
        final List<UpstreamConfig> chain;
        final long start;
        final String key;
        final CacheDirectives d;
        final long ttlMillis;
        final long deadline;
        int rounds;
        boolean semanticAsked;
        private volatile boolean late;
        private volatile InFlight.Flight waitingOn;
        private volatile ScheduledFuture<?> timer;

        Call(EngineContext ctx, Exchange ex, String requestId, Caller caller, ParsedRequest req, List<UpstreamConfig> chain, long start,
             String key, CacheDirectives d, long ttlMillis) {
            this.ctx = ctx;
            this.ex = ex;
            this.requestId = requestId;
            this.caller = caller;
            this.req = req;
            this.chain = chain;
            this.start = start;
            this.key = key;
            this.d = d;
            this.ttlMillis = ttlMillis;
            this.deadline = start + coalesceNanos;
        }

        void await(InFlight.Flight f, boolean joinedAfterAnswer) {
            late = joinedAfterAnswer;
            waitingOn = f;
            ex.onClientGone(this::gone);
            try {
                timer = ctx.scheduler.schedule(this::timedOut, Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (RejectedExecutionException e) {
                // the engine is closing: do not wait
                if (f.leave(this)) call(this, resolve(this, false));
            }
        }

        @Override
        public void accept(InFlight.Outcome o) {
            ScheduledFuture<?> t = timer;
            if (t != null) t.cancel(false);
            if (o.isAnswer()) {
                CachedAnswer a = o.answer();
                // a late joiner may have waited on a store that took a while: its max-age still holds
                boolean served = cache.youngEnough(a, d.maxAgeSeconds()) && serve(this, a, late ? HIT : HIT_COALESCED, cache.ageSeconds(a));
                if (!served) call(this, resolve(this, false));
            } else if (o.isError() && !late) {
                serveError(this, o);
            } else if (o.isError()) {
                // an error answered before this request arrived is not this request's answer: ask the provider itself
                call(this, resolve(this, false));
            } else {
                call(this, resolve(this, true));
            }
        }

        private void timedOut() {
            InFlight.Flight f = waitingOn;
            if (f != null && f.leave(this)) {
                // a leader slower than the bound: later requests should not wait on it either
                inFlight.abandon(f);
                ctx.problems.warn("cache:coalesce-timeout", "A request waited {} for an identical one in flight and called the provider itself",
                        Durations.format(Duration.ofNanos(coalesceNanos)));
                call(this, resolve(this, false));
            }
        }

        private void gone() {
            InFlight.Flight f = waitingOn;
            if (f != null && f.leave(this)) {
                ScheduledFuture<?> t = timer;
                if (t != null) t.cancel(false);
                ex.abort();
            }
        }
    }
}
