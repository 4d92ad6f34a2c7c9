package dev.watchllm.internal;

import dev.watchllm.config.ProjectConfig;
import dev.watchllm.config.WatchLlmConfig;
import dev.watchllm.semantic.SemanticCache;
import dev.watchllm.semantic.SemanticCacheProvider;
import dev.watchllm.upstream.Upstream;
import java.time.Clock;
import org.slf4j.LoggerFactory;

/** Opens the semantic cache when a project asks for it and a provider ({@code watchllm-semantic}) is on the class path. */
final class SemanticCaches {
    private SemanticCaches() {
    }

    /**
     * The semantic cache, or null when no project enables it (or no implementation is present: logged once);
     * {@code shared}: the engine's shared stores, null for {@code store.type: local}.
     */
    static SemanticCache open(WatchLlmConfig config, Upstream upstream, Clock clock, dev.watchllm.store.SharedStores shared) {
        boolean wanted = false;
        for (ProjectConfig p : config.projects()) {
            if (p.cache().enabled() && p.cache().semanticEnabled()) wanted = true;
        }
        if (!wanted) return null;
        SemanticCacheProvider provider = SemanticCacheProvider.find().orElse(null);
        if (provider == null) {
            LoggerFactory.getLogger(SemanticCaches.class).warn("A project enables cache.semantic, but watchllm-semantic is not on the "
                    + "class path: only the exact cache answers");
            return null;
        }
        return provider.create(config, upstream, clock, shared);
    }
}
