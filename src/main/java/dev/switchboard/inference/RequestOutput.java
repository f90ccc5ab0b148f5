package dev.switchboard.inference;

import dev.switchboard.inference.sampling.GenerationControls;
import dev.switchboard.inference.sampling.LogprobsRecorder;
import dev.switchboard.inference.sampling.StopStrings;
import dev.switchboard.inference.tokenizer.StreamingDecoder;
import dev.switchboard.inference.tokenizer.Tokenizer;

import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * The text side of one generation, run by the {@link OutputProcessor} thread off the engine loop: incremental
 * detokenization, stop strings (also those spanning tokens), streaming to the listener, and the result. When a
 * stop string completes or the listener refuses text, it records the reason, ignores later tokens (the loop may
 * have computed a step more) and asks the loop to end the request.
 */
final class RequestOutput {
    private final Set<Integer> stopTokens;
    private final Tokenizer tokenizer;
    private final boolean specialTokensInText;
    private final LogprobsRecorder logprobs;
    private final StreamingDecoder decoder;
    private final StopStrings stops;
    private final TokenListener listener;
    private final StringBuilder text = new StringBuilder();
    private int[] tokens = new int[16];
    private int count;
    /** Set by this side: STOP at a stop string, CANCELLED when the listener refused text. */
    private FinishReason ownFinish;
    private RuntimeException listenerFailure;
    private volatile boolean stopRequested;
    final CompletableFuture<GenerationResult> done = new CompletableFuture<>();

    /** @param controls whether special tokens are text, and where the loop records log-probabilities (shown here) */
    RequestOutput(Tokenizer tokenizer, List<String> stopStrings, GenerationControls controls, TokenListener listener) {
        this.stopTokens = tokenizer.stopTokens();
        this.tokenizer = tokenizer;
        this.specialTokensInText = controls.specialTokensInText();
        this.logprobs = controls.logprobs();
        this.decoder = new StreamingDecoder(tokenizer);
        this.stops = new StopStrings(stopStrings);
        this.listener = listener;
    }

    /** Whether this side ended the generation: the loop should stop computing it. Any thread. */
    boolean stopRequested() {
        return stopRequested;
    }

    /** Output thread: the next token the loop accepted. */
    void token(int id) {
        if (stopRequested) {
            return;
        }
        if (count == tokens.length) {
            tokens = Arrays.copyOf(tokens, count * 2);
        }
        tokens[count++] = id;
        if (logprobs != null) {
            logprobs.reveal(count); // before the listener: its delta may carry this token's entry
        }
        if (stopTokens.contains(id)) {
            return; // counted, never shown; the loop ends the request with it
        }
        try {
            // A sampled special token (a BOS, a header) is no text unless the request asks to see it.
            String piece = specialTokensInText || !tokenizer.isSpecial(id) ? decoder.accept(id) : "";
            if (!emit(stops.append(piece))) {
                stop(FinishReason.CANCELLED);
            } else if (stops.stopped()) {
                stop(FinishReason.STOP);
            }
        } catch (RuntimeException e) { // a listener failed: only its own generation ends
            listenerFailure = e;
            stopRequested = true;
        }
    }

    private void stop(FinishReason reason) {
        ownFinish = reason;
        stopRequested = true;
    }

    /**
     * Output thread: the loop ended the request for {@code loopReason} (this side's own reason wins: it saw the
     * tokens' text). Text held back (an incomplete character, a possible stop-string prefix) is released unless the
     * generation was cancelled or stopped at a stop string. Returns the result, or null when the listener failed.
     */
    GenerationResult finish(Request r, FinishReason loopReason) {
        FinishReason reason = ownFinish != null ? ownFinish : loopReason;
        if (listenerFailure == null && reason != FinishReason.CANCELLED && !stops.stopped()) {
            try {
                emit(stops.append(decoder.flush()) + stops.flush());
            } catch (RuntimeException e) {
                listenerFailure = e;
            }
        }
        if (listenerFailure != null) {
            return null;
        }
        long ttft = r.timeToFirstTokenNanos();
        long decode = r.generated == 0 ? 0 : r.endNanos - r.firstTokenNanos;
        return new GenerationResult(text.toString(), Arrays.copyOf(tokens, count), reason, r.prompt.length, ttft,
                decode, r.decodePasses, r.draftedTokens, r.acceptedTokens, r.cachedPromptTokens);
    }

    RuntimeException listenerFailure() {
        return listenerFailure;
    }

    private boolean emit(String delta) {
        if (delta.isEmpty()) {
            return true;
        }
        text.append(delta);
        return listener.onText(delta);
    }
}
