package dev.watchllm.internal;

import dev.watchllm.auth.Authenticator;
import dev.watchllm.cache.ExactCache;
import dev.watchllm.config.UpstreamConfig;
import dev.watchllm.config.WatchLlmConfig;
import dev.watchllm.http.Exchange;
import dev.watchllm.http.RequestIds;
import dev.watchllm.http.WatchLlmHeaders;
import dev.watchllm.limit.Admission;
import dev.watchllm.limit.PricedBudget;
import dev.watchllm.limit.PlanLimiter;
import dev.watchllm.metering.UsageMeter;
import dev.watchllm.observe.CallStart;
import dev.watchllm.observe.ProxyObserver;
import dev.watchllm.openai.Endpoint;
import dev.watchllm.openai.OpenAiError;
import dev.watchllm.openai.RequestParser;
import dev.watchllm.upstream.Upstream;
import dev.watchllm.upstream.UpstreamRouter;
import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Consumer;

/**
 * The request pipeline, built once from the config: route, authenticate, read and check the
 * body, then forward. Each step either passes the request on or answers it.
 */
public final class Pipeline implements AutoCloseable {
    private final String prefix;
    private final long maxBody;
    private final Cors cors;
    private final Authenticator auth;
    private final UpstreamRouter router;
    private final EngineContext ctx;
    private final UsageMeter meter;
    private final PlanLimiter limits;
    private final CacheStep cache;

    public Pipeline(WatchLlmConfig config, Authenticator auth, Upstream upstream, ScheduledExecutorService scheduler, Clock clock,
                    UsageMeter meter, dev.watchllm.limit.RateLimitStore rateLimitStore, dev.watchllm.cache.ResponseCache responseCache,
                    ProxyObserver observer, dev.watchllm.store.SharedStores shared) {
        this.prefix = config.prefix();
        this.maxBody = config.maxBodyBytes();
        this.cors = new Cors(config.corsAllowedOrigins());
        this.auth = auth;
        this.router = new UpstreamRouter(config.upstreams());
        this.meter = meter;
        this.limits = new PlanLimiter(config, clock, new PricedBudget(meter.pricing()), scheduler, rateLimitStore);
        this.cache = new CacheStep(ExactCache.open(config, clock, responseCache), config.cache().coalesceTimeout(),
                SemanticCaches.open(config, upstream, clock, shared));
        List<Consumer<CallResult>> settlers = new ArrayList<>();
        settlers.add(limits); // frees concurrency slots, settles budget reservations and token debt
        settlers.add(cache::settle); // stores complete answers
        this.ctx = new EngineContext(upstream, scheduler, clock, settlers, meter, observer); // the meter runs after the settlers
    }

    /** Waits (up to {@code timeoutMillis}) until every call that reached admission is settled; false on timeout. */
    public boolean awaitSettled(long timeoutMillis) {
        return ctx.awaitSettled(timeoutMillis);
    }

    /** Writes what must outlive the engine: the month's limit counters and the response cache. */
    @Override
    public void close() {
        try {
            limits.close();
        } finally {
            cache.close();
        }
    }

    /** Completes when the semantic cache (if any) can hit. */
    public java.util.concurrent.CompletionStage<Void> semanticReady() {
        return cache.semanticReady();
    }

    public dev.watchllm.limit.LimitState limitState(String projectId) {
        return limits.state(projectId);
    }

    /** The wall-clock time, in epoch nanoseconds, of the monotonic instant {@code nanoTime}. */
    private long epochNanos(long nanoTime) {
        java.time.Instant now = ctx.clock.instant();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano() - (System.nanoTime() - nanoTime);
    }

    /** True when {@code path} is under the prefix this engine owns. */
    public boolean owns(String path) {
        return path.startsWith(prefix) && (path.length() == prefix.length() || path.charAt(prefix.length()) == '/');
    }

    public void handle(Exchange ex) {
        long start = System.nanoTime();
        String requestId = RequestIds.acceptOrCreate(ex.header(WatchLlmHeaders.REQUEST_ID));
        ex.header(WatchLlmHeaders.REQUEST_ID, requestId);
        String method = ex.method();
        if ("OPTIONS".equals(method)) {
            cors.preflight(ex);
            return;
        }
        cors.apply(ex);
        String path = ex.path();
        Endpoint ep = Endpoint.of(path.substring(prefix.length()));
        if (ep == null) {
            Responses.error(ex, OpenAiError.notFound(method, path));
            return;
        }
        if (!ep.method().equals(method)) {
            ex.header("Allow", ep.method());
            Responses.error(ex, OpenAiError.methodNotAllowed(method, path, ep.method()));
            return;
        }
        Authenticator.Result who = auth.authenticate(ex.header("Authorization"));
        if (who.error() != null) {
            Responses.error(ex, who.error());
            return;
        }
        limits.describe(who.caller(), ex); // x-ratelimit-* on every answer to a project; admission below updates them
        if (ep == Endpoint.USAGE) {
            meter.answerUsage(ex, who.caller());
            return;
        }
        if (ep == Endpoint.MODELS) {
            new ModelsCall(ctx, ex, router.all(), start).start();
            return;
        }
        byte[] raw = readBody(ex);
        if (raw == null) return;
        RequestParser.Result parsed = RequestParser.parse(ep, raw);
        if (parsed.error() != null) {
            Responses.error(ex, parsed.error());
            return;
        }
        List<UpstreamConfig> chain = router.route(parsed.request().model());
        if (chain.isEmpty()) {
            Responses.error(ex, new OpenAiError(404, "invalid_request_error", "model_not_found",
                    "The model '" + parsed.request().model() + "' is not served by any configured upstream.", "model"));
            return;
        }
        // ---- admission: plan rate limits, monthly quota, budget reservation; before any cache lookup or upstream ----
        if (ctx.observer != ProxyObserver.NONE) {
            // adapters that went asynchronous captured the host's context; otherwise this is still the request's thread
            Object host = ex.hostContext() != null ? ex.hostContext() : ctx.observer.captureHostContext();
            ctx.observe(new CallStart(requestId, who.caller().projectId(), parsed.request(), ex::header, host, epochNanos(start)));
        }
        ctx.admitting(); // settled or refused exactly once from here
        Admission admission = limits.admit(who.caller(), parsed.request(), ex);
        if (!admission.admitted()) {
            Responses.error(ex, admission.error()); // 429: nothing over the limit reaches the provider
            ctx.refuse(new CallResult(requestId, who.caller(), parsed.request(), null, admission.error().status(),
                    admission.error().toJson(), null, false, "BYPASS", Double.NaN, System.nanoTime() - start));
            return;
        }
        // ---- end of admission; every path from here on must end in ctx.settle (CacheStep and ProxyCall do) ----
        // exact response cache: a hit, or a wait for an identical call in flight, is answered there
        CacheStep.Miss miss = cache.lookup(ctx, ex, requestId, who.caller(), parsed.request(), chain, start);
        if (miss == null) return;
        new ProxyCall(ctx, miss.exchange(), requestId, who.caller(), parsed.request(), chain, miss.cacheStatus(), start).start();
    }

    /** The body, or null after answering 413/400. Bounded: never reads more than the limit plus one byte. */
    private byte[] readBody(Exchange ex) {
        long declared = ex.contentLength();
        if (declared > maxBody) {
            if (declared <= drainLimit()) drain(ex);
            Responses.error(ex, OpenAiError.tooLarge(maxBody));
            return null;
        }
        try {
            byte[] pre = ex.bodyBytes(); // read by the adapter: no second copy
            if (pre != null) {
                if (pre.length <= maxBody) return pre;
                Responses.error(ex, OpenAiError.tooLarge(maxBody));
                return null;
            }
        } catch (IOException e) {
            Responses.error(ex, OpenAiError.invalidRequest("The request body could not be read: " + e.getMessage(), null));
            return null;
        }
        try (InputStream in = ex.body()) {
            byte[] b = in.readNBytes((int) Math.min(maxBody + 1, Integer.MAX_VALUE - 8));
            if (b.length > maxBody) {
                drainRest(in);
                Responses.error(ex, OpenAiError.tooLarge(maxBody));
                return null;
            }
            return b;
        } catch (IOException e) {
            Responses.error(ex, OpenAiError.invalidRequest("The request body could not be read: " + e.getMessage(), null));
            return null;
        }
    }

    /**
     * How much of a too-large body is still read (and dropped) before the 413: answering while the
     * client is still sending makes TCP reset the connection and the client sees no answer at all.
     */
    private long drainLimit() {
        return Exchange.drainLimit(maxBody);
    }

    private void drain(Exchange ex) {
        try (InputStream in = ex.body()) {
            drainRest(in);
        } catch (IOException e) {
            // the client is gone or sent garbage: the 413 is all it gets
        }
    }

    private void drainRest(InputStream in) throws IOException {
        long left = drainLimit();
        byte[] sink = new byte[8192];
        int n;
        while (left > 0 && (n = in.read(sink, 0, (int) Math.min(sink.length, left))) > 0) left -= n;
    }
}
