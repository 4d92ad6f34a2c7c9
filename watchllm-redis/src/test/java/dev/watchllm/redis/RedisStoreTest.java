package dev.watchllm.redis;

import dev.watchllm.testing.AbstractStoreTest;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;

/** The store test kit against a real Redis. */
// Runs every spec of AbstractStoreTest; their assertions live there, one kit for every mounting/store.
class RedisStoreTest extends AbstractStoreTest {
    static EmbeddedRedis redis;

    @BeforeAll
    static void startRedis() {
        redis = new EmbeddedRedis();
    }

    @AfterAll
    static void stopRedis() {
        redis.close();
    }

    @BeforeEach
    void emptyRedis() {
        RedisClient c = RedisClient.create(redis.uri());
        try (StatefulRedisConnection<String, String> conn = c.connect()) {
            conn.sync().flushall();
        } finally {
            c.shutdown();
        }
    }

    @Override
    protected Stores open() {
        RedisStores s = RedisStores.connect(redis.uri(), true, clock);
        return new Stores(s.rateLimitStore(), s.responseCache(), s.usageLedger(), s.keyStore(), s);
    }
}
