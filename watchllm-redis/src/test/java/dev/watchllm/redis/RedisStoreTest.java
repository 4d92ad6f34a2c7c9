package dev.watchllm.redis;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.watchllm.limit.MonthQuota;
import dev.watchllm.testing.AbstractStoreTest;
import java.time.YearMonth;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The store test kit against a real Redis. */
// Runs every spec of AbstractStoreTest; their assertions live there, one kit for every mounting/store.
class RedisStoreTest extends AbstractStoreTest {
    @RegisterExtension
    static final EmbeddedRedis redis = EmbeddedRedis.perClass(true);

    /**
     * Each engine's early quota check answers "not spent" from the count it last saw, without a
     * round trip; the count itself is exact across engines, and "spent" is always asked.
     */
    @Test
    void anEnginesEarlyCheckMayLagButTheCountNeverDoes() {
        try (RedisStores a = RedisStores.connect(redis.uri(), true, clock); RedisStores b = RedisStores.connect(redis.uri(), true, clock)) {
            MonthQuota ma = a.rateLimitStore().month("p1", YearMonth.of(2026, 3));
            MonthQuota mb = b.rateLimitStore().month("p1", YearMonth.of(2026, 3));
            assertFalse(ma.requestsSpent(3));
            for (int i = 0; i < 3; i++) assertTrue(mb.tryCountRequest(3));
            assertFalse(ma.requestsSpent(3), "a saw 0 and did not ask again");
            assertFalse(ma.tryCountRequest(3), "the count is exact: three in total");
            assertTrue(ma.requestsSpent(3), "the refusal taught a the count");
            mb.uncountRequest();
            assertFalse(ma.requestsSpent(3), "spent is confirmed with Redis, which now holds 2");
            assertTrue(ma.tryCountRequest(3));
        }
    }

    @Override
    protected Stores open() {
        RedisStores s = RedisStores.connect(redis.uri(), true, clock);
        return new Stores(s.rateLimitStore(), s.responseCache(), s.usageLedger(), s.keyStore(), s);
    }
}
