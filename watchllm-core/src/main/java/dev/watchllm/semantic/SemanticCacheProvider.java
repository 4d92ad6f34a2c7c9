package dev.watchllm.semantic;

import dev.watchllm.config.WatchLlmConfig;
import dev.watchllm.store.SharedStores;
import dev.watchllm.upstream.Upstream;
import java.time.Clock;
import java.util.Optional;
import java.util.ServiceLoader;

/**
 * Builds the engine's {@link SemanticCache} from the config. Core ships none: the optional
 * {@code watchllm-semantic} module registers one through {@link ServiceLoader}, so putting that
 * jar on the class path is all a host does to turn {@code semantic.enabled} on.
 */
public interface SemanticCacheProvider {
    /**
     * A semantic cache for the projects of {@code config}; {@code upstream} is the engine's client
     * (for an {@code upstream} embedder), {@code clock} the engine's clock (TTLs).
     */
    SemanticCache create(WatchLlmConfig config, Upstream upstream, Clock clock);

    /**
     * As {@link #create(WatchLlmConfig, Upstream, Clock)} for an engine whose state lives in
     * {@code shared} (a {@code store.type} other than {@code local}; null for {@code local}): a
     * provider that supports it backs its index with {@link SharedStores#semanticIndex}, so a prompt
     * stored by one engine is found by all. The default ignores {@code shared}.
     */
    default SemanticCache create(WatchLlmConfig config, Upstream upstream, Clock clock, SharedStores shared) {
        return create(config, upstream, clock);
    }

    /** The first provider on the class path, if any. */
    static Optional<SemanticCacheProvider> find() {
        return ServiceLoader.load(SemanticCacheProvider.class).findFirst();
    }
}
