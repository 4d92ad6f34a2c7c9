package dev.watchllm.limit;

import io.github.bucket4j.Bucket;
import io.github.bucket4j.ConsumptionProbe;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.YearMonth;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The default {@link RateLimitStore}: per-minute buckets in memory (Bucket4j, lock-free, timed by
 * the engine's clock) and the month's counters in memory, persisted in {@code limits.json} under
 * {@code store.dir} by {@link #flush} and read back at start for the current month.
 */
public final class LocalRateLimitStore implements RateLimitStore {
    private final ClockTimeMeter time;
    private final MonthCounterFile file;
    private final Map<String, MonthCounterFile.Entry> saved;
    /** The latest month of each project: what {@link #flush} writes. */
    private final ConcurrentHashMap<String, MonthCounters> months = new ConcurrentHashMap<>();

    public LocalRateLimitStore(Clock clock, Path dir) {
        this.time = new ClockTimeMeter(clock);
        this.file = new MonthCounterFile(dir);
        this.saved = file.load();
    }

    @Override
    public RateBucket bucket(String projectId, String limit, long perMinute) {
        return localBucket(perMinute, time);
    }

    /** A Bucket4j bucket in this JVM; also what a shared store falls back to while it is unreachable. */
    public static RateBucket localBucket(long perMinute, io.github.bucket4j.TimeMeter time) {
        return new LocalBucket(Bucket.builder().addLimit(l -> l.capacity(perMinute).refillGreedy(perMinute, Duration.ofMinutes(1)))
                .withCustomTimePrecision(time).build());
    }

    /** A bucket of {@code perMinute} timed by {@code clock}. */
    public static RateBucket localBucket(long perMinute, Clock clock) {
        return localBucket(perMinute, new ClockTimeMeter(clock));
    }

    /** Month counters in this JVM only; also what a shared store falls back to while it is unreachable. */
    public static MonthQuota localMonth(YearMonth month) {
        return MonthCounters.of(month);
    }

    @Override
    public MonthQuota month(String projectId, YearMonth month) {
        return months.compute(projectId, (id, m) -> {
            if (m != null && m.period().equals(month)) return m;
            MonthCounterFile.Entry e = saved.get(id);
            return e != null && e.month().equals(month) ? MonthCounters.restored(month, e.requests(), e.spentMicros())
                    : MonthCounters.of(month);
        });
    }

    @Override
    public void flush() throws IOException {
        Map<String, MonthCounterFile.Entry> entries = new HashMap<>();
        months.forEach((id, m) -> entries.put(id, new MonthCounterFile.Entry(m.period(), m.requests(), m.spentMicros())));
        file.save(entries);
    }

    @Override
    public String describe() {
        return file.path().toString();
    }

    private static final class LocalBucket implements RateBucket {
        private final Bucket bucket;

        LocalBucket(Bucket bucket) {
            this.bucket = bucket;
        }

        @Override
        public ConsumptionProbe tryConsumeAndReturnRemaining(long n) {
            return bucket.tryConsumeAndReturnRemaining(n);
        }

        @Override
        public void addTokens(long n) {
            bucket.addTokens(n);
        }

        @Override
        public void consumeIgnoringRateLimits(long n) {
            bucket.consumeIgnoringRateLimits(n);
        }

        @Override
        public long getAvailableTokens() {
            return bucket.getAvailableTokens();
        }

        @Override
        public long nanosToWaitFor(long n) {
            return bucket.estimateAbilityToConsume(n).getNanosToWaitForRefill();
        }
    }
}
