package dev.watchllm.semantic;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * Nearest-neighbour search over the semantic cache's prompt vectors, hard-partitioned: a search
 * sees only the entries of its own {@link Partition} (one project, one {@link SemanticScope}
 * context, one embedding space), never a neighbour's. Entries expire at their
 * {@link Entry#expiresAt()}; an expired entry is never returned. Thread-safe.
 */
public interface VectorIndex extends AutoCloseable {

    /** One hard partition: a project and the hash of everything but the last user message. */
    record Partition(String projectId, String scope) {
        public Partition {
            Objects.requireNonNull(projectId, "projectId");
            Objects.requireNonNull(scope, "scope");
        }
    }

    /**
     * One stored prompt. {@code key} is unique within its partition (storing the same key again
     * replaces the entry); {@code text} is the last user message as the client wrote it, kept so a
     * candidate can be verified against a new prompt; {@code vector} is a unit vector.
     */
    record Entry(String key, float[] vector, String text, Instant storedAt, Instant expiresAt) {
        public Entry {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(vector, "vector");
            Objects.requireNonNull(text, "text");
            Objects.requireNonNull(storedAt, "storedAt");
            Objects.requireNonNull(expiresAt, "expiresAt");
        }
    }

    /** A search result: the entry and its cosine similarity to the query. */
    record Match(Entry entry, double similarity) {
    }

    /**
     * Adds or replaces an entry. Returns false when the entry was not stored (the project's
     * index is full, or the vector has the wrong length); storing is best effort.
     */
    boolean put(Partition partition, Entry entry);

    /**
     * Up to {@code k} live entries of {@code partition} most similar to {@code query} (a unit
     * vector), best first, with a similarity of at least {@code minSimilarity}.
     */
    List<Match> nearest(Partition partition, float[] query, int k, double minSimilarity, Instant now);

    /** Removes an entry; true when it was there. */
    boolean remove(Partition partition, String key);

    /** Live entries of a project, across its partitions. */
    int size(String projectId);

    /** Drops every entry that expired by {@code now}; returns how many. */
    int evictExpired(Instant now);

    @Override
    void close();
}
