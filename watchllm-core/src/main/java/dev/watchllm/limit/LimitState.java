package dev.watchllm.limit;

import java.time.YearMonth;

/**
 * A project's limit counters at one moment.
 *
 * @param month             the calendar month (UTC) the monthly counters belong to
 * @param requestsThisMonth requests admitted this month (cache hits included)
 * @param spentMicros       settled cost this month, in micro-dollars
 * @param reservedMicros    worst-case cost reserved by calls still in flight
 * @param inFlight          calls holding a concurrency slot (0 when the plan has no {@code concurrentRequests})
 * @param requestsAvailable requests the per-minute bucket would admit now
 * @param tokensAvailable   tokens left this minute (negative: debt); {@code Long.MAX_VALUE} without a token limit
 */
public record LimitState(YearMonth month, long requestsThisMonth, long spentMicros, long reservedMicros, int inFlight,
                         long requestsAvailable, long tokensAvailable) {
}
