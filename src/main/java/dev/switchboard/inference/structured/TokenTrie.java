package dev.switchboard.inference.structured;

import dev.switchboard.inference.tokenizer.Tokenizer;

import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * The byte strings of a vocabulary's ordinary tokens as a trie, so a mask walks each shared prefix once and drops a
 * whole subtree at the first byte the automaton rejects. Special tokens and empty tokens are left out: they are no
 * JSON text. Built once per vocabulary (cached while the tokenizer lives) in compressed sparse rows.
 */
public final class TokenTrie {
    private static final Map<Tokenizer, TokenTrie> CACHE = Collections.synchronizedMap(new WeakHashMap<>());

    /** Node n's children are edges edgeStart[n] until edgeStart[n+1]. Node 0 is the root. */
    final int[] edgeStart;
    final byte[] edgeByte;
    final int[] edgeTarget;
    /** Node n ends the tokens tokenIds[tokenStart[n] .. tokenStart[n+1]). */
    final int[] tokenStart;
    final int[] tokenIds;

    private TokenTrie(int[] edgeStart, byte[] edgeByte, int[] edgeTarget, int[] tokenStart, int[] tokenIds) {
        this.edgeStart = edgeStart;
        this.edgeByte = edgeByte;
        this.edgeTarget = edgeTarget;
        this.tokenStart = tokenStart;
        this.tokenIds = tokenIds;
    }

    /** The trie of a tokenizer's vocabulary, built on first use. */
    public static TokenTrie of(Tokenizer tokenizer) {
        return CACHE.computeIfAbsent(tokenizer, TokenTrie::build);
    }

    public int nodes() {
        return edgeStart.length - 1;
    }

    static TokenTrie build(Tokenizer tokenizer) {
        // First pass: nodes as a map from (parent, byte) to child; node ids in creation order.
        Map<Long, Integer> children = new HashMap<>();
        int[] parent = new int[1024];
        byte[] via = new byte[1024];
        int[] endsAt = new int[tokenizer.vocabSize()];
        Arrays.fill(endsAt, -1);
        int nodes = 1;
        for (int t = 0; t < tokenizer.vocabSize(); t++) {
            if (tokenizer.isSpecial(t)) {
                continue;
            }
            byte[] bytes = tokenizer.tokenBytes(t);
            if (bytes.length == 0) {
                continue;
            }
            int node = 0;
            for (byte b : bytes) {
                long key = ((long) node << 8) | (b & 0xFF);
                Integer child = children.get(key);
                if (child == null) {
                    if (nodes == parent.length) {
                        parent = Arrays.copyOf(parent, nodes * 2);
                        via = Arrays.copyOf(via, nodes * 2);
                    }
                    parent[nodes] = node;
                    via[nodes] = b;
                    child = nodes++;
                    children.put(key, child);
                }
                node = child;
            }
            endsAt[t] = node;
        }
        // Second pass: edges grouped by parent (counting sort), tokens grouped by node.
        int[] edgeStart = new int[nodes + 1];
        for (int n = 1; n < nodes; n++) {
            edgeStart[parent[n] + 1]++;
        }
        for (int n = 0; n < nodes; n++) {
            edgeStart[n + 1] += edgeStart[n];
        }
        byte[] edgeByte = new byte[nodes - 1];
        int[] edgeTarget = new int[nodes - 1];
        int[] fill = Arrays.copyOf(edgeStart, nodes);
        for (int n = 1; n < nodes; n++) {
            int at = fill[parent[n]]++;
            edgeByte[at] = via[n];
            edgeTarget[at] = n;
        }
        int[] tokenStart = new int[nodes + 1];
        int count = 0;
        for (int node : endsAt) {
            if (node >= 0) {
                tokenStart[node + 1]++;
                count++;
            }
        }
        for (int n = 0; n < nodes; n++) {
            tokenStart[n + 1] += tokenStart[n];
        }
        int[] tokenIds = new int[count];
        int[] at = Arrays.copyOf(tokenStart, nodes);
        for (int t = 0; t < endsAt.length; t++) {
            if (endsAt[t] >= 0) {
                tokenIds[at[endsAt[t]]++] = t;
            }
        }
        return new TokenTrie(edgeStart, edgeByte, edgeTarget, tokenStart, tokenIds);
    }
}
