package dev.watchllm.store;

import dev.watchllm.auth.KeyStore;
import dev.watchllm.cache.ResponseCache;
import dev.watchllm.limit.RateLimitStore;
import dev.watchllm.metering.UsageLedger;

/**
 * Every piece of state that several engines share when {@code store.type} is not {@code local}:
 * opened once per engine by a {@link StoreProvider}, closed by the engine after the pieces
 * themselves (so a piece's close may still flush through the shared connection).
 */
public interface SharedStores extends AutoCloseable {
    KeyStore keyStore();

    ResponseCache responseCache();

    UsageLedger usageLedger();

    RateLimitStore rateLimitStore();

    /** Releases the connection the pieces share. */
    @Override
    void close();
}
