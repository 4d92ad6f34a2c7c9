package dev.watchllm.semantic.index;

import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;

/**
 * 1-bit sketches of unit vectors (SimHash): the signs of the vector after a fixed random rotation,
 * so two vectors at angle θ differ in about θ/π of the bits whatever the data looks like. The
 * rotation is two rounds of random sign flips and a Walsh-Hadamard transform over the vector
 * padded to a power of two: O(d log d), about ten microseconds at 384 dimensions. Hamming
 * distance over a few longs costs nanoseconds where a float dot product costs hundreds, which is
 * what lets the HNSW graph search 100,000 prompts within a millisecond; the float vectors then
 * rescore the candidates exactly.
 */
final class BinaryCodes {
    private static final ConcurrentHashMap<Integer, BinaryCodes> BY_DIMENSION = new ConcurrentHashMap<>();

    private final int dimension;
    private final int padded;
    private final float[] signs1;
    private final float[] signs2;

    private BinaryCodes(int dimension) {
        this.dimension = dimension;
        int p = 1;
        while (p < dimension) p <<= 1;
        this.padded = Math.max(64, p);
        Random r = new Random(0x5eed_c0deL + dimension); // fixed: codes are recomputed, never stored
        signs1 = new float[padded];
        signs2 = new float[padded];
        for (int i = 0; i < padded; i++) {
            signs1[i] = r.nextBoolean() ? 1f : -1f;
            signs2[i] = r.nextBoolean() ? 1f : -1f;
        }
    }

    static BinaryCodes forDimension(int dimension) {
        return BY_DIMENSION.computeIfAbsent(dimension, BinaryCodes::new);
    }

    /** Bits per code. */
    int bits() {
        return padded;
    }

    long[] encode(float[] v) {
        if (v.length != dimension) throw new IllegalArgumentException("expected " + dimension + " dimensions, got " + v.length);
        float[] x = new float[padded];
        for (int i = 0; i < dimension; i++) x[i] = v[i] * signs1[i];
        hadamard(x);
        for (int i = 0; i < padded; i++) x[i] *= signs2[i];
        hadamard(x);
        long[] code = new long[padded / 64];
        for (int i = 0; i < padded; i++) {
            if (x[i] > 0) code[i >>> 6] |= 1L << (i & 63);
        }
        return code;
    }

    /** In-place unnormalised fast Walsh-Hadamard transform (the length is a power of two). */
    private static void hadamard(float[] x) {
        for (int h = 1; h < x.length; h <<= 1) {
            for (int i = 0; i < x.length; i += h << 1) {
                for (int j = i; j < i + h; j++) {
                    float a = x[j];
                    float b = x[j + h];
                    x[j] = a + b;
                    x[j + h] = a - b;
                }
            }
        }
    }

    static int hamming(long[] a, long[] b) {
        int d = 0;
        for (int i = 0; i < a.length; i++) d += Long.bitCount(a[i] ^ b[i]);
        return d;
    }
}
