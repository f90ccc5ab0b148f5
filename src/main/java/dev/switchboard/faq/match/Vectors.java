package dev.switchboard.faq.match;

/** Small vector helpers for unit-length embeddings. */
public final class Vectors {

    private Vectors() {}

    /** A copy of {@code v} scaled to length 1; a zero vector is returned unchanged (it is similar to nothing). */
    public static float[] unit(float[] v) {
        double sum = 0;
        for (float x : v) {
            sum += (double) x * x;
        }
        float[] out = v.clone();
        if (sum == 0) {
            return out;
        }
        float inv = (float) (1.0 / Math.sqrt(sum));
        for (int i = 0; i < out.length; i++) {
            out[i] *= inv;
        }
        return out;
    }

    /** Cosine of two unit vectors (their dot product). */
    public static double cosine(float[] a, float[] b) {
        if (a.length != b.length) {
            throw new IllegalArgumentException(
                    "embedding dimensions differ: " + a.length + " vs " + b.length
                            + " (were they computed by different models?)");
        }
        double dot = 0;
        for (int i = 0; i < a.length; i++) {
            dot += (double) a[i] * b[i];
        }
        return dot;
    }
}
