package dev.watchllm.limit;

import java.io.IOException;
import java.time.YearMonth;

/**
 * Where the limiter keeps its counters: the per-minute buckets and the monthly quota and budget
 * counters of every project. The default, {@link LocalRateLimitStore}, keeps them in this engine
 * (Bucket4j in memory, months in {@code limits.json}); a shared store (e.g. {@code watchllm-redis})
 * keeps one bucket and one month per project for every engine that uses it. Thread-safe.
 */
public interface RateLimitStore extends AutoCloseable {
    /**
     * The bucket of {@code projectId}'s {@code limit} ({@code requests} or {@code tokens}) holding
     * {@code perMinute} tokens, refilled smoothly over the minute. Called once per project and limit.
     */
    RateBucket bucket(String projectId, String limit, long perMinute);

    /** The counters of {@code projectId} for {@code month}; called at start and on the first request of each month. */
    MonthQuota month(String projectId, YearMonth month);

    /** Makes the monthly counters durable; a store that writes through has nothing to do. */
    default void flush() throws IOException {
    }

    /** Where the counters live, for log lines. */
    String describe();

    /** Releases what the store holds; the limiter calls {@link #flush} before. */
    @Override
    default void close() {
    }
}
