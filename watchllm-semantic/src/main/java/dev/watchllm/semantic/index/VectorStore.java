package dev.watchllm.semantic.index;

import java.util.Arrays;
import org.apache.lucene.util.hnsw.RandomAccessVectorValues;

/**
 * Append-only vectors by ordinal, as Lucene's HNSW code reads them. A written ordinal never
 * changes, so readers need no lock for it; growth swaps in a longer array (readers holding the
 * old one still see the same vectors). Appends are made by one writer at a time (the partition's
 * write lock).
 */
final class VectorStore implements RandomAccessVectorValues.Floats {
    private final int dimension;
    private volatile float[][] vectors;
    private volatile int size;

    VectorStore(int dimension, int capacity) {
        this.dimension = dimension;
        this.vectors = new float[Math.max(16, capacity)][];
    }

    /** Appends {@code v} and returns its ordinal. */
    int add(float[] v) {
        float[][] cur = vectors;
        if (size == cur.length) {
            cur = Arrays.copyOf(cur, cur.length + (cur.length >> 1));
            vectors = cur;
        }
        cur[size] = v;
        return size++;
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    public int dimension() {
        return dimension;
    }

    @Override
    public float[] vectorValue(int ord) {
        return vectors[ord];
    }

    @Override
    public RandomAccessVectorValues.Floats copy() {
        return this; // vectors are never overwritten, so every reader can share them
    }
}
