package dev.watchllm.semantic.embed;

/** Small vector arithmetic shared by the embedders. */
final class Vectors {
    private Vectors() {
    }

    /** {@code v} scaled to length 1 (in place); a zero vector is refused. */
    static float[] unit(float[] v) {
        double sum = 0;
        for (float x : v) sum += (double) x * x;
        if (sum == 0 || Double.isNaN(sum)) throw new IllegalArgumentException("cannot use a zero or NaN embedding");
        float inv = (float) (1 / Math.sqrt(sum));
        for (int i = 0; i < v.length; i++) v[i] *= inv;
        return v;
    }
}
