package dev.switchboard.inference.sampling;

import java.util.List;

/**
 * What a generation asks for beyond {@link SamplingParams}: logits processors run in order on each row before the
 * sampler, log-probabilities recorded for each sampled token, and whether special tokens show up in the text. The
 * processors are per-generation instances that keep state caught up from the generated tokens (a generation with
 * controls is never drafted, so they never see a rolled-back row): a controls object serves one generation. The
 * engine adds them to {@link SamplingParams#processors()}, runs them where it picks, and records the pick after.
 *
 * @param processors run in this order on every row before sampling
 * @param logprobs null for none, else where each sampled token's log-probability (and its top alternatives) go
 * @param specialTokensInText whether sampled special tokens (a BOS, a header token) are spelled out in the text;
 *     off, they count as tokens but add no text
 * @param priority the queue the generation waits in
 */
public record GenerationControls(List<LogitsProcessor> processors, LogprobsRecorder logprobs,
        boolean specialTokensInText, Priority priority) {
    public static final GenerationControls NONE = new GenerationControls(List.of(), null, false);

    public GenerationControls {
        processors = List.copyOf(processors);
        if (priority == null) {
            throw new IllegalArgumentException("priority is required");
        }
    }

    /** Interactive controls. */
    public GenerationControls(List<LogitsProcessor> processors, LogprobsRecorder logprobs,
            boolean specialTokensInText) {
        this(processors, logprobs, specialTokensInText, Priority.INTERACTIVE);
    }

    public GenerationControls withPriority(Priority priority) {
        return new GenerationControls(processors, logprobs, specialTokensInText, priority);
    }

    /** Whether rows need more than the plain sampler (then speculative drafting is off for the generation). */
    public boolean touchesRows() {
        return !processors.isEmpty() || logprobs != null;
    }
}
