package dev.watchllm.redis;

import dev.watchllm.limit.LocalRateLimitStore;
import dev.watchllm.limit.MonthQuota;
import dev.watchllm.limit.RateBucket;
import dev.watchllm.limit.RateLimitStore;
import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.TimeMeter;
import io.github.bucket4j.distributed.BucketProxy;
import io.github.bucket4j.distributed.ExpirationAfterWriteStrategy;
import io.github.bucket4j.distributed.proxy.ProxyManager;
import io.github.bucket4j.distributed.proxy.optimization.Optimizations;
import io.github.bucket4j.redis.lettuce.Bucket4jLettuce;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Clock;
import java.time.Duration;
import java.time.YearMonth;

/**
 * Limit counters shared by every engine on one Redis. Per-minute buckets are Bucket4j proxies
 * ({@code bucket4j_jdk17-lettuce}, compare-and-swap, one bucket per project and limit for all
 * engines, timed by the engine clock). Monthly quotas and budgets are one hash per project and
 * month, changed only by atomic Lua scripts ({@link RedisMonthQuota}). While Redis fails, each
 * bucket and month falls back to a local one in this engine (fail-open) or the call throws.
 */
final class RedisRateLimitStore implements RateLimitStore {
    private final ProxyManager<byte[]> buckets;
    private final StatefulRedisConnection<String, String> strings;
    private final RedisGuard guard;
    private final Clock clock;
    private final TimeMeter time;
    private final String where;
    private final RedisMonthQuota.Scripts scripts;

    RedisRateLimitStore(StatefulRedisConnection<byte[], byte[]> bytes, StatefulRedisConnection<String, String> strings, RedisGuard guard,
                        Clock clock, Duration timeout, String where) {
        this.time = new dev.watchllm.limit.ClockTimeMeter(clock);
        this.buckets = Bucket4jLettuce.casBasedBuilder(bytes)
                .clientClock(time)
                .requestTimeout(timeout)
                // a bucket idle long enough to be full again is the same as no bucket: let Redis drop it
                .expirationAfterWrite(ExpirationAfterWriteStrategy.basedOnTimeForRefillingBucketUpToMax(Duration.ofMinutes(1)))
                .build();
        this.strings = strings;
        this.guard = guard;
        this.clock = clock;
        this.where = where;
        this.scripts = new RedisMonthQuota.Scripts(strings);
    }

    @Override
    public RateBucket bucket(String projectId, String limit, long perMinute) {
        BucketConfiguration config = BucketConfiguration.builder()
                .addLimit(l -> l.capacity(perMinute).refillGreedy(perMinute, Duration.ofMinutes(1)))
                .build();
        // batching: concurrent calls of this engine on one bucket share one compare-and-swap instead of racing
        // each other into retries; every call still consumes atomically, so the limit stays exact across engines
        BucketProxy remote = buckets.builder().withOptimization(Optimizations.batching())
                .build(RedisKeys.rate(projectId, limit, perMinute), () -> config);
        return new SharedBucket(remote, LocalRateLimitStore.localBucket(perMinute, time), guard);
    }

    @Override
    public MonthQuota month(String projectId, YearMonth month) {
        return new RedisMonthQuota(month, RedisKeys.month(projectId, month), strings, scripts, guard,
                LocalRateLimitStore.localMonth(month));
    }

    @Override
    public String describe() {
        return where;
    }

    /**
     * One bucket on Redis, with this engine's bucket of the same size for when Redis does not answer.
     * It remembers what Redis last told it (the tokens left after each check or read), so the
     * rate-limit headers of answers that do not consume (checked before admission, bad requests,
     * the model list) need no round trip while that is at most {@value #FRESH_NANOS} ns old.
     */
    private static final class SharedBucket implements RateBucket {
        static final long FRESH_NANOS = 1_000_000_000L;
        private final BucketProxy remote;
        private final RateBucket local;
        private final RedisGuard guard;
        private volatile long seenTokens;
        private volatile long seenAt = Long.MIN_VALUE;

        SharedBucket(BucketProxy remote, RateBucket local, RedisGuard guard) {
            this.remote = remote;
            this.local = local;
            this.guard = guard;
        }

        @Override
        public ConsumptionProbe tryConsumeAndReturnRemaining(long n) {
            return guard.limit("rate limit check", () -> {
                ConsumptionProbe p = remote.tryConsumeAndReturnRemaining(n);
                saw(p.getRemainingTokens());
                return p;
            }, () -> local.tryConsumeAndReturnRemaining(n));
        }

        @Override
        public void addTokens(long n) {
            guard.limit("rate limit refund", () -> {
                remote.addTokens(n);
                seenTokens += n; // racy by design: a hint for headers
                return null;
            }, () -> {
                local.addTokens(n);
                return null;
            });
        }

        @Override
        public void consumeIgnoringRateLimits(long n) {
            guard.limit("token charge", () -> {
                long penalty = remote.consumeIgnoringRateLimits(n);
                seenTokens -= n;
                return penalty;
            }, () -> {
                local.consumeIgnoringRateLimits(n);
                return 0L;
            });
        }

        @Override
        public long getAvailableTokens() {
            return guard.limit("rate limit read", () -> {
                long v = remote.getAvailableTokens();
                saw(v);
                return v;
            }, local::getAvailableTokens);
        }

        @Override
        public long availableTokensForHeaders() {
            long at = seenAt;
            if (at != Long.MIN_VALUE && System.nanoTime() - at < FRESH_NANOS) return seenTokens;
            return getAvailableTokens();
        }

        private void saw(long tokens) {
            seenTokens = tokens;
            seenAt = System.nanoTime();
        }

        @Override
        public long nanosToWaitFor(long n) {
            return guard.limit("rate limit read", () -> remote.estimateAbilityToConsume(n).getNanosToWaitForRefill(), () -> local.nanosToWaitFor(n));
        }
    }
}
