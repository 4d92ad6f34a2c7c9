package dev.watchllm.limit;

import dev.watchllm.auth.LocalKeyStore;
import dev.watchllm.cache.EhcacheResponseCache;
import dev.watchllm.config.CacheConfig;
import dev.watchllm.metering.LocalUsageLedger;
import dev.watchllm.testing.AbstractStoreTest;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** The store test kit against the local store: memory plus files under one directory. */
// Runs every spec of AbstractStoreTest; their assertions live there, one kit for every mounting/store.
class LocalStoreTest extends AbstractStoreTest {
    @TempDir
    Path dir;

    @Override
    protected Stores open() {
        return new Stores(new LocalRateLimitStore(clock, dir), EhcacheResponseCache.open(CacheConfig.DEFAULT, dir.resolve("cache")),
                new LocalUsageLedger(dir), new LocalKeyStore(dir), null);
    }
}
