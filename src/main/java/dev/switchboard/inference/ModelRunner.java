package dev.switchboard.inference;

import dev.switchboard.inference.model.Backend;
import dev.switchboard.inference.model.ForwardBatch;
import dev.switchboard.inference.model.KvCache;
import dev.switchboard.inference.model.TokenPicks;

/**
 * Runs a step's plan on the backend: builds the batch (each decoding request's last token and drafts, then prefill
 * chunks), has the backend run the pass and pick tokens ({@link TokenPicks}: sampling and draft verification where
 * the logits are), and hands each request its picked tokens by the pick group it was given, not by batch order.
 */
final class ModelRunner {
    private final Backend backend;
    private final KvCache cache;
    private final ForwardBatch batch;
    private final TokenPicks picks = new TokenPicks();

    ModelRunner(Backend backend, KvCache cache, int stepTokens) {
        this.backend = backend;
        this.cache = cache;
        this.batch = new ForwardBatch(stepTokens);
    }

    /**
     * One forward pass over the plan. Afterwards each request that wanted logits holds its picked tokens in
     * {@link Request#emitted} ({@link Request#accepted} drafts, then one more).
     */
    void run(Scheduler.Plan plan) {
        batch.clear();
        picks.clear();
        int[] groups = new int[plan.decode.size() + plan.prefill.size()];
        int n = 0;
        for (Request r : plan.decode) {
            batch.add(r.token, r.position, r.kv.table, true);
            for (int i = 0; i < r.drafts; i++) {
                batch.add(r.draft[i], r.position + 1 + i, r.kv.table, true);
            }
            groups[n++] = picks.add(r, r.draft, r.drafts, r.emitted);
        }
        for (Request r : plan.prefill) {
            int end = r.computed + r.chunk;
            boolean picks = end == r.prefillEnd && r.picksAfterPrefill();
            for (int p = r.computed; p < end; p++) {
                batch.add(r.history[p], p, r.kv.table, picks && p == end - 1);
            }
            groups[n++] = picks ? this.picks.add(r, r.draft, 0, r.emitted) : -1;
        }
        try {
            backend.forward(batch, cache, picks);
        } finally {
            batch.clear();
        }
        n = 0;
        for (Request r : plan.decode) {
            r.accepted = picks.accepted(groups[n++]);
        }
        for (Request r : plan.prefill) {
            int g = groups[n++];
            r.accepted = g < 0 ? 0 : picks.accepted(g);
        }
        picks.clear();
    }
}
