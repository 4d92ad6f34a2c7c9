package dev.watchllm.limit;

import dev.watchllm.config.PlanConfig;
import dev.watchllm.config.ProjectConfig;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One project's live limit state: its per-minute buckets (refilled smoothly over the minute, as
 * OpenAI's limits are; from the {@link RateLimitStore}), its in-flight count (always this engine's)
 * and its current month's counters.
 */
final class ProjectLimits {
    private static final long MINUTE_NANOS = Duration.ofMinutes(1).toNanos();

    final String projectId;
    final PlanConfig plan;
    /** The monthly budget in micro-dollars; 0 when the project has none. */
    final long budgetMicros;
    final RateBucket requests;
    /** Null when the plan has no {@code tokensPerMinute}. */
    final RateBucket tokens;
    final double requestNanosPerToken;
    final double tokenNanosPerToken;
    final String requestLimitText;
    final String tokenLimitText;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final RateLimitStore store;
    private volatile MonthQuota month;

    ProjectLimits(ProjectConfig project, PlanConfig plan, RateLimitStore store, long nowMillis) {
        this.projectId = project.id();
        this.plan = plan;
        this.budgetMicros = project.budgetMonthlyUsd() > 0 ? Math.round(project.budgetMonthlyUsd() * 1_000_000d) : 0;
        long rpm = plan.requestsPerMinute();
        this.requests = store.bucket(projectId, "requests", rpm);
        this.requestNanosPerToken = (double) MINUTE_NANOS / rpm;
        this.requestLimitText = Long.toString(rpm);
        long tpm = plan.tokensPerMinute();
        this.tokens = tpm <= 0 ? null : store.bucket(projectId, "tokens", tpm);
        this.tokenNanosPerToken = tpm <= 0 ? 0 : (double) MINUTE_NANOS / tpm;
        this.tokenLimitText = Long.toString(tpm);
        this.store = store;
        this.month = store.month(projectId, MonthQuota.monthOf(nowMillis));
    }

    /** This month's counters; the first call in a new month starts fresh ones. */
    MonthQuota month(long nowMillis) {
        MonthQuota m = month;
        if (m.contains(nowMillis)) return m;
        synchronized (this) {
            m = month;
            if (!m.contains(nowMillis)) {
                m = store.month(projectId, MonthQuota.monthOf(nowMillis));
                month = m;
            }
            return m;
        }
    }

    boolean tryAcquireSlot() {
        int max = plan.concurrentRequests();
        int n;
        do {
            n = inFlight.get();
            if (n >= max) return false;
        } while (!inFlight.compareAndSet(n, n + 1));
        return true;
    }

    void releaseSlot() {
        inFlight.decrementAndGet();
    }

    int inFlight() {
        return inFlight.get();
    }

    /** Time until a bucket that holds {@code available} of {@code capacity} is full again. */
    static long resetNanos(long capacity, long available, double nanosPerToken) {
        return available >= capacity ? 0 : (long) Math.ceil((capacity - available) * nanosPerToken);
    }
}
