package dev.watchllm.semantic.index;

import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;

/**
 * 1-bit sketches of unit vectors (SimHash): the signs of the vector after a fixed random rotation,
 * so two vectors at angle θ differ in about θ/π of the bits whatever the data looks like. The
 * rotation is two rounds of random sign flips and a Walsh-Hadamard transform over the vector
 * padded to a power of two: O(d log d), about ten microseconds at 384 dimensions. Hamming
 * distance over a few longs costs nanoseconds where a float dot product costs hundreds, which is
 * what lets the HNSW graph search 100,000 prompts in a fraction of a millisecond; the float
 * vectors then rescore the candidates that can reach the threshold ({@link #maxDistance}).
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
        long[] code = new long[padded / 64];
        encode(v, new float[padded], code);
        return code;
    }

    /** Writes the code of {@code v} into {@code code} ({@link #bits()} / 64 longs), using {@code work} (at least {@link #bits()} floats). */
    void encode(float[] v, float[] work, long[] code) {
        if (v.length != dimension) throw new IllegalArgumentException("expected " + dimension + " dimensions, got " + v.length);
        float[] x = work;
        for (int i = 0; i < dimension; i++) x[i] = v[i] * signs1[i];
        java.util.Arrays.fill(x, dimension, padded, 0f);
        hadamard(x, padded);
        for (int i = 0; i < padded; i++) x[i] *= signs2[i];
        hadamard(x, padded);
        java.util.Arrays.fill(code, 0, padded / 64, 0L);
        for (int i = 0; i < padded; i++) {
            if (x[i] > 0) code[i >>> 6] |= 1L << (i & 63);
        }
    }

    /** In-place unnormalised fast Walsh-Hadamard transform of {@code x[0, n)} ({@code n} is a power of two). */
    private static void hadamard(float[] x, int n) {
        for (int h = 1; h < n; h <<= 1) {
            for (int i = 0; i < n; i += h << 1) {
                for (int j = i; j < i + h; j++) {
                    float a = x[j];
                    float b = x[j + h];
                    x[j] = a + b;
                    x[j + h] = a - b;
                }
            }
        }
    }

    /**
     * The most bits in which a vector at least {@code minSimilarity} similar to the query can
     * differ from it, with a wide margin: two vectors at angle θ differ in each bit with
     * probability θ/π, so the count is about binomial (the rotation makes it a little narrower
     * still, measured); a candidate further than that mean plus {@value #MARGIN_SD} standard
     * deviations is not worth a float comparison (chance below 1e-11 of dropping a match, and a
     * dropped one is a miss, never a wrong answer).
     */
    int maxDistance(double minSimilarity) {
        if (minSimilarity <= -1) return padded;
        double p = Math.acos(Math.min(1, minSimilarity)) / Math.PI;
        double sd = Math.sqrt(Math.max(p * (1 - p), 1.0 / padded) / padded); // some slack even at similarity 1
        return (int) Math.min(padded, Math.ceil(padded * (p + MARGIN_SD * sd)));
    }

    /** Standard deviations of slack in {@link #maxDistance}. */
    static final int MARGIN_SD = 7;
}
