package dev.switchboard.inference;

import dev.switchboard.inference.gguf.GgufWriter;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * A tiny random-weight Llama with a Llama 3-style byte-level vocabulary: the 256 byte tokens (GPT-2's byte-to-
 * character spelling, no merges) followed by the chat special tokens. So chat templates, stop tokens and the HTTP
 * API can be tested without a real model.
 *
 * <p>The output rows of all tokens but printable ASCII are zero while the others are large: a zero logit loses to
 * the best of 95 large random ones (almost surely positive), so generation is printable text that never stops on
 * its own — tests choose when it stops (max tokens, stop strings) and can compare texts exactly.
 */
public final class TinyChatModel {
    public static final String NAME = "tiny-chat";
    public static final String[] SPECIALS = {
            "<|begin_of_text|>", "<|end_of_text|>", "<|start_header_id|>", "<|end_header_id|>", "<|eot_id|>"};
    public static final int VOCAB = 256 + SPECIALS.length;
    public static final int BOS = 256;
    public static final int DIM = 64;
    public static final int CONTEXT = 512;
    private static final int FFN = 128;
    private static final int LAYERS = 2;
    private static final int HEADS = 4;
    private static final int KV_HEADS = 2;

    private TinyChatModel() {
    }

    /** Writes the model into {@code dir} (same seed, same file) and returns its path. */
    public static Path write(Path dir) {
        return write(dir, NAME, CONTEXT);
    }

    /** Writes the model as {@code name.gguf}, declaring a context length of {@code contextLength}. */
    public static Path write(Path dir, String name, int contextLength) {
        Path file = dir.resolve(name + ".gguf");
        String[] tokens = new String[VOCAB];
        int[] types = new int[VOCAB];
        for (int b = 0; b < 256; b++) {
            tokens[b] = String.valueOf(gpt2Char(b));
            types[b] = 1; // normal
        }
        for (int i = 0; i < SPECIALS.length; i++) {
            tokens[256 + i] = SPECIALS[i];
            types[256 + i] = 3; // control
        }
        GgufWriter w = new GgufWriter()
                .put("general.architecture", "llama")
                .put("general.name", name)
                .put("llama.embedding_length", DIM)
                .put("llama.feed_forward_length", FFN)
                .put("llama.block_count", LAYERS)
                .put("llama.attention.head_count", HEADS)
                .put("llama.attention.head_count_kv", KV_HEADS)
                .put("llama.attention.layer_norm_rms_epsilon", 1e-5f)
                .put("llama.rope.freq_base", 500000f)
                .put("llama.context_length", contextLength)
                .put("tokenizer.ggml.model", "gpt2")
                .put("tokenizer.ggml.pre", "llama-bpe")
                .put("tokenizer.ggml.tokens", tokens)
                .put("tokenizer.ggml.token_type", types)
                .put("tokenizer.ggml.merges", new String[0])
                .put("tokenizer.ggml.bos_token_id", BOS)
                .put("tokenizer.ggml.eos_token_id", BOS + 1)
                .put("tokenizer.ggml.eot_token_id", BOS + 4);
        SplittableRandom random = new SplittableRandom(20261123);
        int kvDim = DIM / HEADS * KV_HEADS;
        w.tensor("token_embd.weight", new long[] {DIM, VOCAB}, uniform(random, DIM * VOCAB, 1f));
        for (int l = 0; l < LAYERS; l++) {
            String p = "blk." + l + ".";
            w.tensor(p + "attn_norm.weight", new long[] {DIM}, ones(DIM));
            w.tensor(p + "attn_q.weight", new long[] {DIM, DIM}, matrix(random, DIM, DIM));
            w.tensor(p + "attn_k.weight", new long[] {DIM, kvDim}, matrix(random, DIM, kvDim));
            w.tensor(p + "attn_v.weight", new long[] {DIM, kvDim}, matrix(random, DIM, kvDim));
            w.tensor(p + "attn_output.weight", new long[] {DIM, DIM}, matrix(random, DIM, DIM));
            w.tensor(p + "ffn_norm.weight", new long[] {DIM}, ones(DIM));
            w.tensor(p + "ffn_gate.weight", new long[] {DIM, FFN}, matrix(random, DIM, FFN));
            w.tensor(p + "ffn_up.weight", new long[] {DIM, FFN}, matrix(random, DIM, FFN));
            w.tensor(p + "ffn_down.weight", new long[] {FFN, DIM}, matrix(random, FFN, DIM));
        }
        w.tensor("output_norm.weight", new long[] {DIM}, ones(DIM));
        float[] output = new float[DIM * VOCAB];
        for (int t = ' '; t <= '~'; t++) {
            for (int j = 0; j < DIM; j++) {
                output[t * DIM + j] = (float) random.nextDouble(-2, 2);
            }
        }
        w.tensor("output.weight", new long[] {DIM, VOCAB}, output);
        try {
            w.write(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return file;
    }

    /** GPT-2's reversible byte-to-character map: printable Latin-1 bytes stand for themselves, others from U+0100. */
    private static char gpt2Char(int b) {
        if ((b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF)) {
            return (char) b;
        }
        int n = 0;
        for (int x = 0; x < b; x++) {
            if (!((x >= '!' && x <= '~') || (x >= 0xA1 && x <= 0xAC) || (x >= 0xAE && x <= 0xFF))) {
                n++;
            }
        }
        return (char) (256 + n);
    }

    private static float[] matrix(SplittableRandom random, int cols, int rows) {
        return uniform(random, cols * rows, (float) Math.sqrt(3.0 / cols));
    }

    private static float[] uniform(SplittableRandom random, int n, float bound) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) random.nextDouble(-bound, bound);
        }
        return v;
    }

    private static float[] ones(int n) {
        float[] v = new float[n];
        Arrays.fill(v, 1f);
        return v;
    }
}
