package dev.watchllm.redis;

import dev.watchllm.metering.UsageLedger;
import dev.watchllm.metering.UsageRecord;
import dev.watchllm.metering.UsageTotals;
import dev.watchllm.store.StoreUnavailableException;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Duration;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Usage totals on Redis, shared by every engine: one hash per project and month
 * ({@code watchllm:usage:<project>:2026-03}) and per day ({@code ...:2026-03-10}), each field a
 * counter added to by one Lua script per record ({@code HINCRBY} on both, atomic). {@link #add}
 * sends without waiting (no I/O wait on the request thread); a record Redis did not take is kept
 * (up to {@value #MAX_PENDING}) and sent again by {@link #flush}, which the engine calls every
 * 30 s and at close. Reads ask Redis; when it cannot answer they throw
 * {@link StoreUnavailableException} (the usage endpoint answers 503 rather than wrong totals).
 */
final class RedisUsageLedger implements UsageLedger {
    static final int MAX_PENDING = 100_000;
    private static final long DAY_KEEP_SECONDS = 400L * 24 * 3600;
    private static final String[] FIELDS = {"requests", "cacheHits", "semanticHits", "inputTokens", "cachedInputTokens", "outputTokens",
        "reasoningTokens", "costMicros", "potentialCostMicros", "unpricedRequests", "estimatedRequests"};

    private final StatefulRedisConnection<String, String> c;
    private final RedisGuard guard;
    private final Script add;
    private final Duration timeout;
    private final ConcurrentLinkedQueue<UsageRecord> pending = new ConcurrentLinkedQueue<>();
    private final AtomicInteger pendingCount = new AtomicInteger();
    private final Set<CompletableFuture<Long>> inFlight = ConcurrentHashMap.newKeySet();

    RedisUsageLedger(StatefulRedisConnection<String, String> c, RedisGuard guard, Duration timeout) {
        this.c = c;
        this.guard = guard;
        this.timeout = timeout;
        this.add = new Script(c, ADD);
    }

    /** KEYS: month hash, day hash; ARGV: one increment per field of {@link #FIELDS}, then the day's lifetime in seconds. */
    private static final String ADD = fieldsTable() + """

            for i = 1, #FIELDS do
              local v = tonumber(ARGV[i])
              if v ~= 0 then
                redis.call('HINCRBY', KEYS[1], FIELDS[i], v)
                redis.call('HINCRBY', KEYS[2], FIELDS[i], v)
              end
            end
            redis.call('EXPIRE', KEYS[2], ARGV[#FIELDS + 1])
            return 1""";

    private static String fieldsTable() {
        StringBuilder b = new StringBuilder("local FIELDS = {");
        for (int i = 0; i < FIELDS.length; i++) b.append(i == 0 ? "" : ",").append('\'').append(FIELDS[i]).append('\'');
        return b.append('}').toString();
    }

    @Override
    public void add(UsageRecord r) {
        send(r);
    }

    private void send(UsageRecord r) {
        CompletableFuture<Long> f;
        try {
            f = add.runAsync(c, keysOf(r), argsOf(r));
        } catch (RuntimeException e) {
            keep(r, e);
            return;
        }
        inFlight.add(f);
        f.whenComplete((v, e) -> {
            inFlight.remove(f);
            if (e != null) keep(r, e);
            else guard.ok();
        });
    }

    private void keep(UsageRecord r, Throwable e) {
        guard.failed("usage write", e);
        if (pendingCount.incrementAndGet() > MAX_PENDING) {
            pendingCount.decrementAndGet(); // the oldest records win; totals lose the newest while Redis stays away this long
            return;
        }
        pending.add(r);
    }

    /** Waits for the writes sent so far, then sends again what Redis did not take. */
    @Override
    public void flush() {
        List<CompletableFuture<Long>> waiting = new ArrayList<>(inFlight);
        try {
            CompletableFuture.allOf(waiting.toArray(new CompletableFuture<?>[0])).get(timeout.toMillis() * 4, TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            // failures were kept for the retry below; a timeout leaves them to the next flush
        }
        if (guard.down() && !pending.isEmpty() && !reachable()) return;
        int n = pendingCount.get();
        for (int i = 0; i < n; i++) {
            UsageRecord r = pending.poll();
            if (r == null) break;
            pendingCount.decrementAndGet();
            try {
                add.run(c, keysOf(r), argsOf(r));
            } catch (RuntimeException e) {
                keep(r, e);
                return; // still failing: keep the rest for the next flush
            }
        }
    }

    private boolean reachable() {
        try {
            c.sync().ping();
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }

    @Override
    public UsageTotals month(String project, YearMonth month) {
        return read(RedisKeys.usage(project, month));
    }

    @Override
    public UsageTotals day(String project, LocalDate day) {
        return read(RedisKeys.usage(project, day));
    }

    private UsageTotals read(String key) {
        Map<String, String> h;
        try {
            h = c.sync().hgetall(key);
            guard.ok();
        } catch (RuntimeException e) {
            guard.failed("usage read", e);
            throw new StoreUnavailableException("usage totals cannot be read from Redis", e);
        }
        if (h == null || h.isEmpty()) return UsageTotals.EMPTY;
        long[] v = new long[FIELDS.length];
        for (int i = 0; i < FIELDS.length; i++) {
            String s = h.get(FIELDS[i]);
            v[i] = s == null ? 0 : Long.parseLong(s);
        }
        return new UsageTotals(v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8], v[9], v[10]);
    }

    /** Records not yet in Redis (for tests and monitoring). */
    int pending() {
        return pendingCount.get();
    }

    private static String[] keysOf(UsageRecord r) {
        LocalDate day = r.time().atZone(ZoneOffset.UTC).toLocalDate();
        return new String[] {RedisKeys.usage(r.project(), YearMonth.from(day)), RedisKeys.usage(r.project(), day)};
    }

    private static String[] argsOf(UsageRecord r) {
        UsageTotals d = UsageTotals.EMPTY.plus(r);
        return new String[] {Long.toString(d.requests()), Long.toString(d.cacheHits()), Long.toString(d.semanticHits()),
            Long.toString(d.inputTokens()), Long.toString(d.cachedInputTokens()), Long.toString(d.outputTokens()),
            Long.toString(d.reasoningTokens()), Long.toString(d.costMicros()), Long.toString(d.potentialCostMicros()),
            Long.toString(d.unpricedRequests()), Long.toString(d.estimatedRequests()), Long.toString(DAY_KEEP_SECONDS)};
    }
}
