package dev.watchllm.redis;

import dev.watchllm.config.WatchLlmConfig;
import dev.watchllm.store.SharedStores;
import dev.watchllm.store.StoreProvider;
import java.time.Clock;

/** Serves {@code store: { type: redis, uri: ..., failOpen: ... }}; registered for {@link java.util.ServiceLoader}. */
public final class RedisStoreProvider implements StoreProvider {
    @Override
    public String type() {
        return "redis";
    }

    @Override
    public SharedStores open(WatchLlmConfig config, Clock clock) {
        return RedisStores.connect(config.store().uri(), config.store().failOpen(), clock);
    }
}
