package dev.watchllm.semantic.index;

import java.util.Arrays;
import org.apache.lucene.util.hnsw.RandomVectorScorer;
import org.apache.lucene.util.hnsw.RandomVectorScorerSupplier;

/**
 * Append-only vectors and their {@link BinaryCodes} by ordinal. A written ordinal never changes,
 * so readers need no lock for it; growth swaps in longer arrays (readers holding the old ones
 * still see the same values). Appends are made by one writer at a time (the partition's write
 * lock). Also the Hamming scorer Lucene's HNSW builder and searcher walk the graph with.
 */
final class VectorStore implements RandomVectorScorerSupplier {
    private final BinaryCodes coder;
    private volatile float[][] vectors;
    private volatile long[][] codes;
    private volatile int size;

    VectorStore(int dimension, int capacity) {
        this.coder = BinaryCodes.forDimension(dimension);
        int c = Math.max(16, capacity);
        this.vectors = new float[c][];
        this.codes = new long[c][];
    }

    /** Appends {@code v} and returns its ordinal. */
    int add(float[] v) {
        long[] code = coder.encode(v);
        float[][] vs = vectors;
        long[][] cs = codes;
        if (size == vs.length) {
            int n = vs.length + (vs.length >> 1);
            vs = Arrays.copyOf(vs, n);
            cs = Arrays.copyOf(cs, n);
            codes = cs;
            vectors = vs;
        }
        vs[size] = v;
        cs[size] = code;
        return size++;
    }

    int size() {
        return size;
    }

    float[] vector(int ord) {
        return vectors[ord];
    }

    long[] encode(float[] query) {
        return coder.encode(query);
    }

    /** Scores graph nodes against {@code query} by the share of equal bits (1 = same code). */
    RandomVectorScorer scorer(long[] query) {
        long[][] cs = codes;
        int max = size;
        float bits = coder.bits();
        return new RandomVectorScorer() {
            @Override
            public float score(int node) {
                long[][] c = node < cs.length ? cs : codes;
                return 1f - BinaryCodes.hamming(query, c[node]) / bits;
            }

            @Override
            public int maxOrd() {
                return Math.max(max, size);
            }
        };
    }

    @Override
    public RandomVectorScorer scorer(int ord) {
        return scorer(codes[ord]);
    }

    @Override
    public RandomVectorScorerSupplier copy() {
        return this; // codes are never overwritten, so every reader can share them
    }

}
