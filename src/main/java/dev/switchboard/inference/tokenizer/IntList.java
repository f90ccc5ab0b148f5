package dev.switchboard.inference.tokenizer;

import java.util.Arrays;

/** A growable list of ints: token output without boxing. */
final class IntList {
    private int[] a = new int[64];
    private int size;

    void add(int v) {
        if (size == a.length) {
            a = Arrays.copyOf(a, size * 2);
        }
        a[size++] = v;
    }

    void addAll(int[] vs) {
        for (int v : vs) {
            add(v);
        }
    }

    int[] toArray() {
        return Arrays.copyOf(a, size);
    }
}
