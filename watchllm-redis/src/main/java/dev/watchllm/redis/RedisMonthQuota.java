package dev.watchllm.redis;

import dev.watchllm.limit.MonthQuota;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.YearMonth;
import java.time.ZoneOffset;

/**
 * One project's month in a Redis hash ({@code requests}, {@code committed}, {@code spent}; money in
 * integer micro-dollars). Every check-and-change is one Lua script, atomic across engines: a
 * request is counted only while under the quota, a reservation made only while the committed
 * amount is under the budget, and settling replaces the reservation by the real cost in one step.
 * The hash expires some months after its month ended. Admission's early checks
 * ({@link #requestsSpent}, {@link #budgetSpent}) answer "not spent" from what this engine last
 * learned (each count returns the month's count) without a round trip; "spent" is always asked.
 */
final class RedisMonthQuota extends MonthQuota {
    /** How long a month's counters stay after it ended: long enough for reports and late settlements. */
    private static final long KEEP_SECONDS = 400L * 24 * 3600;

    /** The scripts, loaded once per store. */
    static final class Scripts {
        final Script count;
        final Script reserve;
        final Script settle;

        Scripts(StatefulRedisConnection<String, String> c) {
            // the count after (n + 1) when counted, -(n + 1) when not: either way the engine learns where the month stands
            this.count = new Script(c, """
                    local n = tonumber(redis.call('HGET', KEYS[1], 'requests') or '0')
                    if n >= tonumber(ARGV[1]) then return -n - 1 end
                    n = redis.call('HINCRBY', KEYS[1], 'requests', 1)
                    redis.call('EXPIREAT', KEYS[1], ARGV[2])
                    return n""");
            this.reserve = new Script(c, """
                    local c = tonumber(redis.call('HGET', KEYS[1], 'committed') or '0')
                    if c >= tonumber(ARGV[2]) then return 0 end
                    redis.call('HINCRBY', KEYS[1], 'committed', ARGV[1])
                    redis.call('EXPIREAT', KEYS[1], ARGV[3])
                    return 1""");
            this.settle = new Script(c, """
                    redis.call('HINCRBY', KEYS[1], 'spent', ARGV[2])
                    redis.call('HINCRBY', KEYS[1], 'committed', tonumber(ARGV[2]) - tonumber(ARGV[1]))
                    redis.call('EXPIREAT', KEYS[1], ARGV[3])
                    return 1""");
        }
    }

    private final String[] key;
    private final StatefulRedisConnection<String, String> c;
    private final Scripts scripts;
    private final RedisGuard guard;
    private final MonthQuota local;
    private final String expireAt;
    /** The month's request count as this engine last learned it from Redis; -1 before it asked. */
    private volatile long seenRequests = -1;
    /** The committed amount as this engine last learned it (approximately: its own changes are added); -1 before it asked. */
    private volatile long seenCommitted = -1;

    RedisMonthQuota(YearMonth month, String key, StatefulRedisConnection<String, String> c, Scripts scripts, RedisGuard guard,
                    MonthQuota local) {
        super(month);
        this.key = new String[] {key};
        this.c = c;
        this.scripts = scripts;
        this.guard = guard;
        this.local = local;
        long end = month.plusMonths(1).atDay(1).atStartOfDay().toEpochSecond(ZoneOffset.UTC);
        this.expireAt = Long.toString(end + KEEP_SECONDS);
    }

    @Override
    public long requests() {
        return guard.limit("quota read", () -> seenRequests = field("requests"), local::requests);
    }

    /** Asks Redis only when the count this engine last saw is already at the limit (so a spent quota is always confirmed). */
    @Override
    public boolean requestsSpent(long limit) {
        long seen = seenRequests;
        if (seen >= 0 && seen < limit) return false;
        return requests() >= limit;
    }

    @Override
    public boolean tryCountRequest(long limit) {
        return guard.limit("quota check", () -> {
            long n = scripts.count.run(c, key, Long.toString(limit), expireAt);
            seenRequests = n > 0 ? n : -n - 1;
            return n > 0;
        }, () -> local.tryCountRequest(limit));
    }

    @Override
    public void uncountRequest() {
        guard.limit("quota refund", () -> seenRequests = c.sync().hincrby(key[0], "requests", -1), () -> {
            local.uncountRequest();
            return 0L;
        });
    }

    @Override
    public long committedMicros() {
        return guard.limit("budget read", () -> seenCommitted = field("committed"), local::committedMicros);
    }

    /** As {@link #requestsSpent}: asks Redis only when what this engine last saw is at the budget. */
    @Override
    public boolean budgetSpent(long budgetMicros) {
        long seen = seenCommitted;
        if (seen >= 0 && seen < budgetMicros) return false;
        return committedMicros() >= budgetMicros;
    }

    @Override
    public long spentMicros() {
        return guard.limit("budget read", () -> field("spent"), local::spentMicros);
    }

    @Override
    public boolean tryReserve(long micros, long budgetMicros) {
        return guard.limit("budget reservation", () -> {
            boolean reserved = scripts.reserve.run(c, key, Long.toString(micros), Long.toString(budgetMicros), expireAt) == 1L;
            long seen = seenCommitted;
            if (!reserved) seenCommitted = Math.max(seen, budgetMicros); // refused: at the budget, whatever it was before
            else if (seen >= 0) seenCommitted = seen + micros;
            return reserved;
        }, () -> local.tryReserve(micros, budgetMicros));
    }

    @Override
    public void settle(long reservedMicros, long actualMicros) {
        guard.limit("budget settlement", () -> {
            scripts.settle.run(c, key, Long.toString(reservedMicros), Long.toString(actualMicros), expireAt);
            long seen = seenCommitted;
            if (seen >= 0) seenCommitted = Math.max(0, seen + actualMicros - reservedMicros);
            return 0L;
        }, () -> {
            local.settle(reservedMicros, actualMicros);
            return 0L;
        });
    }

    private long field(String name) {
        String v = c.sync().hget(key[0], name);
        return v == null ? 0 : Long.parseLong(v);
    }
}
