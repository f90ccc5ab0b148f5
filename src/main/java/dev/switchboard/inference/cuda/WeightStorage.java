package dev.switchboard.inference.cuda;

import java.util.Locale;

/** How the CUDA backend stores a model's weight matrices on the GPU. */
public enum WeightStorage {
    /** F32, F16, BF16 and Q8_0 as the GGUF file stores them; other GGUF types as BF16. */
    NATIVE,
    /** Every matrix in BF16. */
    BF16,
    /** Every matrix in FP8 e4m3 with one scale per output row, quantized on the GPU at load (embeddings as NATIVE). */
    FP8;

    /** Parses "native", "bf16" or "fp8"; an error lists the choices. */
    public static WeightStorage parse(String s) {
        try {
            return valueOf(s.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("weight storage '" + s + "' is not one of native, bf16, fp8");
        }
    }
}
