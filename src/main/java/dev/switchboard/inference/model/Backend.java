package dev.switchboard.inference.model;

/**
 * Computes forward passes of one loaded model. Everything above a backend (tokenizer, sampling, scheduling,
 * speculation, HTTP) is backend-independent and talks to it only through this interface.
 *
 * <p>A pass runs over a {@link ForwardBatch}: entries of (sequence, position, token), where entries of one sequence
 * are contiguous with ascending positions. Each entry writes its key/value into the {@link KvCache} at its position
 * (through its sequence's {@link BlockTable}) and attends to positions {@code 0..position} of its own sequence —
 * those written by earlier passes and by earlier entries of this pass. This one shape covers prefill (many
 * positions of one sequence), batched decode (one position of many sequences) and speculative verification
 * (k+1 positions of each of many sequences).
 *
 * <p>Backends are not thread-safe: one thread drives a backend at a time (they may use threads internally).
 */
public interface Backend extends AutoCloseable {

    LlamaConfig config();

    /** Allocates KV storage of {@code numBlocks} blocks of {@code blockSize} positions, for all layers. */
    KvCache newKvCache(int numBlocks, int blockSize);

    /**
     * Runs the model over the batch. For each entry with {@link ForwardBatch#wantsLogits(int)}, in entry order,
     * writes {@code config().vocabSize()} logits into consecutive rows of {@code logits}.
     */
    void forward(ForwardBatch batch, KvCache cache, float[] logits);

    /**
     * Runs the model over the batch and picks each sequence's tokens ({@link TokenPicks}: one group of logit rows
     * per sequence, in row order). This default copies the logits to the host and lets each group's
     * {@link TokenPicker} sample and verify there; a device backend may pick greedy groups where the logits are and
     * return only ids.
     */
    default void forward(ForwardBatch batch, KvCache cache, TokenPicks picks) {
        if (picks.rows() != batch.logitRows()) {
            throw new IllegalArgumentException("the picks cover " + picks.rows() + " logit rows, the batch has "
                    + batch.logitRows());
        }
        int vocab = config().vocabSize();
        float[] logits = picks.hostLogits(batch.logitRows() * vocab);
        forward(batch, cache, logits);
        picks.pickOnHost(logits, vocab);
    }

    /** A short name for logs and metrics, e.g. "cpu" or "cuda". */
    String name();

    @Override
    void close();
}
