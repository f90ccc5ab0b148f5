package dev.switchboard.inference;

import dev.switchboard.inference.sampling.GenerationControls;
import dev.switchboard.inference.sampling.Sampler;
import dev.switchboard.inference.sampling.SamplingParams;
import dev.switchboard.inference.sampling.StopStrings;
import dev.switchboard.inference.speculative.Verifier;
import dev.switchboard.inference.tokenizer.StreamingDecoder;
import dev.switchboard.inference.tokenizer.Tokenizer;

import java.util.Arrays;
import java.util.Set;

/**
 * The state of one generation apart from its KV blocks: sampler, incremental decoding, stop detection, streaming
 * to the listener, limits and timings. Kept apart from the forward-pass loop so that a scheduler can drive many
 * sequences through one batch.
 */
final class Sequence {
    private final int[] prompt;
    private final SamplingParams params;
    private final int contextLength;
    private final int vocabSize;
    private final Set<Integer> stopTokens;
    private final Sampler sampler;
    private final Verifier verifier;
    private final StreamingDecoder decoder;
    private final StopStrings stops;
    private final TokenListener listener;
    private final Cancellation cancellation;
    private final GenerationControls controls;
    private final Tokenizer tokenizer;
    private final StringBuilder text = new StringBuilder();
    private int[] tokens = new int[16];
    private int count;
    private FinishReason finish;
    private long startNanos;
    private long firstTokenNanos;
    private long endNanos;
    private int decodePasses;
    private int draftedTokens;
    private int acceptedTokens;

    Sequence(int[] prompt, SamplingParams params, GenerationControls controls, Tokenizer tokenizer, int contextLength,
            TokenListener listener, Cancellation cancellation) {
        if (prompt.length == 0) {
            throw new IllegalArgumentException("the prompt is empty");
        }
        if (prompt.length >= contextLength) {
            throw new IllegalArgumentException("the prompt has " + prompt.length + " tokens; the context holds "
                    + contextLength + " (at most " + (contextLength - 1) + " prompt tokens)");
        }
        for (int t : prompt) {
            if (t < 0 || t >= tokenizer.vocabSize()) {
                throw new IllegalArgumentException("prompt token " + t + " is outside the vocabulary (0.."
                        + (tokenizer.vocabSize() - 1) + ")");
            }
        }
        this.prompt = prompt.clone();
        this.params = params;
        this.contextLength = contextLength;
        this.vocabSize = tokenizer.vocabSize();
        this.stopTokens = tokenizer.stopTokens();
        this.sampler = new Sampler(params);
        this.verifier = new Verifier(sampler, params.temperature() == 0f, vocabSize);
        this.decoder = new StreamingDecoder(tokenizer);
        this.stops = new StopStrings(params.stop());
        this.listener = listener;
        this.cancellation = cancellation;
        this.controls = controls;
        this.tokenizer = tokenizer;
    }

    int[] prompt() {
        return prompt;
    }

    int maxTokens() {
        return params.maxTokens();
    }

    /** Tokens generated so far. */
    int generated() {
        return count;
    }

    /** Marks the request's arrival at the engine: time to first token includes the wait for a place in a batch. */
    void arrived() {
        startNanos = System.nanoTime();
    }

    /** Asks the generation to stop at its next step (as the caller's handle would). */
    void cancel() {
        cancellation.cancel();
    }

    boolean isCancelled() {
        if (finish == null && cancellation.isCancelled()) {
            finish(FinishReason.CANCELLED);
        }
        return finish == FinishReason.CANCELLED;
    }

    boolean isFinished() {
        return isCancelled() || finish != null;
    }

    /**
     * Samples from the model's output row at {@code offset}. Only the tokenizer's ids are candidates: a model's
     * output may be padded beyond its vocabulary.
     */
    int sample(float[] logits, int offset) {
        if (controls.touchesRows()) {
            return controls.sample(sampler, logits, offset, vocabSize, tokens, count);
        }
        return sampler.sample(logits, offset, vocabSize);
    }

    /**
     * Verifies a draft against the logits of one decode pass (rows for the fed token and each drafted token,
     * {@code rowStride} apart, the first at {@code offset}) and writes the tokens to emit into {@code out}: the accepted drafts, then a
     * correction or bonus token. Returns how many drafts were accepted. With {@code k == 0} this is plain
     * sampling of row 0.
     */
    int verify(float[] logits, int offset, int rowStride, int[] draft, int k, int[] out) {
        if (controls.touchesRows()) { // never drafted (see Engine.generate): one row, sampled through the controls
            out[0] = sample(logits, offset);
            decodePasses++;
            return 0;
        }
        int accepted = verifier.verify(logits, offset, rowStride, draft, k, out);
        decodePasses++;
        draftedTokens += k;
        acceptedTokens += accepted;
        return accepted;
    }

    /**
     * The most tokens worth drafting now: a step emits the accepted drafts plus one more, so drafting beyond the
     * tokens and context positions left minus one is wasted work.
     */
    int draftBudget() {
        return Math.max(0, Math.min(params.maxTokens() - count, contextLength - prompt.length - count) - 1);
    }

    /**
     * Takes a sampled token: records it, streams the text it completes, and decides whether generation goes on.
     * Returns true when the token should be fed back for another step.
     */
    boolean accept(int token) {
        if (count == 0) {
            firstTokenNanos = System.nanoTime();
        }
        if (count == tokens.length) {
            tokens = Arrays.copyOf(tokens, count * 2);
        }
        tokens[count++] = token;
        if (stopTokens.contains(token)) {
            return finish(FinishReason.STOP);
        }
        // A sampled special token (a BOS, a header) is no text unless the request asks to see it.
        String piece = controls.specialTokensInText() || !tokenizer.isSpecial(token) ? decoder.accept(token) : "";
        if (!emit(stops.append(piece))) {
            return finish(FinishReason.CANCELLED);
        }
        if (stops.stopped()) {
            return finish(FinishReason.STOP);
        }
        if (count >= params.maxTokens() || prompt.length + count >= contextLength) {
            return finish(FinishReason.LENGTH);
        }
        return !isCancelled();
    }

    /** Ends the sequence; text held back (an incomplete character, a possible stop-string prefix) is released. */
    private boolean finish(FinishReason reason) {
        finish = reason;
        endNanos = System.nanoTime();
        if (reason != FinishReason.CANCELLED && !stops.stopped()) {
            emit(stops.append(decoder.flush()) + stops.flush());
        }
        return false;
    }

    private boolean emit(String delta) {
        if (delta.isEmpty()) {
            return true;
        }
        text.append(delta);
        return listener.onText(delta);
    }

    /** From arrival to the first generated token; 0 before it. */
    long timeToFirstTokenNanos() {
        return count == 0 ? 0 : firstTokenNanos - startNanos;
    }

    GenerationResult result() {
        long ttft = timeToFirstTokenNanos();
        long decode = count == 0 ? 0 : endNanos - firstTokenNanos;
        return new GenerationResult(text.toString(), Arrays.copyOf(tokens, count), finish, prompt.length, ttft, decode,
                decodePasses, draftedTokens, acceptedTokens);
    }
}
