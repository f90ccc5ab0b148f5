package dev.switchboard.inference.model;

import java.util.Arrays;
import java.util.Locale;

/**
 * The element type keys and values are stored in. Smaller types let a longer context fit: bf16 halves the KV
 * cache, q8 (ggml's Q8_0 blocks: 32 int8 values with one f16 scale) takes 34/128 of float32.
 */
public enum KvType {
    F32, BF16, Q8;

    /**
     * Bytes one position of one layer takes for its keys (or its values): {@code kvDim} values in heads of
     * {@code headSize}.
     */
    public long bytesPerPosition(int kvDim, int headSize) {
        return switch (this) {
            case F32 -> 4L * kvDim;
            case BF16 -> 2L * kvDim;
            case Q8 -> kvDim / 32 * 34L;
        };
    }

    /** Parses "f32", "bf16" or "q8"; an error lists the choices. */
    public static KvType parse(String s) {
        try {
            return valueOf(s.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("KV type '" + s + "' is not one of "
                    + Arrays.toString(values()).toLowerCase(Locale.ROOT));
        }
    }
}
