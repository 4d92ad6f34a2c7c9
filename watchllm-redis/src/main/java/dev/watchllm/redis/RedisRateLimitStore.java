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
        BucketProxy remote = buckets.builder().build(RedisKeys.rate(projectId, limit, perMinute), () -> config);
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

    /** One bucket on Redis, with this engine's bucket of the same size for when Redis does not answer. */
    private static final class SharedBucket implements RateBucket {
        private final BucketProxy remote;
        private final RateBucket local;
        private final RedisGuard guard;

        SharedBucket(BucketProxy remote, RateBucket local, RedisGuard guard) {
            this.remote = remote;
            this.local = local;
            this.guard = guard;
        }

        @Override
        public ConsumptionProbe tryConsumeAndReturnRemaining(long n) {
            return guard.limit("rate limit check", () -> remote.tryConsumeAndReturnRemaining(n), () -> local.tryConsumeAndReturnRemaining(n));
        }

        @Override
        public void addTokens(long n) {
            guard.limit("rate limit refund", () -> {
                remote.addTokens(n);
                return null;
            }, () -> {
                local.addTokens(n);
                return null;
            });
        }

        @Override
        public void consumeIgnoringRateLimits(long n) {
            guard.limit("token charge", () -> remote.consumeIgnoringRateLimits(n), () -> {
                local.consumeIgnoringRateLimits(n);
                return 0L;
            });
        }

        @Override
        public long getAvailableTokens() {
            return guard.limit("rate limit read", remote::getAvailableTokens, local::getAvailableTokens);
        }

        @Override
        public long nanosToWaitFor(long n) {
            return guard.limit("rate limit read", () -> remote.estimateAbilityToConsume(n).getNanosToWaitForRefill(), () -> local.nanosToWaitFor(n));
        }
    }
}
