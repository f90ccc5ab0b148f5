package dev.switchboard.inference;

import dev.switchboard.inference.model.TokenPicker;
import dev.switchboard.inference.sampling.LogitsProcessor;
import dev.switchboard.inference.sampling.LogprobsRecorder;
import dev.switchboard.inference.sampling.Priority;
import dev.switchboard.inference.sampling.Sampler;
import dev.switchboard.inference.sampling.SamplingParams;
import dev.switchboard.inference.speculative.Drafter;
import dev.switchboard.inference.speculative.Verifier;

import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * One generation as the engine loop sees it: token ids, progress through prefill and decode, its KV blocks, drafter
 * and limits. The text side (detokenization, stop strings, the listener, the result) is its {@link RequestOutput},
 * on the output thread. Scheduler thread only, except {@link #output} and what it reads after the request ended.
 *
 * <p>It is also the request's {@link TokenPicker}: its logits processors run on each of its rows, then its sampler
 * and verifier pick the tokens.
 */
final class Request implements TokenPicker {
    final int[] prompt;
    /** The prompt then every token whose KV is or will be final: what drafts and cached blocks are read from. */
    final int[] history;
    final KvManager.Blocks kv;
    final Drafter drafter;
    final int maxDraft;
    final RequestOutput output;
    /** Interactive requests are admitted first and preempted last. */
    final Priority priority;
    /**
     * Another choice of the same prompt, queued just before this one, whose prompt blocks this one takes from the
     * prefix cache once they are computed; null for none.
     */
    Request leader;
    private final int maxTokens;
    private final int contextLength;
    private final int vocabSize;
    private final Set<Integer> stopTokens;
    private final Cancellation cancellation;
    private final boolean greedy;
    private final List<LogitsProcessor> processors;
    /** Null for none; set only for an undrafted request (see Engine.generate with controls). */
    private final LogprobsRecorder logprobs;
    private final Verifier verifier;

    /** Positions of {@link #history} computed (or reused) in prefill. */
    int computed;
    /**
     * Where prefill ends and decoding starts: the prompt's length, or after a preemption the prompt plus every
     * generated token but the last (that one is fed by the next decode pass, as before the preemption).
     */
    int prefillEnd;
    /** Prompt tokens the prefix cache held at the first admission. */
    int cachedPromptTokens;
    /** Times the request was preempted (its blocks freed, to be recomputed). */
    int preemptions;
    /** In decode: the position of {@link #token}, the last emitted token, fed next. */
    int position;
    int token;
    boolean decoding;
    /** This step's entries: prompt positions of a prefill chunk, or drafts of a decode pass. */
    int chunk;
    int drafts;
    final int[] draft;
    /** This step's picked tokens: the accepted drafts then one more; {@link #accepted} of them are drafts. */
    final int[] emitted;
    int accepted;
    /** Tokens generated (accepted) so far. */
    int generated;
    FinishReason finish;

    long arrivedNanos;
    long firstTokenNanos;
    long endNanos;
    long lastTokenNanos;
    int decodePasses;
    int draftedTokens;
    int acceptedTokens;

    Request(int[] prompt, SamplingParams params, int vocabSize, Set<Integer> stopTokens, int contextLength,
            KvManager.Blocks kv, Drafter drafter, int maxDraft, LogprobsRecorder logprobs, Priority priority,
            Cancellation cancellation, RequestOutput output) {
        this.prompt = prompt;
        this.prefillEnd = prompt.length;
        this.priority = priority;
        this.history = Arrays.copyOf(prompt, contextLength);
        this.kv = kv;
        this.drafter = drafter;
        this.maxDraft = drafter == null ? 0 : maxDraft;
        this.output = output;
        this.maxTokens = params.maxTokens();
        this.contextLength = contextLength;
        this.vocabSize = vocabSize;
        this.stopTokens = stopTokens;
        this.cancellation = cancellation;
        this.processors = params.processors();
        if (logprobs != null && this.maxDraft > 0) {
            throw new IllegalArgumentException("log-probabilities are recorded for undrafted generations only");
        }
        this.logprobs = logprobs;
        // Processors and log-probabilities need the row on the host: such a request is never picked on a device.
        this.greedy = params.temperature() == 0f && processors.isEmpty() && logprobs == null;
        this.verifier = new Verifier(new Sampler(params), params.temperature() == 0f, vocabSize);
        this.draft = new int[this.maxDraft];
        this.emitted = new int[this.maxDraft + 1];
    }

    /** A prompt the loop can run: not empty, shorter than the context, only ids of the vocabulary. */
    static void checkPrompt(int[] prompt, int vocabSize, int contextLength) {
        if (prompt.length == 0) {
            throw new IllegalArgumentException("the prompt is empty");
        }
        if (prompt.length >= contextLength) {
            throw new IllegalArgumentException("the prompt has " + prompt.length + " tokens; the context holds "
                    + contextLength + " (at most " + (contextLength - 1) + " prompt tokens)");
        }
        for (int t : prompt) {
            if (t < 0 || t >= vocabSize) {
                throw new IllegalArgumentException("prompt token " + t + " is outside the vocabulary (0.."
                        + (vocabSize - 1) + ")");
            }
        }
    }

    /** Whether the caller cancelled, or the output side asked to stop (a stop string, a refusing listener). */
    boolean shouldStop() {
        return cancellation.isCancelled() || output.stopRequested();
    }

    /** Asks the generation to stop at its next step (as the caller's handle would). */
    void cancel() {
        cancellation.cancel();
    }

    /**
     * Whether the last prefill position's logits give a token: only for a fresh prompt. A resumed request's next
     * token is already known (its last generated one).
     */
    boolean picksAfterPrefill() {
        return generated == 0;
    }

    /**
     * Preempted by recompute: its blocks are gone, so prefill starts over on its prompt plus the tokens it
     * generated; the stream pauses and goes on with the same tokens (nothing sent is taken back).
     */
    void preempted() {
        computed = 0;
        chunk = 0;
        drafts = 0;
        decoding = false;
        prefillEnd = generated == 0 ? prompt.length : prompt.length + generated - 1;
        preemptions++;
    }

    /**
     * The most tokens worth drafting now: a step emits the accepted drafts plus one more, so drafting beyond the
     * tokens and context positions left minus one is wasted work.
     */
    int draftBudget() {
        return Math.max(0, Math.min(maxTokens - generated, contextLength - prompt.length - generated) - 1);
    }

    /**
     * Takes a picked token: records it and decides whether generation goes on (false at a stop token, the token
     * limit, a full context or a cancellation, with {@link #finish} set).
     */
    boolean accept(int id) {
        if (generated == 0) {
            firstTokenNanos = System.nanoTime();
        }
        history[prompt.length + generated] = id;
        generated++;
        if (stopTokens.contains(id)) {
            return end(FinishReason.STOP);
        }
        if (generated >= maxTokens || prompt.length + generated >= contextLength) {
            return end(FinishReason.LENGTH);
        }
        return !cancellation.isCancelled() || end(FinishReason.CANCELLED);
    }

    /** Ends the request (the output side may still override the reason: it saw a stop string first). */
    boolean end(FinishReason reason) {
        if (finish == null) {
            finish = reason;
            endNanos = System.nanoTime();
        }
        return false;
    }

    /** From arrival to the first generated token; 0 before it. */
    long timeToFirstTokenNanos() {
        return generated == 0 ? 0 : firstTokenNanos - arrivedNanos;
    }

    @Override
    public boolean greedy() {
        return greedy;
    }

    /**
     * The seam where a request's {@link LogitsProcessor}s run: on each of its rows, before the verifier samples
     * from it. Row i of a decode pass follows the fed token and the first i drafts; they are written into
     * {@link #history} past the fed token (positions that the accepted tokens overwrite afterwards).
     */
    @Override
    public int pick(float[] logits, int offset, int rowStride, int[] draft, int k, int[] out) {
        if (!processors.isEmpty()) {
            int length = decoding ? position + 1 : prompt.length;
            for (int i = 0; i <= k; i++) {
                if (i > 0) {
                    history[length + i - 1] = draft[i - 1];
                }
                for (LogitsProcessor p : processors) {
                    p.process(history, prompt.length, length + i, logits, offset + i * rowStride, vocabSize);
                }
            }
        }
        int accepted = verifier.verify(logits, offset, rowStride, draft, k, out);
        if (logprobs != null) { // never drafted: one row, one pick
            logprobs.record(logits, offset, vocabSize, out[0]);
        }
        return accepted;
    }
}
