package dev.switchboard.inference.sampling;

import java.util.List;

/**
 * What a generation asks for beyond {@link SamplingParams}: logits processors run in order on each row before the
 * sampler, log-probabilities recorded for each sampled token, and whether special tokens show up in the text. The
 * processors are per-generation instances: a controls object serves one generation.
 *
 * @param processors run in this order on every row before sampling
 * @param logprobs null for none, else where each sampled token's log-probability (and its top alternatives) go
 * @param specialTokensInText whether sampled special tokens (a BOS, a header token) are spelled out in the text;
 *     off, they count as tokens but add no text
 */
public record GenerationControls(List<LogitsProcessor> processors, LogprobsRecorder logprobs,
        boolean specialTokensInText) {
    public static final GenerationControls NONE = new GenerationControls(List.of(), null, false);

    public GenerationControls {
        processors = List.copyOf(processors);
    }

    /** Whether rows need more than the plain sampler (then speculative drafting is off for the generation). */
    public boolean touchesRows() {
        return !processors.isEmpty() || logprobs != null;
    }

    /**
     * Samples one row through the controls: the processors change it in place, the sampler picks, the recorder
     * notes the pick. The one call the engine's sampling path makes for a sequence with controls.
     */
    public int sample(Sampler sampler, float[] logits, int offset, int vocabSize, int[] generated, int count) {
        for (LogitsProcessor p : processors) {
            p.process(logits, offset, vocabSize, generated, count);
        }
        int token = sampler.sample(logits, offset, vocabSize);
        if (logprobs != null) {
            logprobs.record(logits, offset, vocabSize, token);
        }
        return token;
    }
}
