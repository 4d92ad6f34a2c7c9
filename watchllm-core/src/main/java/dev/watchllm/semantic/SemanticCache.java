package dev.watchllm.semantic;

import dev.watchllm.openai.ParsedRequest;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * The semantic response cache: finds an earlier request of the same project and the same
 * context ({@link SemanticScope}) whose last user message says the same thing in other words,
 * and <em>verifies</em> it before offering it. It holds no answers: an entry points at a
 * response stored elsewhere (the exact cache) by its {@code responseRef}.
 *
 * <p>Contract for the pipeline:
 * <ol>
 * <li>Exact cache first. On an exact miss, and when the project has {@code semantic.enabled},
 *     call {@link #lookup}. The stage always completes normally, off the calling thread and within
 *     the implementation's lookup timeout; anything that goes wrong is a miss.</li>
 * <li>On a {@link Hit}, fetch the response by {@link Hit#responseRef()} from the exact cache. If it
 *     is gone (evicted, expired), call {@link #remove} and treat the request as a miss. Otherwise
 *     answer with {@code X-WatchLLM-Cache: HIT-SEMANTIC} and {@code X-WatchLLM-Cache-Similarity}
 *     (the hit's similarity, 4 decimals).</li>
 * <li>After a complete, successful provider answer was stored in the exact cache, call
 *     {@link #store} with the exact-cache key as {@code responseRef} and the same TTL, unless the
 *     client sent {@code Cache-Control: no-store}. {@code Cache-Control: no-cache} skips the lookup
 *     but still stores.</li>
 * </ol>
 * Thread-safe; never blocks the calling thread.
 */
public interface SemanticCache extends AutoCloseable {

    /**
     * A verified match: the stored response's reference, the cosine similarity of the two
     * prompts, the stored prompt's wording and when it was stored.
     */
    record Hit(String responseRef, double similarity, String matchedText, Instant storedAt, VectorIndex.Partition partition) {
    }

    /**
     * The best verified match of {@code request} with a similarity of at least {@code threshold}
     * (in (0, 1]) and, when {@code maxAge} is not null, stored no longer than {@code maxAge} ago;
     * empty for a miss, a request that is not eligible, or any failure.
     *
     * @throws IllegalArgumentException when {@code threshold} is outside (0, 1] (the config loader never lets one through)
     */
    CompletionStage<Optional<Hit>> lookup(String projectId, ParsedRequest request, double threshold, Duration maxAge);

    /** {@link #lookup(String, ParsedRequest, double, Duration)} with no age limit. */
    default CompletionStage<Optional<Hit>> lookup(String projectId, ParsedRequest request, double threshold) {
        return lookup(projectId, request, threshold, null);
    }

    /**
     * Remembers that {@code responseRef} answers {@code request} for {@code ttl}. Completes with
     * false when nothing was stored (not eligible, index full, embedder failure). Best effort.
     */
    CompletionStage<Boolean> store(String projectId, ParsedRequest request, String responseRef, Duration ttl);

    /** Completes when lookups can hit (e.g. the local model has loaded); until then every lookup is a miss. */
    default CompletionStage<Void> ready() {
        return java.util.concurrent.CompletableFuture.completedFuture(null);
    }

    /** Forgets a hit whose response is gone; true when the entry was there. */
    boolean remove(String projectId, Hit hit);

    @Override
    void close();
}
