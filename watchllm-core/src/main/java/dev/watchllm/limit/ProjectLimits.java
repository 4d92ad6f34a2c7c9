package dev.watchllm.limit;

import dev.watchllm.config.PlanConfig;
import dev.watchllm.config.ProjectConfig;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.TimeMeter;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One project's live limit state: its per-minute buckets (Bucket4j, lock-free, refilled smoothly
 * over the minute, as OpenAI's limits are), its in-flight count and its current month's counters.
 */
final class ProjectLimits {
    private static final long MINUTE_NANOS = Duration.ofMinutes(1).toNanos();

    final String projectId;
    final PlanConfig plan;
    /** The monthly budget in micro-dollars; 0 when the project has none. */
    final long budgetMicros;
    final Bucket requests;
    /** Null when the plan has no {@code tokensPerMinute}. */
    final Bucket tokens;
    final double requestNanosPerToken;
    final double tokenNanosPerToken;
    final String requestLimitText;
    final String tokenLimitText;
    private final AtomicInteger inFlight = new AtomicInteger();
    private volatile MonthCounters month;

    ProjectLimits(ProjectConfig project, PlanConfig plan, TimeMeter time, MonthCounters month) {
        this.projectId = project.id();
        this.plan = plan;
        this.budgetMicros = project.budgetMonthlyUsd() > 0 ? Math.round(project.budgetMonthlyUsd() * 1_000_000d) : 0;
        long rpm = plan.requestsPerMinute();
        this.requests = Bucket.builder().addLimit(l -> l.capacity(rpm).refillGreedy(rpm, Duration.ofMinutes(1)))
                .withCustomTimePrecision(time).build();
        this.requestNanosPerToken = (double) MINUTE_NANOS / rpm;
        this.requestLimitText = Long.toString(rpm);
        long tpm = plan.tokensPerMinute();
        this.tokens = tpm <= 0 ? null : Bucket.builder().addLimit(l -> l.capacity(tpm).refillGreedy(tpm, Duration.ofMinutes(1)))
                .withCustomTimePrecision(time).build();
        this.tokenNanosPerToken = tpm <= 0 ? 0 : (double) MINUTE_NANOS / tpm;
        this.tokenLimitText = Long.toString(tpm);
        this.month = month;
    }

    /** This month's counters; the first call in a new month starts fresh ones. */
    MonthCounters month(long nowMillis) {
        MonthCounters m = month;
        if (m.contains(nowMillis)) return m;
        synchronized (this) {
            m = month;
            if (!m.contains(nowMillis)) {
                m = MonthCounters.at(nowMillis);
                month = m;
            }
            return m;
        }
    }

    /** The current counters without rolling over (for persisting and reporting). */
    MonthCounters currentMonth() {
        return month;
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
