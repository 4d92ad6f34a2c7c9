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
 * The hash expires some months after its month ended.
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
            this.count = new Script(c, """
                    local n = tonumber(redis.call('HGET', KEYS[1], 'requests') or '0')
                    if n >= tonumber(ARGV[1]) then return 0 end
                    redis.call('HINCRBY', KEYS[1], 'requests', 1)
                    redis.call('EXPIREAT', KEYS[1], ARGV[2])
                    return 1""");
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
        return guard.limit("quota read", () -> field("requests"), local::requests);
    }

    @Override
    public boolean tryCountRequest(long limit) {
        return guard.limit("quota check", () -> scripts.count.run(c, key, Long.toString(limit), expireAt) == 1L,
                () -> local.tryCountRequest(limit));
    }

    @Override
    public void uncountRequest() {
        guard.limit("quota refund", () -> c.sync().hincrby(key[0], "requests", -1), () -> {
            local.uncountRequest();
            return 0L;
        });
    }

    @Override
    public long committedMicros() {
        return guard.limit("budget read", () -> field("committed"), local::committedMicros);
    }

    @Override
    public long spentMicros() {
        return guard.limit("budget read", () -> field("spent"), local::spentMicros);
    }

    @Override
    public boolean tryReserve(long micros, long budgetMicros) {
        return guard.limit("budget reservation", () -> scripts.reserve.run(c, key, Long.toString(micros), Long.toString(budgetMicros), expireAt) == 1L,
                () -> local.tryReserve(micros, budgetMicros));
    }

    @Override
    public void settle(long reservedMicros, long actualMicros) {
        guard.limit("budget settlement", () -> scripts.settle.run(c, key, Long.toString(reservedMicros), Long.toString(actualMicros), expireAt),
                () -> {
                    local.settle(reservedMicros, actualMicros);
                    return 0L;
                });
    }

    private long field(String name) {
        String v = c.sync().hget(key[0], name);
        return v == null ? 0 : Long.parseLong(v);
    }
}
