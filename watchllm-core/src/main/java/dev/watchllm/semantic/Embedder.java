package dev.watchllm.semantic;

import java.util.concurrent.CompletionStage;

/**
 * Turns a prompt into a vector for the semantic cache. Implementations run the work off the
 * caller's thread (a container's request thread must never wait for a model) and return unit
 * vectors, so a dot product is the cosine similarity. The default, {@code local}, lives in the
 * optional {@code watchllm-semantic} module; core holds no model types.
 */
public interface Embedder extends AutoCloseable {
    /**
     * The vector space, e.g. {@code local:all-minilm-l6-v2-q} or {@code upstream:text-embedding-3-small}.
     * Vectors of different spaces are never compared: the space is part of every index partition.
     */
    String space();

    /** Length of every vector this embedder returns, or 0 when the model decides (a provider's default). */
    int dimensions();

    /**
     * The unit vector of {@code text}. Completes exceptionally when the text cannot be embedded
     * (model not loaded, provider down); callers treat that as a cache miss, never as an error.
     * The array may be shared with other callers (embeddings are remembered): never modify it.
     */
    CompletionStage<float[]> embed(String text);

    @Override
    default void close() {
    }
}
