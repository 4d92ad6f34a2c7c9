package dev.watchllm.limit;

import dev.watchllm.metering.AnswerUsage;
import dev.watchllm.metering.TokenUsage;

import dev.watchllm.auth.Caller;
import dev.watchllm.config.PlanConfig;
import dev.watchllm.config.ProjectConfig;
import dev.watchllm.config.WatchLlmConfig;
import dev.watchllm.http.Exchange;
import dev.watchllm.http.WatchLlmHeaders;
import dev.watchllm.internal.CallResult;
import dev.watchllm.openai.OpenAiError;
import dev.watchllm.openai.ParsedRequest;
import dev.watchllm.store.StoreUnavailableException;
import io.github.bucket4j.ConsumptionProbe;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Enforces each project's plan ({@code requestsPerMinute}, {@code tokensPerMinute},
 * {@code requestsPerMonth}, {@code concurrentRequests}) and {@code budget.monthlyUsd}.
 *
 * <p>{@link #admit} runs before the cache lookup and the provider; it counts the request and, when
 * needed, takes a concurrency slot and reserves the request's worst-case cost. {@link #accept}
 * (a settle step) runs once the call ended, on every path: it frees the slot, replaces the
 * reservation by the real cost, and charges the real token usage to the per-minute token bucket,
 * which may go into debt that later requests wait out. Cache hits count as requests but cost no
 * tokens and no money.
 *
 * <p>The counters live in a {@link RateLimitStore}. By default ({@link LocalRateLimitStore}) the
 * per-minute buckets are in memory (Bucket4j, lock-free) and the month's requests and spend persist
 * in {@code limits.json} under {@code store.dir}: written every {@value #FLUSH_SECONDS} s while
 * they change and on {@link #close()}, read back at start for the current month. A shared store
 * (Redis) holds one set of counters for every engine. When a shared store is configured with
 * {@code failOpen: false} and cannot answer, the request is answered 503 {@code store_unavailable}.
 */
public final class PlanLimiter implements Consumer<CallResult>, AutoCloseable {
    static final long FLUSH_SECONDS = 5;
    /** How long a client is told to wait when all of its project's concurrency slots are taken: no better guess exists. */
    static final long CONCURRENCY_RETRY_NANOS = Duration.ofSeconds(1).toNanos();

    static final String LIMIT_REQUESTS = "x-ratelimit-limit-requests";
    static final String REMAINING_REQUESTS = "x-ratelimit-remaining-requests";
    static final String RESET_REQUESTS = "x-ratelimit-reset-requests";
    static final String LIMIT_TOKENS = "x-ratelimit-limit-tokens";
    static final String REMAINING_TOKENS = "x-ratelimit-remaining-tokens";
    static final String RESET_TOKENS = "x-ratelimit-reset-tokens";

    private static final Logger LOG = LoggerFactory.getLogger(PlanLimiter.class);

    private final Clock clock;
    private final BudgetPricing pricing;
    private final Map<String, ProjectLimits> projects;
    /** Calls admitted and not yet settled that hold something to give back; keyed by their request object. */
    private final ConcurrentHashMap<RequestKey, Ticket> open = new ConcurrentHashMap<>();
    private final RateLimitStore store;
    private final Object flushLock = new Object();
    private final ScheduledFuture<?> flusher;
    private volatile boolean dirty;
    private boolean flushFailing;

    /**
     * @param scheduler runs the periodic flush; null for none (then only {@link #flush()} and {@link #close()} write)
     */
    public PlanLimiter(WatchLlmConfig config, Clock clock, BudgetPricing pricing, ScheduledExecutorService scheduler) {
        this(config, clock, pricing, scheduler, null);
    }

    /**
     * @param store where the counters live; null for the {@link LocalRateLimitStore} under {@code store.dir}.
     *              The limiter flushes it but does not close it: its opener does.
     */
    public PlanLimiter(WatchLlmConfig config, Clock clock, BudgetPricing pricing, ScheduledExecutorService scheduler,
                       RateLimitStore store) {
        this.clock = clock;
        this.pricing = pricing;
        this.store = store != null ? store : new LocalRateLimitStore(clock, config.store().dir());
        long now = clock.millis();
        Map<String, ProjectLimits> map = new HashMap<>();
        for (ProjectConfig pc : config.projects()) {
            PlanConfig plan = config.plans().get(pc.plan());
            map.put(pc.id(), new ProjectLimits(pc, plan, this.store, now));
        }
        this.projects = Map.copyOf(map);
        this.flusher = scheduler == null ? null
                : scheduler.scheduleWithFixedDelay(this::flushIfChanged, FLUSH_SECONDS, FLUSH_SECONDS, TimeUnit.SECONDS);
    }

    /**
     * Admits or rejects one request of {@code caller} and writes the {@code x-ratelimit-*} headers
     * (and, when rejected, {@code retry-after}/{@code retry-after-ms} or {@code x-should-retry})
     * to {@code ex}. An admitted request must be settled through {@link #accept} with the same
     * {@code request} object.
     */
    public Admission admit(Caller caller, ParsedRequest request, Exchange ex) {
        ProjectLimits p = projects.get(caller.projectId());
        if (p == null) return Admission.ADMITTED; // not a configured project: nothing to enforce
        try {
            return admit(p, request, ex);
        } catch (StoreUnavailableException e) {
            return Admission.rejected(StoreUnavailableException.ERROR); // the store logs the outage, once a minute
        }
    }

    private Admission admit(ProjectLimits p, ParsedRequest request, Exchange ex) {
        PlanConfig plan = p.plan;
        MonthQuota month = p.month(clock.millis());

        // Checks first, cheapest and final ones (quota, budget) before those a retry fixes.
        if (month.requestsSpent(plan.requestsPerMonth())) return quotaSpent(ex, p, month, LimitErrors.monthlyRequests(p, month));
        if (p.budgetMicros > 0 && month.budgetSpent(p.budgetMicros)) return quotaSpent(ex, p, month, LimitErrors.budget(p, month));
        if (p.tokens != null) {
            long available = p.tokens.getAvailableTokens();
            if (available <= 0) {
                long wait = p.tokens.nanosToWaitFor(1);
                return rateLimited(ex, p, LimitErrors.tokensPerMinute(p, available, wait), wait);
            }
        }
        boolean slot = plan.concurrentRequests() > 0;
        if (slot && !p.tryAcquireSlot()) {
            return rateLimited(ex, p, LimitErrors.concurrentRequests(p, CONCURRENCY_RETRY_NANOS), CONCURRENCY_RETRY_NANOS);
        }
        ConsumptionProbe probe;
        try {
            probe = p.requests.tryConsumeAndReturnRemaining(1);
        } catch (StoreUnavailableException e) {
            if (slot) p.releaseSlot();
            throw e;
        }
        if (!probe.isConsumed()) {
            if (slot) p.releaseSlot();
            long wait = probe.getNanosToWaitForRefill();
            return rateLimited(ex, p, LimitErrors.requestsPerMinute(p, wait), wait);
        }

        // Then take what the request uses; a concurrent request may have taken the last of it since the checks.
        try {
            return take(p, month, request, ex, slot, probe);
        } catch (StoreUnavailableException e) {
            if (slot) p.releaseSlot();
            throw e;
        }
    }

    private Admission take(ProjectLimits p, MonthQuota month, ParsedRequest request, Exchange ex, boolean slot, ConsumptionProbe probe) {
        PlanConfig plan = p.plan;
        if (!month.tryCountRequest(plan.requestsPerMonth())) {
            p.requests.addTokens(1);
            if (slot) p.releaseSlot();
            return quotaSpent(ex, p, month, LimitErrors.monthlyRequests(p, month));
        }
        long reserved = 0;
        if (p.budgetMicros > 0) {
            reserved = Math.max(1, pricing.worstCaseMicros(request));
            if (!month.tryReserve(reserved, p.budgetMicros)) {
                month.uncountRequest();
                p.requests.addTokens(1);
                if (slot) p.releaseSlot();
                return quotaSpent(ex, p, month, LimitErrors.budget(p, month));
            }
        }
        if (slot || reserved > 0 || p.tokens != null) {
            long tokensIfUnknown = p.tokens == null ? 0 : TokenEstimate.promptTokens(request) + TokenEstimate.requestedOutput(request);
            open.put(new RequestKey(request), new Ticket(p, month, slot, reserved, tokensIfUnknown));
        }
        if (!dirty) dirty = true;
        writeRequestHeaders(ex, p, probe.getRemainingTokens(), probe.getNanosToWaitForReset());
        try {
            writeTokenHeaders(ex, p);
        } catch (StoreUnavailableException e) {
            // admitted already; only the token headers are missing
        }
        return Admission.ADMITTED;
    }

    /**
     * Writes the {@code x-ratelimit-*} headers as they stand, for an answer that is not admitted
     * through {@link #admit} (a bad request, the model list): every answer to a project carries them.
     */
    public void describe(Caller caller, Exchange ex) {
        ProjectLimits p = projects.get(caller.projectId());
        if (p == null) return;
        try {
            describeProject(ex, p);
        } catch (StoreUnavailableException e) {
            // no counters to describe; admission answers 503 if the request needs them
        }
    }

    /**
     * Settles a call admitted by {@link #admit}: frees its concurrency slot, charges its real
     * usage (none for a cache hit) to the token bucket and its real cost to the budget. Without
     * reported usage, a call whose outcome is unknown (client gone, provider too slow, a stream
     * cut off) is charged its reservation and its prompt estimate plus {@code max_tokens}: the
     * provider may well have billed it. An error the provider answered costs nothing.
     */
    @Override
    public void accept(CallResult r) {
        Ticket t = open.remove(new RequestKey(r.request()));
        if (t == null) return;
        ProjectLimits p = t.project;
        if (t.slot) p.releaseSlot();
        String cache = r.cacheStatus();
        boolean hit = cache != null && cache.startsWith("HIT");
        long tokens = 0;
        long cost = 0;
        if (!hit && (p.tokens != null || t.reservedMicros > 0)) {
            TokenUsage usage = AnswerUsage.read(r.body(), r.events());
            if (usage != null) {
                tokens = usage.inputTokens() + usage.outputTokens();
                if (t.reservedMicros > 0) cost = Math.max(0, pricing.costMicros(r.request().model(), usage));
            } else if (outcomeUnknown(r.status())) {
                tokens = t.tokensIfUnknown;
                cost = t.reservedMicros;
            }
        }
        if (tokens > 0 && p.tokens != null) p.tokens.consumeIgnoringRateLimits(tokens);
        if (t.reservedMicros > 0) {
            t.month.settle(t.reservedMicros, cost);
            if (!dirty) dirty = true;
        }
    }

    /** 2xx without usage (a cut-off stream), 504 (too slow, maybe still billed), 0 (the client left before an answer). */
    private static boolean outcomeUnknown(int status) {
        return status / 100 == 2 || status == 504 || status == 0;
    }

    /** The counters of {@code projectId} now, or null for an unknown project. */
    public LimitState state(String projectId) {
        ProjectLimits p = projects.get(projectId);
        if (p == null) return null;
        MonthQuota m = p.month(clock.millis());
        long spent = m.spentMicros();
        return new LimitState(m.period(), m.requests(), spent, Math.max(0, m.committedMicros() - spent), p.inFlight(),
                p.requests.getAvailableTokens(), p.tokens == null ? Long.MAX_VALUE : p.tokens.getAvailableTokens());
    }

    /** Writes the month counters to the store now ({@code store.dir} for the local store). */
    public void flush() throws IOException {
        synchronized (flushLock) {
            dirty = false; // cleared before reading, so a change made during the write marks it again
            try {
                store.flush();
            } catch (IOException e) {
                dirty = true;
                throw e;
            }
        }
    }

    private void flushIfChanged() {
        if (!dirty) return;
        try {
            flush();
            if (flushFailing) LOG.info("Limit counters are written to {} again", store.describe());
            flushFailing = false;
        } catch (IOException | RuntimeException e) {
            if (!flushFailing) {
                LOG.warn("Cannot write limit counters to {} (will keep trying every {}s): {}", store.describe(), FLUSH_SECONDS, e.toString());
            }
            flushFailing = true;
        }
    }

    /** Stops the periodic flush and writes the counters a last time. */
    @Override
    public void close() {
        if (flusher != null) flusher.cancel(false);
        try {
            flush();
        } catch (IOException e) {
            LOG.error("Cannot write limit counters to {} at shutdown; this month's counts since the last write are lost: {}",
                    store.describe(), e.toString());
        }
    }

    private static Admission rateLimited(Exchange ex, ProjectLimits p, OpenAiError error, long waitNanos) {
        ex.header(WatchLlmHeaders.RETRY_AFTER, Long.toString(RateLimitDurations.retryAfterSeconds(waitNanos)));
        ex.header(WatchLlmHeaders.RETRY_AFTER_MS, Long.toString(RateLimitDurations.retryAfterMillis(waitNanos)));
        describeProject(ex, p);
        return Admission.rejected(error);
    }

    /** A spent quota: not worth retrying before the month resets, which {@code retry-after} tells. */
    private Admission quotaSpent(Exchange ex, ProjectLimits p, MonthQuota month, OpenAiError error) {
        ex.header(WatchLlmHeaders.SHOULD_RETRY, "false");
        return rateLimited(ex, p, error, (month.endMillis() - clock.millis()) * 1_000_000L);
    }

    private static void describeProject(Exchange ex, ProjectLimits p) {
        long available = Math.max(0, p.requests.availableTokensForHeaders());
        writeRequestHeaders(ex, p, available, ProjectLimits.resetNanos(p.plan.requestsPerMinute(), available, p.requestNanosPerToken));
        writeTokenHeaders(ex, p);
    }

    private static void writeRequestHeaders(Exchange ex, ProjectLimits p, long remaining, long resetNanos) {
        ex.header(LIMIT_REQUESTS, p.requestLimitText);
        ex.header(REMAINING_REQUESTS, Long.toString(remaining));
        ex.header(RESET_REQUESTS, RateLimitDurations.format(resetNanos));
    }

    /** Only for plans with {@code tokensPerMinute}: a plan without one has no token limit to describe. */
    private static void writeTokenHeaders(Exchange ex, ProjectLimits p) {
        if (p.tokens == null) return;
        long available = p.tokens.availableTokensForHeaders();
        ex.header(LIMIT_TOKENS, p.tokenLimitText);
        ex.header(REMAINING_TOKENS, Long.toString(Math.max(0, available)));
        ex.header(RESET_TOKENS, RateLimitDurations.format(
                ProjectLimits.resetNanos(p.plan.tokensPerMinute(), available, p.tokenNanosPerToken)));
    }

    /** What an admitted call holds until it is settled. */
    private record Ticket(ProjectLimits project, MonthQuota month, boolean slot, long reservedMicros, long tokensIfUnknown) {
    }

    /** A request object by identity: two requests with equal bodies are still two calls. */
    private static final class RequestKey {
        private final ParsedRequest request;

        RequestKey(ParsedRequest request) {
            this.request = request;
        }

        @Override
        public int hashCode() {
            return System.identityHashCode(request);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof RequestKey k && k.request == request;
        }
    }
}
