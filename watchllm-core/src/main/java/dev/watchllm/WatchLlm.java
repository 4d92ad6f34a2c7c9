package dev.watchllm;

import dev.watchllm.admin.AdminConsole;
import dev.watchllm.auth.Authenticator;
import dev.watchllm.auth.KeyStore;
import dev.watchllm.auth.LocalKeyStore;
import dev.watchllm.auth.ProjectKeys;
import dev.watchllm.config.ConfigLoader;
import dev.watchllm.config.WatchLlmConfig;
import dev.watchllm.http.Exchange;
import dev.watchllm.internal.Pipeline;
import dev.watchllm.metering.HourlyUsage;
import dev.watchllm.metering.JsonlUsageSink;
import dev.watchllm.metering.LocalUsageLedger;
import dev.watchllm.metering.Pricing;
import dev.watchllm.metering.UsageLedger;
import dev.watchllm.metering.UsageMeter;
import dev.watchllm.metering.UsageSink;
import dev.watchllm.upstream.JettyUpstream;
import dev.watchllm.upstream.Upstream;
import java.io.InputStream;
import java.nio.file.Path;
import dev.watchllm.observe.ProxyObserver;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.LoggerFactory;

/**
 * The WatchLLM engine: an OpenAI-compatible gateway an adapter (Servlet filter, JAX-RS feature)
 * feeds with {@link Exchange}s. Built once from an immutable {@link WatchLlmConfig}; the host owns
 * its lifetime and calls {@link #close()} at shutdown. Thread-safe.
 *
 * <pre>{@code
 * WatchLlm engine = WatchLlm.fromConfig(Path.of("watchllm.yaml"));
 * // or
 * WatchLlm engine = WatchLlm.builder().config(config).build();
 * }</pre>
 */
public final class WatchLlm implements AutoCloseable {
    private final WatchLlmConfig config;
    private final KeyStore keys;
    private final Upstream upstream;
    private final boolean ownsUpstream;
    private final ScheduledThreadPoolExecutor scheduler;
    private final Pipeline pipeline;
    private final ProxyObserver observer;
    private final UsageMeter meter;
    /** The stores of a non-local {@code store.type} (e.g. Redis); null for {@code local}. */
    private final dev.watchllm.store.SharedStores shared;
    // ---- admin API and dashboard (dev.watchllm.admin) ----
    private final ProjectKeys projectKeys;
    /** Null when the config has no admin keys: then the engine owns no admin path. */
    private final AdminConsole admin;
    /** See {@link #nonBlocking()}. */
    private final boolean nonBlocking;

    private WatchLlm(Builder b) {
        this.config = b.config;
        this.observer = dev.watchllm.observe.GuardedObserver.of(b.observer);
        this.shared = "local".equals(config.store().type()) ? null : dev.watchllm.store.StoreProvider.openFor(config, b.clock);
        this.keys = b.keyStore != null ? b.keyStore : shared != null ? shared.keyStore() : new LocalKeyStore(config.store().dir());
        this.ownsUpstream = b.upstream == null;
        this.upstream = b.upstream != null ? b.upstream : new JettyUpstream();
        this.scheduler = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "watchllm-scheduler");
            t.setDaemon(true);
            return t;
        });
        scheduler.setRemoveOnCancelPolicy(true);
        List<UsageSink> sinks = new ArrayList<>();
        sinks.add(new JsonlUsageSink(config.store().dir()));
        HourlyUsage hourly = new HourlyUsage(config.store().dir()); // the admin API's hour buckets
        sinks.add(hourly);
        sinks.addAll(b.usageSinks);
        this.meter = new UsageMeter(Pricing.builtIn().with(config.pricing().values()),
                b.usageLedger != null ? b.usageLedger : shared != null ? shared.usageLedger() : new LocalUsageLedger(config.store().dir()),
                sinks, b.clock);
        this.pipeline = new Pipeline(config, new Authenticator(config, keys, b.clock), upstream, scheduler, b.clock, meter,
                b.rateLimitStore != null ? b.rateLimitStore : shared != null ? shared.rateLimitStore() : null,
                b.responseCache != null ? b.responseCache : shared != null ? shared.responseCache() : null, b.observer, shared);
        // ---- admin API and dashboard ----
        this.projectKeys = new ProjectKeys(config, keys, b.clock);
        this.admin = config.admin().enabled()
                ? new AdminConsole(config, projectKeys, meter.ledger(), hourly, this::limitState, b.clock) : null;
        // only the engine's own local stores are known to answer from memory; anything given is assumed to block
        this.nonBlocking = shared == null && b.keyStore == null && b.rateLimitStore == null && b.responseCache == null
                && b.usageLedger == null && !observer.mayBlock();
        scheduler.scheduleWithFixedDelay(this::flushKeyUse, 60, 60, TimeUnit.SECONDS); // keys' last use, written lazily
    }

    private void flushKeyUse() {
        try {
            keys.flush();
        } catch (RuntimeException e) {
            LoggerFactory.getLogger(WatchLlm.class).warn("Cannot persist the keys' last use: {}", e.toString());
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    /** An engine from a YAML config file ({@code ${ENV}} expanded). */
    public static WatchLlm fromConfig(Path file) {
        return builder().config(ConfigLoader.load(file)).build();
    }

    public static WatchLlm fromConfig(InputStream yaml) {
        return builder().config(ConfigLoader.load(yaml)).build();
    }

    public WatchLlmConfig config() {
        return config;
    }

    /** The key store: config keys plus keys minted at run time. */
    public KeyStore keys() {
        return keys;
    }

    /** Usage totals per project per month and day (what {@code GET /v1/watchllm/usage} answers from). */
    public UsageLedger usage() {
        return meter.ledger();
    }

    /** The model prices in effect: the built-in list plus the config's {@code pricing:}. */
    public Pricing pricing() {
        return meter.pricing();
    }

    /**
     * Completes when the semantic cache can hit (the local embedding model has loaded); at once
     * when no project uses it. Until then semantic lookups are misses: a host may wait on it before
     * reporting ready.
     */
    public java.util.concurrent.CompletionStage<Void> semanticReady() {
        return pipeline.semanticReady();
    }

    /**
     * Captures the host's current context (e.g. an instrumented container's trace context) for
     * the observer. Adapters call it on the thread that received the request, before any
     * asynchronous step, and hand it back through {@link Exchange#hostContext()}.
     */
    public Object captureHostContext() {
        return observer.captureHostContext();
    }

    /** True when {@code path} (below the host's context path) belongs to the gateway's prefix, or to the admin prefix when admin keys are configured. */
    public boolean owns(String path) {
        return pipeline.owns(path) || (admin != null && admin.owns(path));
    }

    /**
     * True when serving a gateway request never waits on I/O on the calling thread, so an adapter
     * on an event loop (Jetty's {@code WatchLlmHandler}) may call {@link #handle} on a selector
     * thread instead of handing every request to a pool thread. It holds when every store is the
     * engine's own local one ({@code store.type: local}, no key store, rate-limit store, response
     * cache or usage ledger given to the builder) and the observer does not {@link
     * ProxyObserver#mayBlock}. Then authentication, limits, usage totals and cache entries are in
     * memory (files are written by the engine's own threads), and the provider call, the semantic
     * lookup and coalescing waits are asynchronous.
     *
     * <p>One read may touch the disk: an exact-cache entry no longer in the heap or off-heap tier
     * is read from the persistent disk tier, a positional file read usually served from the page
     * cache (as nginx reads its proxy cache on its event loop). A deployment whose {@code store.dir}
     * is on slow network storage should mount the blocking way (see the adapter).
     *
     * <p>Admin paths never qualify ({@link #handlesWithoutBlocking}): minting a key writes a file.
     */
    public boolean nonBlocking() {
        return nonBlocking;
    }

    /** True when {@link #nonBlocking()} and {@code path} is a gateway path, not an admin one. */
    public boolean handlesWithoutBlocking(String path) {
        return nonBlocking && pipeline.owns(path) && (admin == null || !admin.owns(path));
    }

    /**
     * Serves one exchange whose path this engine {@link #owns}. Returns at once; the exchange is
     * always ended (answered, or aborted when the client went away), possibly on another thread.
     */
    public void handle(Exchange exchange) {
        if (admin != null && admin.owns(exchange.path())) { // the admin API and dashboard: their own auth, no CORS
            admin.handle(exchange);
            return;
        }
        pipeline.handle(exchange);
    }

    /** A project's limit counters now (month, requests, spend, reservations, calls in flight); null for an unknown project. */
    public dev.watchllm.limit.LimitState limitState(String projectId) {
        return pipeline.limitState(projectId);
    }

    /** Mints a key for {@code projectId}, stores its hash, and returns the key (shown this once). */
    public String mintKey(String projectId, String env) {
        return projectKeys.mint(projectId, env).key();
    }

    /** Every project's keys (config and minted): list, mint, revoke; what the admin API uses. */
    public ProjectKeys projectKeys() {
        return projectKeys;
    }

    /**
     * Stops retries and timers, writes the month's limit counters and the response cache, closes
     * the upstream client if the engine created it, the key store, and the usage meter (queued usage
     * records are written and the totals flushed: nothing is lost).
     */
    @Override
    public void close() {
        // answers go out before their calls settle (cache store, usage): let the last ones finish
        if (!pipeline.awaitSettled(5_000)) LoggerFactory.getLogger(WatchLlm.class).warn("Closing with calls not settled after 5 s: their cache entries or usage may be missing");
        scheduler.shutdownNow();
        try {
            scheduler.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        pipeline.close(); // after the scheduler stopped: no periodic write races the last one
        if (ownsUpstream) upstream.close();
        meter.close();
        try {
            keys.close();
        } catch (Exception ignored) {
            // closing is best effort
        }
        if (shared != null) shared.close(); // last: the pieces above may flush through its connection
    }

    /** Builds a {@link WatchLlm}. Only {@link #config} is required. */
    public static final class Builder {
        private WatchLlmConfig config;
        private KeyStore keyStore;
        private Upstream upstream;
        private Clock clock = Clock.systemUTC();
        private ProxyObserver observer = ProxyObserver.NONE;
        private UsageLedger usageLedger;
        private final List<UsageSink> usageSinks = new ArrayList<>();
        private dev.watchllm.limit.RateLimitStore rateLimitStore;
        private dev.watchllm.cache.ResponseCache responseCache;

        private Builder() {
        }

        /** Where usage totals live; default: {@code usage/totals-YYYY-MM.json} under {@code store.dir}. Closed with the engine. */
        public Builder usageLedger(UsageLedger ledger) {
            this.usageLedger = Objects.requireNonNull(ledger, "usageLedger");
            return this;
        }

        /**
         * Adds a receiver of every usage record, besides the daily JSON-lines files under
         * {@code store.dir} (always written: {@code usage export} reads them). Closed with the engine.
         */
        public Builder addUsageSink(UsageSink sink) {
            this.usageSinks.add(Objects.requireNonNull(sink, "usageSink"));
            return this;
        }

        /**
         * Watches every LLM call, e.g. {@code WatchLlmTelemetry.create(openTelemetry)} from
         * {@code watchllm-otel}. Guarded: an observer that throws never breaks a request.
         */
        public Builder observer(ProxyObserver observer) {
            this.observer = Objects.requireNonNull(observer, "observer");
            return this;
        }

        /** The clock for TTLs, rate windows and months; tests pass a controllable one instead of sleeping. */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        public Builder config(WatchLlmConfig config) {
            this.config = Objects.requireNonNull(config, "config");
            return this;
        }

        /** Where minted keys live; default: {@code keys.jsonl} under {@code store.dir}. */
        public Builder keyStore(KeyStore keyStore) {
            this.keyStore = Objects.requireNonNull(keyStore, "keyStore");
            return this;
        }

        /**
         * Where the limit counters live (per-minute buckets, monthly quotas and budgets); default:
         * the store of {@code store.type} ({@code local}: memory and {@code limits.json}). Flushed, not closed, by the engine.
         */
        public Builder rateLimitStore(dev.watchllm.limit.RateLimitStore store) {
            this.rateLimitStore = Objects.requireNonNull(store, "rateLimitStore");
            return this;
        }

        /** Where the exact cache keeps answers; default: the store of {@code store.type} ({@code local}: Ehcache tiers). Closed with the engine. */
        public Builder responseCache(dev.watchllm.cache.ResponseCache cache) {
            this.responseCache = Objects.requireNonNull(cache, "responseCache");
            return this;
        }

        /** The client for providers; default: Jetty's {@code HttpClient}, closed with the engine. A given one is not closed. */
        public Builder upstream(Upstream upstream) {
            this.upstream = Objects.requireNonNull(upstream, "upstream");
            return this;
        }

        public WatchLlm build() {
            if (config == null) throw new IllegalStateException("config is required");
            return new WatchLlm(this);
        }
    }
}
