package dev.watchllm.semantic.index;

import java.util.Arrays;
import org.apache.lucene.util.hnsw.RandomVectorScorer;
import org.apache.lucene.util.hnsw.RandomVectorScorerSupplier;

/**
 * Append-only vectors and their {@link BinaryCodes} by ordinal. A written ordinal never changes,
 * so readers need no lock for it; growth swaps in longer arrays (readers holding the old ones
 * still see the same values). Appends are made by one writer at a time (the partition's write
 * lock). Also the Hamming scorer Lucene's HNSW builder walks the graph with.
 *
 * <p>The codes sit in one flat array, {@link #words()} longs per ordinal, so reading a code costs
 * one or two cache lines and no pointer chase: a graph search reads thousands of them.
 */
final class VectorStore implements RandomVectorScorerSupplier {
    private final BinaryCodes coder;
    private final int words;
    private volatile float[][] vectors;
    private volatile long[] codes;
    private volatile int size;

    VectorStore(int dimension, int capacity) {
        this.coder = BinaryCodes.forDimension(dimension);
        this.words = coder.bits() / 64;
        int c = Math.max(16, capacity);
        this.vectors = new float[c][];
        this.codes = new long[c * words];
    }

    /** Appends {@code v} and returns its ordinal. */
    int add(float[] v) {
        long[] code = coder.encode(v);
        float[][] vs = vectors;
        long[] cs = codes;
        if (size == vs.length) {
            int n = vs.length + (vs.length >> 1);
            vs = Arrays.copyOf(vs, n);
            cs = Arrays.copyOf(cs, n * words);
            codes = cs;
            vectors = vs;
        }
        vs[size] = v;
        System.arraycopy(code, 0, cs, size * words, words);
        return size++;
    }

    int size() {
        return size;
    }

    /** Longs per code. */
    int words() {
        return words;
    }

    float[] vector(int ord) {
        return vectors[ord];
    }

    /** The codes now (ordinal {@code o} at {@code o * words()}); valid for every ordinal below {@link #size()} read before. */
    long[] codes() {
        return codes;
    }

    BinaryCodes coder() {
        return coder;
    }

    /** The Hamming distance of {@code query} to the code at {@code base} of {@code codes}. */
    static int hamming(long[] query, long[] codes, int base) {
        int d = 0;
        for (int i = 0; i < query.length; i++) d += Long.bitCount(query[i] ^ codes[base + i]);
        return d;
    }

    /** Scores graph nodes against {@code query} by the share of equal bits (1 = same code). */
    RandomVectorScorer scorer(long[] query) {
        long[] held = codes;
        int max = size;
        float bits = coder.bits();
        return new RandomVectorScorer() {
            @Override
            public float score(int node) {
                int base = node * words;
                long[] c = base < held.length ? held : codes;
                return 1f - hamming(query, c, base) / bits;
            }

            @Override
            public int maxOrd() {
                return Math.max(max, size);
            }
        };
    }

    @Override
    public RandomVectorScorer scorer(int ord) {
        long[] c = codes;
        return scorer(Arrays.copyOfRange(c, ord * words, ord * words + words));
    }

    @Override
    public RandomVectorScorerSupplier copy() {
        return this; // codes are never overwritten, so every reader can share them
    }

}
