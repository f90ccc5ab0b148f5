package dev.switchboard.inference.structured;

import dev.switchboard.inference.sampling.LogitsProcessor;
import dev.switchboard.inference.tokenizer.Tokenizer;

import java.util.Arrays;
import java.util.Set;

/**
 * Constrained decoding as a logits processor: every token whose bytes the {@link JsonAutomaton} would reject from
 * the current state gets logit -infinity, and stop tokens are allowed only once the value is complete (then nothing
 * else is), so whatever the model's weights the text parses and validates against the schema. The automaton follows
 * the generated ids; the allowed set is found by walking the vocabulary's {@link TokenTrie} from the state.
 */
public final class JsonMask implements LogitsProcessor {
    private final Tokenizer tokenizer;
    private final TokenTrie trie;
    private final int[] stopTokens;
    private JsonAutomaton.State state;
    private int consumed;
    private boolean[] allowed = new boolean[0];

    public JsonMask(JsonSchema schema, Tokenizer tokenizer) {
        this(JsonAutomaton.start(schema), tokenizer);
    }

    /** Starts from a given state (a tool call's envelope: {@link JsonAutomaton#startPrefixed}). */
    public JsonMask(JsonAutomaton.State start, Tokenizer tokenizer) {
        this.tokenizer = tokenizer;
        this.trie = TokenTrie.of(tokenizer);
        Set<Integer> stops = tokenizer.stopTokens();
        this.stopTokens = stops.stream().mapToInt(Integer::intValue).toArray();
        this.state = start;
    }

    @Override
    public void process(int[] tokens, int promptLength, int length, float[] logits, int offset, int vocabSize) {
        for (; promptLength + consumed < length; consumed++) {
            JsonAutomaton.State next = JsonAutomaton.step(state, tokenizer.tokenBytes(tokens[promptLength + consumed]));
            if (next == null) {
                // Only a token this mask allowed can be here, unless it was a stop token (then nothing follows).
                throw new IllegalStateException("constrained decoding saw token " + tokens[promptLength + consumed]
                        + " that its mask excluded");
            }
            state = next;
        }
        if (allowed.length < vocabSize) {
            allowed = new boolean[vocabSize];
        } else {
            Arrays.fill(allowed, 0, vocabSize, false);
        }
        int found = allow(state, 0);
        if (JsonAutomaton.complete(state)) {
            for (int t : stopTokens) {
                if (t < vocabSize) {
                    allowed[t] = true;
                    found++;
                }
            }
        }
        if (found == 0) {
            throw new IllegalStateException("constrained decoding has no token to continue with after '"
                    + tokenizer.decode(Arrays.copyOfRange(tokens, promptLength, length)) + "': the vocabulary cannot spell the next "
                    + "byte the schema needs");
        }
        for (int i = 0; i < vocabSize; i++) {
            if (!allowed[i]) {
                logits[offset + i] = Float.NEGATIVE_INFINITY;
            }
        }
    }

    /** Marks the tokens below trie node {@code node} that the automaton accepts from {@code s}; returns how many. */
    private int allow(JsonAutomaton.State s, int node) {
        int found = 0;
        for (int e = trie.edgeStart[node]; e < trie.edgeStart[node + 1]; e++) {
            JsonAutomaton.State next = JsonAutomaton.step(s, trie.edgeByte[e]);
            if (next == null) {
                continue;
            }
            int child = trie.edgeTarget[e];
            for (int i = trie.tokenStart[child]; i < trie.tokenStart[child + 1]; i++) {
                allowed[trie.tokenIds[i]] = true;
                found++;
            }
            found += allow(next, child);
        }
        return found;
    }

    /** Whether the text so far is a complete value. */
    public boolean complete() {
        return JsonAutomaton.complete(state);
    }
}
