package dev.watchllm.semantic.cache;

import dev.watchllm.config.CacheSettings;
import dev.watchllm.config.ProjectConfig;
import dev.watchllm.config.UpstreamConfig;
import dev.watchllm.config.WatchLlmConfig;
import dev.watchllm.semantic.Embedder;
import dev.watchllm.semantic.SemanticCache;
import dev.watchllm.semantic.SemanticCacheProvider;
import dev.watchllm.semantic.VectorIndex;
import dev.watchllm.semantic.embed.EmbeddingExecutor;
import dev.watchllm.semantic.embed.LocalEmbedder;
import dev.watchllm.semantic.embed.MemoizingEmbedder;
import dev.watchllm.semantic.embed.UpstreamEmbedder;
import dev.watchllm.semantic.index.LocalVectorIndex;
import dev.watchllm.semantic.verify.ParaphraseVerifier;
import dev.watchllm.semantic.verify.WordNetLexicon;
import dev.watchllm.store.SharedStores;
import dev.watchllm.upstream.Upstream;
import dev.watchllm.upstream.UpstreamRouter;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Registered through {@code META-INF/services}: the engine's semantic cache from the config. Each
 * project with {@code cache.enabled} and {@code cache.semantic.enabled} gets its embedder
 * ({@code local}: the ONNX model, loaded once in the background; {@code upstream}: the provider's
 * {@code /v1/embeddings} with {@value UpstreamEmbedder#DEFAULT_MODEL}, routed like any request for
 * that model); other projects never match. With {@code store.type: local} the index is kept under
 * {@code <store.dir>/semantic}; otherwise it lives in memory, and with shared stores (e.g.
 * {@code store.type: redis}) that memory is kept in step with every other engine on the store
 * through {@link SharedStores#semanticIndex}: searches stay local, stores and removals reach all.
 */
public final class LocalSemanticCacheProvider implements SemanticCacheProvider {
    private static final Logger LOG = LoggerFactory.getLogger(LocalSemanticCacheProvider.class);
    private static final int MEMO_LOCAL = 4096;
    private static final int MEMO_UPSTREAM = 16_384;

    @Override
    public SemanticCache create(WatchLlmConfig config, Upstream upstream, Clock clock) {
        return create(config, upstream, clock, null);
    }

    @Override
    public SemanticCache create(WatchLlmConfig config, Upstream upstream, Clock clock, SharedStores shared) {
        Map<String, String> kinds = new HashMap<>();
        for (ProjectConfig p : config.projects()) {
            CacheSettings c = p.cache();
            if (c.enabled() && c.semanticEnabled()) kinds.put(p.id(), c.semanticEmbedder());
        }
        EmbeddingExecutor pool = EmbeddingExecutor.standard("watchllm-semantic");
        VerifiedSemanticCache.Builder b = VerifiedSemanticCache.builder().clock(clock).pool(pool);
        Embedder local = null;
        Embedder remote = null;
        if (kinds.containsValue("local")) {
            LocalEmbedder model = new LocalEmbedder(pool, false);
            b.readyWhen(model.ready());
            local = new MemoizingEmbedder(model, MEMO_LOCAL);
            b.owns(local);
        }
        if (kinds.containsValue("upstream")) {
            List<UpstreamConfig> chain = new UpstreamRouter(config.upstreams()).route(UpstreamEmbedder.DEFAULT_MODEL);
            if (chain.isEmpty()) {
                LOG.warn("semantic.embedder: upstream needs an upstream whose models match {}; those projects get no semantic hits",
                        UpstreamEmbedder.DEFAULT_MODEL);
            } else {
                UpstreamConfig target = chain.get(0);
                Duration timeout = target.timeout().compareTo(Duration.ofSeconds(10)) < 0 ? target.timeout() : Duration.ofSeconds(10);
                remote = new MemoizingEmbedder(new UpstreamEmbedder(upstream, target, UpstreamEmbedder.DEFAULT_MODEL, 0, timeout), MEMO_UPSTREAM);
                b.owns(remote);
            }
        }
        Map<String, Embedder> byProject = new HashMap<>();
        for (Map.Entry<String, String> e : kinds.entrySet()) {
            Embedder em = e.getValue().equals("local") ? local : remote;
            if (em != null) byProject.put(e.getKey(), em);
        }
        VectorIndex index = config.store().type().equals("local")
                ? LocalVectorIndex.open(config.store().dir().resolve("semantic"), LocalVectorIndex.Settings.DEFAULT, clock.instant())
                : LocalVectorIndex.inMemory(LocalVectorIndex.Settings.DEFAULT);
        if (shared != null) index = shared.semanticIndex(index, Set.copyOf(byProject.keySet()));
        b.owns(index);
        b.owns(pool);
        ParaphraseVerifier verifier = new ParaphraseVerifier(WordNetLexicon.lazy());
        return b.index(index).embedders(byProject::get).verifier(verifier).build();
    }
}
