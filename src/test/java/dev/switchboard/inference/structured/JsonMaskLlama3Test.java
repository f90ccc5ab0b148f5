package dev.switchboard.inference.structured;

import dev.switchboard.inference.json.Json;
import dev.switchboard.inference.tokenizer.Tokenizer;
import dev.switchboard.inference.tokenizer.Tokenizers;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The mask on Llama 3's 128K-token vocabulary: exactly the tokens the automaton accepts are allowed (checked token
 * by token against feeding each token's bytes), and what one mask costs per generated token is printed (a figure,
 * not an assertion: the machine is shared).
 */
class JsonMaskLlama3Test {
    static final Path TOKENIZER = Path.of("../shared/models/llama3-tokenizer/tokenizer.model");
    static final JsonSchema SCHEMA = JsonSchema.parse(Json.parse("""
            {"type":"object","properties":{"name":{"type":"string"},"age":{"type":"integer"},
             "tags":{"type":"array","items":{"type":"string"}}},"required":["name","age","tags"],
             "additionalProperties":false}"""));

    static Tokenizer llama3() {
        Assumptions.assumeTrue(Files.isRegularFile(TOKENIZER),
                "SKIPPED: " + TOKENIZER.toAbsolutePath().normalize() + " is absent (see ../shared/models/README.md)");
        return Tokenizers.fromTiktoken(TOKENIZER);
    }

    /** Prefixes of a valid text: the states a generation passes through (start, key, in a string, in a number). */
    static final String[] PREFIXES = {"", "{\"na", "{\"name\":\"Al", "{\"name\":\"Alice\",\"age\":4",
            "{\"name\":\"Alice\",\"age\":42,\"tags\":[", "{\"name\":\"Alice\",\"age\":42,\"tags\":[\"x\"]"};

    @Test
    void theMaskAllowsExactlyTheTokensTheAutomatonAccepts() {
        Tokenizer tokenizer = llama3();
        int vocab = tokenizer.vocabSize();
        for (String prefix : PREFIXES) {
            JsonAutomaton.State state = JsonAutomaton.step(JsonAutomaton.start(SCHEMA),
                    prefix.getBytes(StandardCharsets.UTF_8));
            assertNotNull(state, prefix);
            float[] logits = new float[vocab];
            new JsonMask(state, tokenizer).process(new int[0], 0, 0, logits, 0, vocab);
            int allowed = 0;
            for (int t = 0; t < vocab; t++) {
                boolean expected = tokenizer.isSpecial(t) ? false
                        : tokenizer.tokenBytes(t).length > 0
                        && JsonAutomaton.step(state, tokenizer.tokenBytes(t)) != null;
                assertEquals(expected, logits[t] == 0f, "token " + t + " after " + prefix);
                allowed += expected ? 1 : 0;
            }
            assertTrue(allowed > 0, prefix);
            System.out.printf(Locale.ROOT, "after %-45s %6d of %d tokens allowed%n", "'" + prefix + "'", allowed,
                    vocab);
        }
    }

    @Test
    void maskCostPerToken() {
        Tokenizer tokenizer = llama3();
        int vocab = tokenizer.vocabSize();
        long t0 = System.nanoTime();
        TokenTrie trie = TokenTrie.of(tokenizer);
        System.out.printf(Locale.ROOT, "trie: %d nodes for %d tokens, built in %.0f ms%n", trie.nodes(), vocab,
                (System.nanoTime() - t0) / 1e6);
        float[] logits = new float[vocab];
        for (String prefix : PREFIXES) {
            JsonAutomaton.State state = JsonAutomaton.step(JsonAutomaton.start(SCHEMA),
                    prefix.getBytes(StandardCharsets.UTF_8));
            JsonMask mask = new JsonMask(state, tokenizer);
            for (int i = 0; i < 5; i++) { // warm-up
                mask.process(new int[0], 0, 0, logits, 0, vocab);
            }
            int runs = 20;
            long best = Long.MAX_VALUE;
            long total = 0;
            for (int i = 0; i < runs; i++) {
                long s = System.nanoTime();
                mask.process(new int[0], 0, 0, logits, 0, vocab);
                long d = System.nanoTime() - s;
                best = Math.min(best, d);
                total += d;
            }
            System.out.printf(Locale.ROOT, "mask cost after %-45s best %.2f ms, mean %.2f ms per token%n",
                    "'" + prefix + "'", best / 1e6, total / 1e6 / runs);
        }
    }
}
