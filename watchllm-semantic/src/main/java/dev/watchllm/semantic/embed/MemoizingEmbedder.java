package dev.watchllm.semantic.embed;

import dev.watchllm.semantic.Embedder;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Remembers the last {@code capacity} embeddings by text. A lookup and the store that follows
 * its miss embed the same prompt; a provider's {@code /v1/embeddings} costs money and time. Failed
 * embeddings are not remembered.
 */
public final class MemoizingEmbedder implements Embedder {
    private final Embedder delegate;
    private final Map<String, CompletableFuture<float[]>> recent;

    public MemoizingEmbedder(Embedder delegate, int capacity) {
        this.delegate = delegate;
        this.recent = new LinkedHashMap<>(64, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, CompletableFuture<float[]>> eldest) {
                return size() > capacity;
            }
        };
    }

    @Override
    public String space() {
        return delegate.space();
    }

    @Override
    public int dimensions() {
        return delegate.dimensions();
    }

    @Override
    public CompletionStage<float[]> embed(String text) {
        CompletableFuture<float[]> f;
        synchronized (recent) {
            f = recent.get(text);
            if (f != null && !f.isCompletedExceptionally()) return f;
            f = new CompletableFuture<>();
            recent.put(text, f);
        }
        CompletableFuture<float[]> mine = f;
        delegate.embed(text).whenComplete((v, e) -> {
            if (e != null) {
                synchronized (recent) {
                    recent.remove(text, mine);
                }
                mine.completeExceptionally(e);
            } else {
                mine.complete(v);
            }
        });
        return mine;
    }

    /** Embeddings remembered now. */
    public int size() {
        synchronized (recent) {
            return recent.size();
        }
    }

    @Override
    public void close() {
        delegate.close();
    }
}
