package dev.watchllm.store;

import dev.watchllm.auth.KeyStore;
import dev.watchllm.cache.ResponseCache;
import dev.watchllm.limit.RateLimitStore;
import dev.watchllm.metering.UsageLedger;
import dev.watchllm.semantic.VectorIndex;
import java.util.Set;

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

    /**
     * The semantic cache's index, shared with the other engines on this store: {@code local} (this
     * engine's in-memory index) still answers every search, and the returned index keeps it in
     * step, writing each entry this engine stores or removes to the store and bringing in those of
     * the other engines (loaded at start, then followed as they change). Only the entries of
     * {@code projectIds} (the projects this engine matches semantically) are brought in. The
     * returned index owns {@code local} and closes it. The default shares nothing: {@code local}.
     */
    default VectorIndex semanticIndex(VectorIndex local, Set<String> projectIds) {
        return local;
    }

    /** Releases the connection the pieces share. */
    @Override
    void close();
}
