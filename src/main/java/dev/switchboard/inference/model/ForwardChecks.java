package dev.switchboard.inference.model;

/** The checks every {@link Backend#forward} makes before it touches a KV cache, whatever runs the pass. */
public final class ForwardChecks {
    private ForwardChecks() {
    }

    /**
     * Rejects a batch that would read or write outside the vocabulary, the block table or the cache, whose
     * sequence positions go backwards, or whose logit rows do not fit in {@code logitsLength} floats.
     */
    public static void check(LlamaConfig config, ForwardBatch batch, KvCache cache, long logitsLength) {
        for (int i = 0; i < batch.size(); i++) {
            int token = batch.token(i), pos = batch.position(i);
            if (token < 0 || token >= config.vocabSize()) {
                throw new IllegalArgumentException("entry " + i + ": token " + token + " is outside the vocabulary 0.."
                        + (config.vocabSize() - 1));
            }
            if (pos < 0) {
                throw new IllegalArgumentException("entry " + i + ": negative position " + pos);
            }
            BlockTable table = batch.table(i);
            int logical = pos / cache.blockSize();
            if (logical >= table.size()) {
                throw new IllegalArgumentException("entry " + i + ": position " + pos + " needs logical block "
                        + logical + " but its block table has " + table.size() + " blocks");
            }
            for (int b = 0; b <= logical; b++) {
                int physical = table.block(b);
                if (physical < 0 || physical >= cache.numBlocks()) {
                    throw new IllegalArgumentException("entry " + i + ": block table names physical block " + physical
                            + " but the KV cache has " + cache.numBlocks());
                }
            }
            if (i > 0 && batch.table(i - 1) == table && batch.position(i - 1) >= pos) {
                throw new IllegalArgumentException("entry " + i + ": position " + pos + " does not follow position "
                        + batch.position(i - 1) + " of the same sequence");
            }
        }
        long needed = (long) batch.logitRows() * config.vocabSize();
        if (logitsLength < needed) {
            throw new IllegalArgumentException("logits holds " + logitsLength + " floats, the batch needs " + needed);
        }
    }
}
